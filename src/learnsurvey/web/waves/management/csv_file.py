"""What the import commands share: a CSV file read as text and passed to an all-or-nothing
``do_import_*`` action, with an unreadable file or a rejected one as a clear CommandError
naming the file (and, for a rejected one, its bad rows)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import CommandError

from learnsurvey.web.waves.imports import ImportRejected

__all__ = ["import_csv_file"]


def import_csv_file[T](path: Path, do_import: Callable[[str], T]) -> T:
    """``do_import`` on the text of ``path`` (UTF-8, with or without a byte-order mark)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: {exc}") from None
    try:
        return do_import(text)
    except ImportRejected as rejected:
        raise CommandError(f"{path}: {rejected}") from None
