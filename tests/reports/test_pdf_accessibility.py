"""A printed report (school, trust, global) is tagged for assistive technology (PDF/UA):
every chart is a Figure with its text alternative, and WeasyPrint has nothing to warn about,
let alone a chart's whole base64.

The structure tree is read straight from the PDF's object streams (WeasyPrint writes every
dictionary into Flate-compressed ``/ObjStm`` streams), so no PDF library is needed.
"""

from __future__ import annotations

import base64
import re
import zlib
from html import unescape

import pytest
from pdf_reading import Printed, print_logged

_STREAM = re.compile(rb"<<(?P<dict>[^<>]*)>>\s*stream\r?\n")  # an ObjStm dictionary is flat


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Every object stored in the PDF's object streams, by object number."""
    objects: dict[int, bytes] = {}
    for found in _STREAM.finditer(pdf):
        head = found.group("dict")
        if b"/Type /ObjStm" not in head:
            continue
        length = int(_field(head, rb"/Length (\d+)"))
        data = pdf[found.end() : found.end() + length]
        data = zlib.decompress(data) if b"/FlateDecode" in head else data
        first = int(_field(head, rb"/First (\d+)"))
        numbers = [int(n) for n in data[:first].split()]
        starts = [first + offset for offset in numbers[1::2]]
        for number, begin, end in zip(numbers[::2], starts, [*starts[1:], len(data)], strict=True):
            objects[number] = data[begin:end].strip()
    return objects


def _field(head: bytes, pattern: bytes) -> bytes:
    found = re.search(pattern, head)
    assert found, f"no {pattern!r} in {head!r}"
    return found.group(1)


def _pdf_string(token: bytes) -> str:
    """A PDF string as pydyf writes one: ``(literal)`` or ``<FEFF...>`` (UTF-16BE in hex)."""
    if token.startswith(b"<"):
        return bytes.fromhex(token[1:-1].decode()).decode("utf-16")
    return re.sub(rb"\\(.)", rb"\1", token[1:-1]).decode("latin-1")


def _figure_alts(pdf: bytes) -> list[str | None]:
    """The ``/Alt`` of every Figure of the structure tree, in document order (None: none)."""
    alts: list[str | None] = []
    for _, body in sorted(_objects(pdf).items()):
        if not body.startswith(b"<</Type /StructElem/S /Figure"):
            continue
        alt = re.search(rb"/Alt (\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f]*>)", body, re.S)
        alts.append(_pdf_string(alt.group(1)) if alt else None)
    return alts


def _img_alts(html: str) -> list[str]:
    return [unescape(alt) for alt in re.findall(r'<img\b[^>]*\balt="([^"]*)"', html)]


KINDS = ["school", "trust", "global"]


@pytest.fixture(scope="module")
def printed(printed_reports: dict[str, Printed]) -> dict[str, Printed]:
    """The first school's, the first trust's and the wave's report, printed (conftest)."""
    return printed_reports


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_it_gives_every_chart_image_its_text_alternative(
    printed: dict[str, Printed], kind: str
) -> None:
    html, _, _ = printed[kind]
    images = re.findall(r"<img\b[^>]*>", html)
    assert images  # every report has charts
    assert len(_img_alts(html)) == len(images)
    assert all(len(alt.split()) >= 5 for alt in _img_alts(html))


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_it_tags_every_chart_as_a_figure_with_that_alternative(
    printed: dict[str, Printed], kind: str
) -> None:
    html, pdf, _ = printed[kind]
    assert _figure_alts(pdf) == _img_alts(html)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_it_prints_a_report_without_a_warning(printed: dict[str, Printed], kind: str) -> None:
    _, _, messages = printed[kind]
    assert not [m for m in messages if "data:" in m]
    # Nor anything else at warning level: each would be printed once per report printed.
    assert not [m for m in messages if m.startswith(("WARNING", "ERROR", "CRITICAL"))]


def test_it_never_logs_a_whole_data_uri() -> None:
    # An image without alt text is the one thing WeasyPrint warns about with its source.
    drawing = "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'/>"
    src = "data:image/svg+xml;base64," + base64.b64encode(drawing.encode()).decode()
    html = f'<html lang="en"><title>T</title><img src="{src}" alt=""></html>'
    _, messages = print_logged(html)
    shortened = f"data:image/svg+xml,… ({len(src)} characters)"
    assert [m for m in messages if "alt description" in m] == [
        f'ERROR: Image "{shortened}" has no required alt description'
    ]
