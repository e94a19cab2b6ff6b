"""Bearer-token authentication: the token acts as its user, with that user's role and scope."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from learnsurvey.web.accounts.models import ApiToken, User


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``; a missing, unknown or revoked token is a 401."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = ApiToken.authenticate(token)
        if user is not None:
            # The access helpers (accounts/access.py) read the user from the request.
            request.user = user
        return user


def api_user(request: HttpRequest) -> User:
    """The token's user (every endpoint requires the token, so there is one)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
