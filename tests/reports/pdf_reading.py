"""Printing a report while listening to WeasyPrint, and reading it back with poppler
(pdfinfo, pdftotext), for the report tests."""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path

from learnsurvey.reports import html_to_pdf

Printed = tuple[str, bytes, list[str]]
"""A report's print HTML, its PDF, and what WeasyPrint logged while printing it."""


def printed(pdf: bytes, path: Path) -> tuple[int, str]:
    """Write ``pdf`` to ``path``; its page count (pdfinfo) and its text (pdftotext)."""
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pages, text


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def print_logged(html: str) -> tuple[bytes, list[str]]:
    """The PDF of ``html`` and every message WeasyPrint logged while printing it."""
    logger = logging.getLogger("weasyprint")
    handler, level = _Collect(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        return html_to_pdf(html), handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
