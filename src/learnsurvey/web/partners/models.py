"""Partner schools: whether a school may be found as a partner, and the requests between
schools (the requests are also the log of who asked whom, when, and what came of it).

A school is found only when its leaders opted in (:class:`PartnerOptIn`, off by default);
nothing about a school that has not opted in is shown to another school. A request names the
asking school, the school asked, one dimension and a short message; accepting it shares both
contact addresses (the requester's and the accepter's email), declining shares nothing. Every
change goes through :mod:`.actions`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from learnsurvey.web.schools.models import School

MESSAGE_MAX_LENGTH = 1000
"""The longest message a request may carry (characters)."""

MESSAGE_MIN_LENGTH = 20
"""The shortest: a request says at least a sentence about why."""


class PartnerOptIn(models.Model):
    """Whether the school may be suggested to other schools as a partner and be asked; who
    last changed it and when. A school without a row has not opted in."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="partner_opt_in")
    open = models.BooleanField(_("open to partner requests"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("partner opt-in")
        verbose_name_plural = _("partner opt-ins")

    def __str__(self) -> str:
        return f"{self.school}: {'open' if self.open else 'closed'}"


class PartnerRequest(models.Model):
    """One school asking another to partner on one dimension."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CLOSED = "closed", _("Closed: the school is no longer open to partners")

    from_school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="partner_requests_sent"
    )
    to_school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="partner_requests_received"
    )
    dimension = models.CharField(_("dimension"), max_length=100)
    instrument_id = models.CharField(_("instrument"), max_length=100, default="learning-survey")
    message = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="partner_requests_sent",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner_requests_decided",
    )
    created = models.DateTimeField(_("sent"), auto_now_add=True)
    decided = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("partner request")
        verbose_name_plural = _("partner requests")
        indexes = [models.Index(fields=["from_school", "created"], name="partner_req_from_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["from_school", "to_school", "dimension"],
                condition=models.Q(status="open"),
                name="one_open_partner_request_per_pair",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_school=models.F("to_school")),
                name="partner_request_not_to_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_school.urn} → {self.to_school.urn} ({self.dimension}, {self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_accepted(self) -> bool:
        return self.status == self.Status.ACCEPTED
