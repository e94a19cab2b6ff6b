"""Reports as HTML (Jinja2 templates) and PDF (WeasyPrint): one template per report for the
web page, the standalone ``.html`` file and the printed A4 PDF.

``mode`` says where the HTML goes:

- ``"web"``: a page of the platform; charts become interactive when ``vega_src`` loads.
- ``"file"``: a standalone file written beside ``assets/vega.js`` (see
  :func:`write_assets`); interactive too, and readable with no server.
- ``"pdf"``: input to WeasyPrint: no scripts, every chart as its vector SVG.

Words go through ``gettext`` (British English by default): the web passes Django's, so a
report follows the reader's language where a translation exists.
"""

from __future__ import annotations

import logging
import os
import re
import ssl
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import jinja2

from . import format as fmt
from .charts import vega_bundle

__all__ = ["Mode", "html_to_pdf", "render_html", "write_assets"]

Mode = Literal["web", "file", "pdf"]
ASSETS = "assets"
VEGA_FILE = "vega.js"
RTL_LANGUAGES = {"ar", "fa", "he", "ur"}


def _same(message: str) -> str:
    return message


def _plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


@lru_cache(maxsize=8)
def _environment(
    gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str]
) -> jinja2.Environment:
    """An environment with these translation functions installed, kept with the templates
    it compiled (compiling them took 0.08 of the 0.09 s a school report's two renderings
    took, when each rendering made a fresh overlay). One environment per pair, not
    overlays of one: an overlay installs the functions in its parent's globals, so one
    rendering would change the words of another. Django's ``gettext`` follows the active
    language by itself, so one environment serves the web in every language."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("learnsurvey.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=fmt.number, signed=fmt.signed, pct=fmt.pct, count=fmt.count, ci=fmt.ci
    )
    env.globals["HIDDEN"] = fmt.HIDDEN
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def render_html(
    template: str,
    *,
    mode: Mode,
    lang: str = "en-GB",
    gettext: Callable[[str], str] | None = None,
    ngettext: Callable[[str, str, int], str] | None = None,
    vega_src: str | None = None,
    **context: Any,
) -> str:
    """Render ``template`` (a file under ``reports/templates``) with ``context``."""
    env = _environment(gettext or _same, ngettext or _plural)
    if mode == "file" and vega_src is None:
        vega_src = f"{ASSETS}/{VEGA_FILE}"
    base = lang.split("-")[0].lower()
    return env.get_template(template).render(
        mode=mode,
        lang=lang,
        direction="rtl" if base in RTL_LANGUAGES else "ltr",
        vega_src=vega_src if mode != "pdf" else None,
        **context,
    )


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """An A4 PDF of ``html`` (rendered with ``mode="pdf"``), tagged for assistive technology
    as far as WeasyPrint goes (PDF/UA-1 structure, title and language from the HTML)."""
    import weasyprint  # slow to import; only PDF output needs it
    from weasyprint.urls import URLFetcher

    _quiet_data_uris()

    # A report embeds everything it shows (charts as data: URIs), so the printer may fetch
    # nothing from anywhere: no remote resource can leak a reader's visit or slow a run.
    # Sharing one SSL context spares building one per document (WeasyPrint's default).
    fetcher = URLFetcher(ssl_context=_ssl_context(), allowed_protocols=("data",))
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    if pdf is None:  # pragma: no cover - only without a target would it return None
        raise RuntimeError("WeasyPrint produced no PDF")
    return bytes(pdf)


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    return ssl.create_default_context()


_DATA_URI = re.compile(r"data:([\w/+.-]*)[^\s\"')]*")


def _short_data_uris(text: str) -> str:
    return _DATA_URI.sub(lambda m: f"data:{m.group(1)},… ({len(m.group(0)):,} characters)", text)


class _ShortDataUris(logging.Filter):
    """Shortens every ``data:`` URI in a WeasyPrint message to its type and length.

    WeasyPrint quotes an image's ``src`` when it warns about it, and a chart's ``src`` is
    its whole drawing in base64: one warning would fill the terminal or a server log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "data:" in message:
            record.msg, record.args = _short_data_uris(message), None
        return True


@lru_cache(maxsize=1)
def _quiet_data_uris() -> None:
    # Once per process: the filter sits on WeasyPrint's logger, whoever handles its records.
    logging.getLogger("weasyprint").addFilter(_ShortDataUris())


def write_assets(out_dir: Path) -> Path:
    """Write the chart script standalone ``.html`` reports load; return its path."""
    target = Path(out_dir) / ASSETS / VEGA_FILE
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written whole or not at all: another process may be writing the same file.
        partial = target.with_name(f".{VEGA_FILE}.{os.getpid()}")
        partial.write_text(vega_bundle(), encoding="utf-8")
        partial.replace(target)
    return target
