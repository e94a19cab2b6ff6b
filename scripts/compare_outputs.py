"""Dump every output of the demo wave, and compare two dumps figure by figure.

Issue 9 refactors how the figures are computed while promising that no page, PDF or API figure
changes except the named fixes. This script is the check: it builds the demo wave exactly as
``make demo`` does, reads every output through the platform's outside interfaces only (URLs
and management commands, never the internals being refactored), writes one file per output,
and then compares a "before" dump with an "after" one.

Run it with the tree under test on ``PYTHONPATH`` (the shared venv installs the package in
editable mode, so without ``PYTHONPATH`` it reads ``/work/main/src``)::

    PYTHONPATH=/tmp/before/src .venv/bin/python scripts/compare_outputs.py dump \
        --out /tmp/before-out
    PYTHONPATH=src .venv/bin/python scripts/compare_outputs.py dump --out /tmp/after-out
    .venv/bin/python scripts/compare_outputs.py compare /tmp/before-out /tmp/after-out

``dump`` (about 100 s on an idle machine, 6-7 min on a busy one; it prints which ``learnsurvey``
it imported, and stops on nothing but a failure to build the demo wave) writes under ``--out``:

- ``api/``: the JSON API as a platform admin's bearer token sees it: the wave list, every
  school's and every trust's results, and the global results as a researcher's token sees them;
- ``exports/``: every CSV table the exports app serves for each school and trust (as the admin)
  and globally, plus the response-level CSV (as the researcher); the tables are the sheets of
  each "every table" workbook, so a table added or dropped shows up;
- ``reports/``: the school, trust and global reports' web pages, reduced to their visible text
  (no scripts, styles, inline SVG or data URIs; a table row per line, cells split by `` | ``);
- ``pages/``: the school, trust and global dashboards, reduced to text the same way;
- ``manifest.json``: which tree was read, the counts, any output that failed, the timings.

An output that answers with an error status is still written (its status first), so a page
that disappears or starts failing is part of the comparison rather than a crash.

``compare`` counts figures: numbers that changed, appeared or vanished (a number that became
``null`` in JSON or a blank cell in CSV was hidden: it vanished), and other values (words,
flags, labels) that differ. JSON is compared leaf by leaf, lists of records keyed by their
identifying fields (``scores[kind=dimension,score=challenge].mean``), numbers within ``--tol``;
CSV cell by cell, by column name, rows matched as a diff matches lines; text line by line,
numbers exactly as printed. It prints a summary per family of outputs (``api/schools/*.json``:
how many of the 87 differ, the figures in all, the places that differ most often, the first
one's examples; ``--each`` lists every output instead), then the totals per kind. Dates and
times of the run are masked, and the ``computed`` stamps and wave dates ignored. It exits 0
when the dumps agree and 1 when they differ, so "only the named fixes changed" reads as: every
family listed is one of the issue's fixes.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import difflib
import io
import json
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.test import Client

ADMIN = "admin"
RESEARCHER = "researcher"
"""Demo accounts (``learnsurvey.web.demo.accounts``): everything, and the global tables."""

IGNORED_JSON_KEYS = frozenset({"computed", "opens", "closes"})
"""When the results were computed, and the wave's dates (the demo opens its wave a fortnight
before the day it runs): they differ between any two runs, so they are never compared."""

VOLATILE = (
    (re.compile(r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|"
                r"October|November|December) \d{4}\b"), "<date>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}"
                r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"), "<date>"),
    (re.compile(r"(<date>,? (?:at )?)\d{1,2}:\d{2}\b"), r"\1<time>"),
)  # fmt: skip
"""Dates and times in text that say when the dump ran (``Updated 2 December 2026, 00:49``),
masked before comparing unless ``--keep-dates``."""

# --- dump: build the demo wave and read every output ----------------------------------------


def start_django(workdir: Path) -> None:
    """Point the settings at a fresh SQLite file in ``workdir`` and start Django."""
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'demo.sqlite3'}"
    os.environ["LEARNSURVEY_DATA_DIR"] = str(workdir)
    (workdir / "static").mkdir()  # STATIC_ROOT: whitenoise warns when it is missing
    os.environ["DJANGO_SETTINGS_MODULE"] = "learnsurvey.web.settings"
    # A shared Redis cache would outlive this run and mix two trees' cached results.
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    # A failing page is recorded in the dump and named on stderr: its traceback is noise.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)


def build_demo_wave() -> None:
    """What ``make demo`` runs, without serving: fresh database, the wave, the accounts and the
    computed results. Its progress goes to stderr so stdout stays the dump's summary."""
    from django.core.management import call_command

    with contextlib.redirect_stdout(sys.stderr):
        call_command("demo", "--no-serve")


