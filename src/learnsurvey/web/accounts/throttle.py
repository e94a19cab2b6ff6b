"""Sign-in throttling: wrong passwords are counted per account and network, in the cache
every worker shares (``pupil.ratelimit.limits``: Redis, else a database table).

After ``SIGN_IN_FAILURES_PER_ACCOUNT`` wrong passwords for one username from one network
within ``SIGN_IN_FAILURE_WINDOW_SECONDS``, that username is refused from that network until
the window ends, even with the right password, so guessing cannot go on. Other networks
(the leader at home) and other usernames (colleagues behind the same school address) are
not affected; a network that tries ``SIGN_IN_FAILURES_PER_NETWORK`` wrong passwords across
any usernames waits too (spraying one password over many accounts). The address is never
stored: the network is an HMAC of it (``pupil.ratelimit.network_id``), and a username only
appears inside a hash.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest

from learnsurvey.web.pupil.ratelimit import count_up, limits, network_id

__all__ = ["clear_failures", "record_failure", "sign_in_wait"]


def _account_key(network: str, username: str) -> str:
    account = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return f"learnsurvey:signin:{network}:{account}"


def _network_key(network: str) -> str:
    return f"learnsurvey:signin:{network}"


def sign_in_wait(request: HttpRequest, username: str) -> int:
    """Seconds before ``username`` may try again from this network (0: go ahead)."""
    network = network_id(request)
    found = limits().get_many([_account_key(network, username), _network_key(network)])
    account = int(found.get(_account_key(network, username), 0) or 0)
    everyone = int(found.get(_network_key(network), 0) or 0)
    if (
        account >= settings.SIGN_IN_FAILURES_PER_ACCOUNT
        or everyone >= settings.SIGN_IN_FAILURES_PER_NETWORK
    ):
        return int(settings.SIGN_IN_FAILURE_WINDOW_SECONDS)
    return 0


def record_failure(request: HttpRequest, username: str) -> None:
    """Count a wrong password; the counts expire a window after their first failure."""
    network = network_id(request)
    window = int(settings.SIGN_IN_FAILURE_WINDOW_SECONDS)
    for key in (_account_key(network, username), _network_key(network)):
        count_up(key, window)


def clear_failures(request: HttpRequest, username: str) -> None:
    """A right password forgives this account's wrong ones from this network."""
    limits().delete(_account_key(network_id(request), username))
