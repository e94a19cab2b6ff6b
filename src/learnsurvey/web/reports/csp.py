"""The Content Security Policy of a report's HTML (its web view and a run's HTML file).

The site's policy runs only scripts served by the platform. A report is the one page that
needs more: Vega compiles its chart expressions with ``Function`` (``'unsafe-eval'``), and
the report's own chart-drawing script is inline, so that a downloaded HTML file works
beside its ``assets/vega.js``. That inline script is allowed by its hash, taken from the
very HTML sent, so no other inline script would run even if one got into the page.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from django.conf import settings
from django.http import HttpResponseBase
from django.utils.csp import CSP

__all__ = ["allow_report_scripts"]

_INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>(.*?)</script>", re.S
)


def _hashes(html: str) -> list[str]:
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE.findall(html)
    ]


def allow_report_scripts[R: HttpResponseBase](response: R, html: str) -> R:
    """``response`` (carrying ``html``) with the site's policy widened for a report: Vega's
    ``'unsafe-eval'`` and the hash of each inline script of ``html``."""
    policy: dict[str, Any] = dict(settings.SECURE_CSP)
    policy["script-src"] = [CSP.SELF, CSP.UNSAFE_EVAL, *_hashes(html)]
    # How django.views.decorators.csp.csp_override sets a view's policy, per response here
    # because the hashes depend on the page.
    response._csp_config = policy  # type: ignore[attr-defined]
    return response