@dataclass
class Dumper:
    """Fetches outputs and writes them under ``out``, noting what failed."""

    out: Path
    admin: Client
    researcher: Client
    admin_token: str
    researcher_token: str
    failures: dict[str, str] = field(default_factory=dict)
    written: int = 0

    def fetch(self, client: Client, url: str, token: str | None = None) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = client.get(url, headers=headers)
        try:
            body = (
                b"".join(response.streaming_content)  # type: ignore[attr-defined]
                if response.streaming
                else response.content
            )
        finally:
            response.close()
        return response.status_code, body

    def write(self, name: str, text: str) -> None:
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.written += 1

    def guarded(self, name: str, make: Callable[[], object]) -> None:
        """Run ``make``; on an exception, write the error as the output and carry on."""
        try:
            make()
        except Exception as exc:  # every failure is recorded, none stops the dump
            last = traceback.format_exception_only(exc)[-1].strip()
            self.failures[name] = last
            self.write(name, f"ERROR {last}\n")
            print(f"  {name}: {last}", file=sys.stderr)

    def json_output(self, name: str, url: str, *, as_researcher: bool = False) -> Any:
        """Write the API's answer at ``url`` as sorted, indented JSON; return it parsed."""
        client, token = (
            (self.researcher, self.researcher_token)
            if as_researcher
            else (self.admin, self.admin_token)
        )
        status, body = self.fetch(client, url, token)
        try:
            data: Any = json.loads(body)
        except ValueError:
            data = body.decode("utf-8", "replace")
        if status != 200:
            data = {"_status": status, "_body": data}
            self.failures[name] = f"HTTP {status}"
        self.write(name, json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        return data

    def text_output(self, name: str, url: str, *, as_researcher: bool = False) -> None:
        """Write the page at ``url`` as its visible text (status first when not 200)."""
        status, body = self.fetch(self.researcher if as_researcher else self.admin, url)
        text = visible_text(body.decode("utf-8", "replace"))
        if status != 200:
            text = f"HTTP {status}\n{text}"
            self.failures[name] = f"HTTP {status}"
        self.write(name, text)

    def tables_output(self, folder: str, base: str, *, as_researcher: bool = False) -> None:
        """Every table under ``base`` (an exports URL prefix) as CSV: the sheets of the
        all-tables workbook name them."""
        from openpyxl import load_workbook

        client = self.researcher if as_researcher else self.admin
        status, body = self.fetch(client, f"{base}all.xlsx")
        if status != 200:
            self.failures[f"{folder}/"] = f"HTTP {status} for all.xlsx"
            self.write(f"{folder}/all.status", f"HTTP {status}\n")
            return
        names = load_workbook(io.BytesIO(body), read_only=True).sheetnames
        for table in names:
            status, csv_body = self.fetch(client, f"{base}{table}.csv")
            text = csv_body.decode("utf-8", "replace")
            if status != 200:
                text = f"HTTP {status}\n"
                self.failures[f"{folder}/{table}.csv"] = f"HTTP {status}"
            self.write(f"{folder}/{table}.csv", text)


def dump(out: Path, *, keep: bool, skip: set[str]) -> int:
    """Build the demo wave in a temporary database and write every output under ``out``."""
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="compare-outputs-"))
    start_django(workdir)
    import learnsurvey

    print(f"learnsurvey from {Path(learnsurvey.__file__).parent}", file=sys.stderr)
    timings: dict[str, float] = {}
    try:
        build_demo_wave()
        timings["demo"] = time.perf_counter() - started
        _empty(out)
        dumper = _dumper(out)
        wave = _the_wave(dumper)
        schools = sorted(wave["schools"], key=lambda s: s["urn"])
        trusts = sorted({s["trust_id"] for s in schools if s["trust_id"] is not None})
        for kind, dump_kind in (
            ("api", _dump_api),
            ("exports", _dump_exports),
            ("reports", _dump_reports),
            ("pages", _dump_pages),
        ):
            if kind in skip:
                continue
            mark = time.perf_counter()
            print(f"Dumping {kind}", file=sys.stderr)
            dump_kind(dumper, wave["id"], [s["urn"] for s in schools], trusts)
            timings[kind] = time.perf_counter() - mark
    finally:
        if keep:
            print(f"Kept the database in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    timings["total"] = time.perf_counter() - started
    manifest = {
        "learnsurvey": str(Path(learnsurvey.__file__).parent),
        "python": sys.version.split()[0],
        "min_group_size": os.environ.get("LEARNSURVEY_MIN_GROUP_SIZE", "default"),
        "wave": {"id": wave["id"], "name": wave["name"]},
        "schools": len(schools),
        "trusts": len(trusts),
        "files": dumper.written,
        "failures": dumper.failures,
        "seconds": {k: round(v, 1) for k, v in timings.items()},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(
        f"Wrote {dumper.written} outputs of {len(schools)} schools and {len(trusts)} trusts "
        f"to {out} in {timings['total']:.0f} s ({len(dumper.failures)} failed)."
    )
    return 0


def _empty(out: Path) -> None:
    """Make ``out`` an empty folder; refuse one that holds files but is not a dump."""
    if out.exists():
        if any(out.iterdir()) and not (out / "manifest.json").exists():
            raise SystemExit(f"{out} holds files but no manifest.json: not replacing it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    # Replaced when the dump finishes: a dump that stopped half-way says so.
    (out / "manifest.json").write_text('{"incomplete": true}\n', encoding="utf-8")


def _dumper(out: Path) -> Dumper:
    from django.test import Client

    from learnsurvey.web.accounts.models import ApiToken, User

    clients: dict[str, Client] = {}
    tokens: dict[str, str] = {}
    for username in (ADMIN, RESEARCHER):
        user = User.objects.get(username=username)
        clients[username] = Client()
        clients[username].force_login(user)
        tokens[username] = ApiToken.issue(user, "compare_outputs")[1]
    return Dumper(out, clients[ADMIN], clients[RESEARCHER], tokens[ADMIN], tokens[RESEARCHER])


def _the_wave(dumper: Dumper) -> dict[str, Any]:
    waves = dumper.json_output("api/waves.json", "/api/v1/waves")
    if not isinstance(waves, list) or len(waves) != 1:
        raise SystemExit(f"expected the demo's one wave from /api/v1/waves, got {waves!r:.200}")
    wave: dict[str, Any] = waves[0]
    return wave


def _dump_api(dumper: Dumper, wave: int, schools: list[str], trusts: list[int]) -> None:
    base = f"/api/v1/waves/{wave}"
    for urn in schools:
        name = f"api/schools/{urn}.json"
        dumper.guarded(name, partial(dumper.json_output, name, f"{base}/schools/{urn}/results"))
    for trust in trusts:
        name = f"api/trusts/{trust}.json"
        dumper.guarded(name, partial(dumper.json_output, name, f"{base}/trusts/{trust}/results"))
    name = "api/global.json"
    dumper.guarded(name, partial(dumper.json_output, name, f"{base}/global", as_researcher=True))


def _dump_exports(dumper: Dumper, wave: int, schools: list[str], trusts: list[int]) -> None:
    base = f"/exports/waves/{wave}"
    for urn in schools:
        folder = f"exports/schools/{urn}"
        dumper.guarded(folder, partial(dumper.tables_output, folder, f"{base}/schools/{urn}/"))
    for trust in trusts:
        folder = f"exports/trusts/{trust}"
        dumper.guarded(folder, partial(dumper.tables_output, folder, f"{base}/trusts/{trust}/"))
    dumper.guarded(
        "exports/global",
        partial(dumper.tables_output, "exports/global", f"{base}/global/", as_researcher=True),
    )

    def responses() -> None:
        status, body = dumper.fetch(dumper.researcher, f"{base}/responses.csv")
        prefix = "" if status == 200 else f"HTTP {status}\n"
        if status != 200:
            dumper.failures["exports/responses.csv"] = f"HTTP {status}"
        dumper.write("exports/responses.csv", prefix + body.decode("utf-8", "replace"))

    dumper.guarded("exports/responses.csv", responses)


def _dump_texts(
    dumper: Dumper, folder: str, base: str, schools: list[str], trusts: list[int], end: str = ""
) -> None:
    """The school, trust and global pages under ``base`` (each URL ending ``end``) as text."""
    for urn in schools:
        name = f"{folder}/schools/{urn}.txt"
        dumper.guarded(name, partial(dumper.text_output, name, f"{base}/schools/{urn}/{end}"))
    for trust in trusts:
        name = f"{folder}/trusts/{trust}.txt"
        dumper.guarded(name, partial(dumper.text_output, name, f"{base}/trusts/{trust}/{end}"))
    name = f"{folder}/global.txt"
    dumper.guarded(
        name, partial(dumper.text_output, name, f"{base}/global/{end}", as_researcher=True)
    )


def _dump_reports(dumper: Dumper, wave: int, schools: list[str], trusts: list[int]) -> None:
    _dump_texts(dumper, "reports", f"/reports/waves/{wave}", schools, trusts, "view/")


def _dump_pages(dumper: Dumper, wave: int, schools: list[str], trusts: list[int]) -> None:
    _dump_texts(dumper, "pages", f"/dashboards/waves/{wave}", schools, trusts)


# --- HTML to visible text -----------------------------------------------------------------

HIDDEN_TAGS = frozenset({"script", "style", "svg", "template", "head"})
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hr", "legend", "li", "main", "nav", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "tfoot", "thead", "ul",
    }
)  # fmt: skip


class _TextParser(HTMLParser):
    """Collects what a reader sees: a line per block, a line per table row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.text: list[str] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.hidden = 0
        self.title: list[str] | None = None

    def _flush(self, prefix: str = "") -> None:
        line = " ".join("".join(self.text).split())
        self.text = []
        if line:
            self.lines.append(prefix + line)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.title = []
            return
        if tag in HIDDEN_TAGS:
            self.hidden += 1
            return
        if self.hidden:
            return
        sink = self.cell if self.cell is not None else self.text
        if tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                sink.append(f" [image: {alt}] ")
        elif tag == "tr":
            self._flush()
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []
        elif tag in BLOCK_TAGS:
            self._open_block(tag)

    def _open_block(self, tag: str) -> None:
        if self.cell is not None:
            self.cell.append(" ")
            return
        self._flush()
        if tag == "li":
            self.text.append("- ")
        elif tag[0] == "h" and tag[1:].isdigit():
            self.text.append("#" * int(tag[1:]) + " ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            if self.title is not None:
                self.lines.append("title: " + " ".join("".join(self.title).split()))
            self.title = None
            return
        if tag in HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
            return
        if self.hidden:
            return
        if tag in ("td", "th") and self.cell is not None:
            cell = " ".join("".join(self.cell).split())
            if self.row is None:
                self.text.append(cell)
            else:
                self.row.append(cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.lines.append(" | ".join(self.row))
            self.row = None
        elif tag in BLOCK_TAGS and self.cell is None:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.title is not None:
            self.title.append(data)
        elif not self.hidden:
            (self.cell if self.cell is not None else self.text).append(data)


def visible_text(html: str) -> str:
    """The visible text of ``html``: a line per block or table row, whitespace collapsed."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    parser._flush()
    return "\n".join(parser.lines) + "\n"


# --- compare --------------------------------------------------------------------------------

NUMBER = re.compile(r"[−-]?\d[\d,]*(?:\.\d+)?%?")


@dataclass
class Diff:
    """How one output differs: counts of figures, and examples to show."""

    changed: int = 0
    appeared: int = 0
    vanished: int = 0
    other: int = 0
    examples: list[str] = field(default_factory=list)
    where: Counter[str] = field(default_factory=Counter)
    """Kind of difference and where, without the school or row: ``changed scores[].mean``
    (JSON), ``vanished column mean`` (CSV), ``changed line School is Fair | # | #`` (text)."""

    @property
    def figures(self) -> int:
        return self.changed + self.appeared + self.vanished

    def count(self, kind: str, where: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        self.where[f"{kind:8} {where}"] += 1

    def add(self, other: Diff) -> None:
        self.changed += other.changed
        self.appeared += other.appeared
        self.vanished += other.vanished
        self.other += other.other
        self.where.update(other.where)

    def summary(self) -> str:
        return (
            f"{self.changed} changed, {self.appeared} appeared, {self.vanished} vanished, "
            f"{self.other} other"
        )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same_number(a: float, b: float, tol: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def _tells_apart(items: list[dict[str, Any]], combo: tuple[str, ...]) -> bool:
    if not all(k in item for item in items for k in combo):
        return False
    return len({tuple(str(item[k]) for k in combo) for item in items}) == len(items)


def _record_key(
    items: list[dict[str, Any]], known: tuple[str, ...] | None = None
) -> tuple[str, ...] | None:
    """The fewest string fields (at most three) whose values tell the records apart, ids
    before names: so ``scores[score=overall]`` still means the same score when the order of
    the list changes. ``known`` (the key the other dump's list had) wins when it still works,
    so a field added on one side does not rename every path."""
    if known is not None and _tells_apart(items, known):
        return known
    if len(items) < 2:
        return None
    fields = [
        k
        for k, v in items[0].items()
        if isinstance(v, str | int) and not isinstance(v, bool)
    ]  # fmt: skip
    idlike = [k for k in fields if all(" " not in str(item.get(k, "")) for item in items)]
    ordered = idlike + [k for k in fields if k not in idlike]
    for size in (1, 2, 3):
        for combo in combinations(ordered, size):
            if _tells_apart(items, combo):
                return combo
    return None


def flatten(
    value: Any, path: str = "", keys: dict[str, tuple[str, ...] | None] | None = None
) -> dict[str, Any]:
    """JSON as ``path -> leaf``, lists of records keyed by :func:`_record_key`. ``keys``
    remembers the key chosen for each list (by its path with the keys left out), so that the
    second dump flattened with the same dict reuses the first one's keys."""
    keys = {} if keys is None else keys
    if isinstance(value, dict):
        leaves: dict[str, Any] = {}
        for key, item in value.items():
            if key not in IGNORED_JSON_KEYS:
                leaves.update(flatten(item, f"{path}.{key}" if path else str(key), keys))
        return leaves
    if isinstance(value, list):
        if not value:
            return {path: []}
        shape = _shape(path)
        key = None
        if all(isinstance(v, dict) for v in value):
            key = _record_key(value, keys.get(shape))
            keys.setdefault(shape, key)
        leaves = {}
        for index, item in enumerate(value):
            label = ",".join(f"{k}={item[k]}" for k in key) if key else str(index)
            leaves.update(flatten(item, f"{path}[{label}]", keys))
        return leaves
    return {path: value}


def _shape(path: str) -> str:
    """``path`` with its list keys and indices left out: ``genders[].label``."""
    return re.sub(r"\[[^]]*\]", "[]", path)


def compare_json(before: Any, after: Any, tol: float, n_examples: int) -> Diff:
    keys: dict[str, tuple[str, ...] | None] = {}
    a, b = flatten(before, keys=keys), flatten(after, keys=keys)
    diff = Diff()
    examples: dict[str, list[str]] = {k: [] for k in ("changed", "appeared", "vanished", "other")}
    for path in sorted(a.keys() | b.keys()):
        old, new = a.get(path, ...), b.get(path, ...)
        if old is ...:
            kind = "appeared" if _is_number(new) else "other"
        elif new is ...:
            kind = "vanished" if _is_number(old) else "other"
        elif _is_number(old) and _is_number(new):
            kind = "" if _same_number(old, new, tol) else "changed"
        elif _is_number(old) and new is None:
            kind = "vanished"
        elif old is None and _is_number(new):
            kind = "appeared"
        else:
            kind = "" if old == new else "other"
        if not kind:
            continue
        # A field added, dropped or renamed shows by its shape, counted once per list.
        absent = " (new field)" if old is ... else " (field gone)" if new is ... else ""
        diff.count(kind, _shape(path) + absent)
        if len(examples[kind]) < n_examples:
            show = [repr(x) if x is not ... else "(absent)" for x in (old, new)]
            examples[kind].append(f"{kind:8} {path}: {show[0]} -> {show[1]}")
    # Figures first; then other values, up to the same number of examples in all.
    shown = [line for kind in ("changed", "vanished", "appeared") for line in examples[kind]]
    diff.examples = shown[:n_examples] + examples["other"][: max(1, n_examples - len(shown))]
    return diff


def _as_float(text: str) -> float | None:
    try:
        return float(text.replace(",", "").replace("−", "-").rstrip("%"))
    except ValueError:
        return None


def _compare_value(a: str | None, b: str | None, diff: Diff, tol: float | None, where: str) -> str:
    """Count one figure (a number, or in CSV a cell) that is in either output: ``tol`` for
    numbers read from data, exact for numbers as printed (``tol`` None). Returns the kind of
    difference, "" for none."""
    x = None if a is None else _as_float(a)
    y = None if b is None else _as_float(b)
    if x is not None and y is not None:
        same = _same_number(x, y, tol) if tol is not None else a == b
        kind = "" if same else "changed"
    elif x is not None:
        kind = "vanished"  # in CSV, a blank cell: the figure is hidden now
    elif y is not None:
        kind = "appeared"
    else:
        kind = "" if (a or "") == (b or "") else "other"
    if kind:
        diff.count(kind, where)
    return kind


def _unified(old: list[str], new: list[str], n_lines: int) -> list[str]:
    unified = difflib.unified_diff(old, new, n=0, lineterm="")
    next(unified, None), next(unified, None)  # the ---/+++ header: the output is named
    return [x if len(x) <= 160 else x[:157] + "..." for x in _limited(unified, n_lines)]


def _line_place(line: str) -> str:
    return "line " + NUMBER.sub("#", line)[:70]


def compare_text(before: str, after: str, n_diff_lines: int) -> Diff:
    """Lines matched as a diff does. Within each changed block the figures are matched as a
    multiset, so a figure that only moved (a sentence reworded, a table's columns reordered)
    is not counted; of those left, as many as both sides have count as changed, the rest as
    appeared or vanished. A changed line with no figure left over counts as other."""
    old, new = before.splitlines(), after.splitlines()
    diff = Diff()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pool_old = Counter(x for line in old[i1:i2] for x in NUMBER.findall(line))
        pool_new = Counter(x for line in new[j1:j2] for x in NUMBER.findall(line))
        gone = _left_over(old[i1:i2], pool_new)
        added = _left_over(new[j1:j2], pool_old)
        n_changed = min(len(gone), len(added))
        for k, place in enumerate(added):
            diff.count("changed" if k < n_changed else "appeared", place)
        for place in gone[n_changed:]:
            diff.count("vanished", place)
        if not gone and not added:
            for line in old[i1:i2] or new[j1:j2]:
                diff.count("other", _line_place(line))  # the same figures in other words
    if diff.figures or diff.other:
        diff.examples = _unified(old, new, n_diff_lines)
    return diff


def _left_over(lines: list[str], other: Counter[str]) -> list[str]:
    """Where each figure of ``lines`` is that ``other`` (the other side's figures) lacks."""
    spare = Counter(other)
    places = []
    for line in lines:
        for figure in NUMBER.findall(line):
            if spare[figure]:
                spare[figure] -= 1
            else:
                places.append(_line_place(line))
    return places


def _csv_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    if not rows:
        return [], []
    header = rows[0]
    return header, [dict(zip(header, row, strict=False)) for row in rows[1:]]


def compare_csv(before: str, after: str, tol: float, n_diff_lines: int) -> Diff:
    """Rows matched as a diff does on the columns both sides have; cells compared by column,
    so a column added, dropped or renamed counts its own cells only."""
    if before.startswith("HTTP ") or after.startswith("HTTP "):
        return compare_text(before, after, n_diff_lines)
    old_header, old_rows = _csv_rows(before)
    new_header, new_rows = _csv_rows(after)
    common = [c for c in old_header if c in new_header]
    columns = common + [c for c in old_header + new_header if c not in common]
    diff = Diff()

    def signature(row: dict[str, str]) -> tuple[str, ...]:
        return tuple(row.get(c, "") for c in common)

    matcher = difflib.SequenceMatcher(
        None, [signature(r) for r in old_rows], [signature(r) for r in new_rows], autojunk=False
    )
    if old_header != new_header:
        gone = [c for c in old_header if c not in new_header]
        added = [c for c in new_header if c not in old_header]
        diff.examples.append(f"columns: - {gone or '(none)'} + {added or '(none)'}")
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" and old_header == new_header:
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            a = old_rows[i1 + k] if k < i2 - i1 else {}
            b = new_rows[j1 + k] if k < j2 - j1 else {}
            for column in columns:
                kind = _compare_value(a.get(column), b.get(column), diff, tol, f"column {column}")
                if kind and len(diff.examples) < n_diff_lines:
                    where = f"row {(i1 if a else j1) + k + 1} ({_row_label(a or b, common)})"
                    old, new = a.get(column, "(absent)"), b.get(column, "(absent)")
                    diff.examples.append(f"{kind:8} {where} {column}: {old!r} -> {new!r}")
    return diff


def _row_label(row: dict[str, str], columns: list[str]) -> str:
    """The row's first few words (its non-numeric cells): what the row is about."""
    words = [row[c] for c in columns if row.get(c) and _as_float(row[c]) is None]
    return ", ".join(words[:3])[:60]


def _limited(lines: Iterator[str], limit: int) -> Iterator[str]:
    for k, line in enumerate(lines):
        if k == limit:
            yield "..."
            return
        yield line


def _outputs(folder: Path) -> set[str]:
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }


def mask_volatile(text: str) -> str:
    """``text`` with the dates and times of the run itself replaced (see :data:`VOLATILE`)."""
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def _masked_json(value: Any) -> Any:
    if isinstance(value, str):
        return mask_volatile(value)
    if isinstance(value, dict):
        return {k: _masked_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked_json(v) for v in value]
    return value


@dataclass(frozen=True)
class CompareOptions:
    tol: float = 1e-9
    n_examples: int = 5
    n_diff_lines: int = 12
    n_where: int = 12
    mask: bool = True
    each: bool = False


def diff_output(name: str, old: str, new: str, options: CompareOptions) -> Diff:
    """How output ``name`` differs between its two texts (JSON, CSV or text by its suffix)."""
    if name.endswith(".json"):
        a, b = json.loads(old), json.loads(new)
        if options.mask:
            a, b = _masked_json(a), _masked_json(b)
        return compare_json(a, b, options.tol, options.n_examples)
    if options.mask:
        old, new = mask_volatile(old), mask_volatile(new)
    if name.endswith(".csv"):
        return compare_csv(old, new, options.tol, options.n_diff_lines)
    return compare_text(old, new, options.n_diff_lines)


def _print_manifest(folder: Path) -> None:
    manifest = folder / "manifest.json"
    if not manifest.exists():
        print(f"{folder}: no manifest.json (not a finished dump?)")
        return
    info = json.loads(manifest.read_text(encoding="utf-8"))
    if info.get("incomplete"):
        print(f"{folder}: an INCOMPLETE dump (it stopped before the end)")
        return
    failures = info.get("failures", {})
    print(
        f"{folder}: {info.get('learnsurvey')}, {info.get('files')} files, "
        f"{len(failures)} failed, {info.get('seconds', {}).get('total')} s"
    )
    for name, failure in list(failures.items())[:5]:
        print(f"    failed {name}: {failure}")


def family(name: str) -> str:
    """The output with its school or trust left out: ``api/schools/*.json``."""
    return re.sub(r"/(schools|trusts)/[^/.]+", r"/\1/*", name)


def compare(before: Path, after: Path, options: CompareOptions) -> int:
    """Print how the outputs of ``after`` differ from ``before``; 1 if any does.

    By family of outputs (every school's API results, every school's scores table, ...): how
    many differ, the figures in all, where in the output they differ most often, and the
    first differing output's examples. With ``each``, every output instead, those that differ
    in exactly the same way printed once."""
    _print_manifest(before)
    _print_manifest(after)
    old_names, new_names = _outputs(before), _outputs(after)
    for name in sorted(old_names - new_names):
        print(f"only before: {name}")
    for name in sorted(new_names - old_names):
        print(f"only after:  {name}")
    diffs: dict[str, Diff] = {}
    for name in sorted(old_names & new_names):
        old = (before / name).read_text(encoding="utf-8")
        new = (after / name).read_text(encoding="utf-8")
        if old == new:
            continue
        diff = diff_output(name, old, new, options)
        if diff.figures or diff.other:  # not only ignored fields or numbers within tolerance
            diffs[name] = diff
    if options.each:
        _print_each(diffs)
    else:
        _print_families(diffs, Counter(family(n) for n in old_names | new_names), options)
    kinds: dict[str, Diff] = {}
    by_kind: Counter[str] = Counter()
    for name, diff in diffs.items():
        kinds.setdefault(name.split("/")[0], Diff()).add(diff)
        by_kind[name.split("/")[0]] += 1
    n_common, only = len(old_names & new_names), len(old_names ^ new_names)
    print(f"\nTotal: {len(diffs)} of {n_common} outputs differ; {only} on one side only.")
    for kind, diff in sorted(kinds.items()):
        print(f"    {kind:8} {by_kind[kind]:4} outputs: figures {diff.summary()}")
    return 1 if diffs or only else 0


def _print_each(diffs: dict[str, Diff]) -> None:
    groups: dict[tuple[str, ...], list[str]] = {}
    for name, diff in diffs.items():
        groups.setdefault((diff.summary(), *diff.examples), []).append(name)
    for (summary, *examples), names in groups.items():
        print(f"\n{names[0]}: {summary}")
        for example in examples:
            print(f"    {example}")
        if len(names) > 1:
            shown = ", ".join(names[1:6]) + (", ..." if len(names) > 6 else "")
            print(f"    (and {len(names) - 1} more outputs with the same changes: {shown})")


def _print_families(diffs: dict[str, Diff], sizes: Counter[str], options: CompareOptions) -> None:
    families: dict[str, list[str]] = {}
    for name in diffs:
        families.setdefault(family(name), []).append(name)
    for key, names in families.items():
        total = Diff()
        for name in names:
            total.add(diffs[name])
        print(f"\n{key}: {len(names)} of {sizes[key]} differ; figures {total.summary()}")
        for where, count in total.where.most_common(options.n_where):
            print(f"    {count:6} × {where}")
        if len(total.where) > options.n_where:
            print(f"    ... and {len(total.where) - options.n_where} more places")
        print(f"  e.g. {names[0]}:")
        for example in diffs[names[0]].examples:
            print(f"    {example}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    dump_cmd = commands.add_parser("dump", help="build the demo wave and write its outputs")
    dump_cmd.add_argument("--out", type=Path, required=True, help="folder (replaced)")
    dump_cmd.add_argument("--keep-db", action="store_true", help="keep the SQLite database")
    dump_cmd.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["api", "exports", "reports", "pages"],
        help="leave out a kind of output (repeatable)",
    )
    cmp_cmd = commands.add_parser("compare", help="compare two dumps")
    cmp_cmd.add_argument("before", type=Path)
    cmp_cmd.add_argument("after", type=Path)
    cmp_cmd.add_argument(
        "--tol", type=float, default=1e-9, help="relative and absolute, for JSON and CSV numbers"
    )
    cmp_cmd.add_argument("--examples", type=int, default=5, help="per JSON output")
    cmp_cmd.add_argument("--diff-lines", type=int, default=12, help="per text or CSV output")
    cmp_cmd.add_argument("--where", type=int, default=12, help="places listed per family")
    cmp_cmd.add_argument("--each", action="store_true", help="every output, not families")
    cmp_cmd.add_argument(
        "--keep-dates", action="store_true", help="compare the dates and times of the runs too"
    )
    args = parser.parse_args(argv)
    if args.command == "dump":
        return dump(args.out, keep=args.keep_db, skip=set(args.skip))
    options = CompareOptions(
        tol=args.tol,
        n_examples=args.examples,
        n_diff_lines=args.diff_lines,
        n_where=args.where,
        mask=not args.keep_dates,
        each=args.each,
    )
    return compare(args.before, args.after, options)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # piped into head: the reader has seen enough
        sys.stderr.close()
        sys.exit(1)
