"""People who sign in. Pupils never do: they are anonymous and have no account."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learnsurvey.web.schools.models import School, Trust


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    TRUST_LEADER = "trust_leader", _("Trust leader")
    SCHOOL_LEADER = "school_leader", _("School leader")
    TEACHER = "teacher", _("Teacher")
    RESEARCHER = "researcher", _("Researcher")


class User(AbstractUser):
    """A staff member with one role, scoped to a trust or a school where the role needs one."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.TEACHER)
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        default="",
        help_text=_("The interface language the person chose; blank: their browser's."),
    )
    """A code of ``settings.LANGUAGES`` (checked by :func:`.language.do_set_language`, not
    as field choices, so that adding a language needs no migration)."""

    @property
    def is_platform_admin(self) -> bool:
        return self.is_superuser or self.role == Role.PLATFORM_ADMIN


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An emailed link that lets a new leader set a password. Only the token's hash is kept."""

    email = models.EmailField(_("email"))
    role = models.CharField(max_length=20, choices=Role.choices)
    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.CASCADE)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE)
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    accepted = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)

    @classmethod
    def issue(
        cls,
        *,
        email: str,
        role: str,
        trust: Trust | None = None,
        school: School | None = None,
        days: int = 14,
    ) -> tuple[Invitation, str]:
        """Create an invitation; returns it and the secret token (shown once, in the email)."""
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            email=email,
            role=role,
            trust=trust,
            school=school,
            token_hash=_hash_token(token),
            expires=timezone.now() + timedelta(days=days),
        )
        return invitation, token

    @classmethod
    def find(cls, token: str) -> Invitation | None:
        """The open invitation for ``token``, or None if unknown, used or expired."""
        return cls.objects.filter(
            token_hash=_hash_token(token), accepted__isnull=True, expires__gt=timezone.now()
        ).first()


class ApiToken(models.Model):
    """A bearer token for the JSON API, acting as its user. Only the hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        token = "lsk_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, token_hash=_hash_token(token)), token

    @classmethod
    def authenticate(cls, token: str) -> User | None:
        found = cls.objects.select_related("user").filter(token_hash=_hash_token(token)).first()
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        # Recorded to the nearest ten minutes: enough to spot an unused token, without a
        # write on every request of a busy integration.
        if found.last_used is None or now - found.last_used > timedelta(minutes=10):
            cls.objects.filter(pk=found.pk).update(last_used=now)
        return found.user
