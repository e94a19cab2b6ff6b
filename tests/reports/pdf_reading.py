"""Reading a printed report back with poppler (pdfinfo, pdftotext), for the report tests."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def printed(pdf: bytes, path: Path) -> tuple[int, str]:
    """Write ``pdf`` to ``path``; its page count (pdfinfo) and its text (pdftotext)."""
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pages, text
