"""Who may see what: the tiny helpers every view calls (one place for the rules).

- platform admin: everything;
- trust leader: every school of their trust;
- school leader: their school (and may manage its access codes);
- teacher: their school, aggregated figures only;
- researcher: the global tables (school names only where the school opted in).

Outsiders get 404 for an object they may not know exists, 403 for a page of a kind their
role never sees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from learnsurvey.web.schools.models import School, Trust

from .models import Role

if TYPE_CHECKING:
    from .models import User


def current_user(request: HttpRequest) -> User:
    """The signed-in user (views are wrapped in ``login_required``)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


def can_see_school(user: User, school: School) -> bool:
    if user.is_platform_admin:
        return True
    if user.role == Role.TRUST_LEADER:
        return user.trust_id is not None and school.trust_id == user.trust_id
    if user.role in (Role.SCHOOL_LEADER, Role.TEACHER):
        return user.school_id == school.pk
    return False


def can_manage_school(user: User, school: School) -> bool:
    """Access codes and other school settings: leaders, not teachers or researchers."""
    if user.role == Role.TEACHER:
        return False
    return can_see_school(user, school)


def can_see_trust(user: User, trust: Trust) -> bool:
    if user.is_platform_admin:
        return True
    return user.role == Role.TRUST_LEADER and user.trust_id == trust.pk


def can_see_global(user: User) -> bool:
    return user.is_platform_admin or user.role == Role.RESEARCHER


def school_for(request: HttpRequest, urn: str, *, manage: bool = False) -> School:
    user = current_user(request)
    school = get_object_or_404(School, urn=urn)
    allowed = can_manage_school(user, school) if manage else can_see_school(user, school)
    if not allowed:
        raise Http404
    return school


def trust_for(request: HttpRequest, trust_id: int) -> Trust:
    trust = get_object_or_404(Trust, pk=trust_id)
    if not can_see_trust(current_user(request), trust):
        raise Http404
    return trust


def require_global(request: HttpRequest) -> None:
    if not can_see_global(current_user(request)):
        raise PermissionDenied


def require_admin(request: HttpRequest) -> None:
    if not current_user(request).is_platform_admin:
        raise PermissionDenied


def visible_schools(user: User) -> list[School]:
    qs = School.objects.select_related("trust")
    if user.is_platform_admin:
        return list(qs)
    if user.role == Role.TRUST_LEADER and user.trust_id is not None:
        return list(qs.filter(trust_id=user.trust_id))
    if user.role in (Role.SCHOOL_LEADER, Role.TEACHER) and user.school_id is not None:
        return list(qs.filter(pk=user.school_id))
    return []
