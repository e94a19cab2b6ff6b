"""Pieces shared by the sections of the global report: the section model, what every section
builder reads (:class:`GlobalContext`), school names and pseudonyms, and labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from string import ascii_uppercase
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from learnsurvey.instruments import Instrument

from . import format as fmt
from .charts import Chart, Table
from .inputs import ReportInputs

__all__ = [
    "HEDGES",
    "RAUDENBUSH",
    "Gettext",
    "GlobalContext",
    "Namer",
    "Section",
    "as_float",
    "dimension_name",
    "factor_name",
    "g_cell",
    "g_table",
    "high_bands",
    "label",
    "loading",
    "of_total",
    "published_value",
    "sentence",
    "unavailable",
]

Gettext = Callable[[str], str]
HEDGES = (
    "Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and "
    "related estimators. Journal of Educational Statistics, 6, 107–128."
)
RAUDENBUSH = (
    "Raudenbush, S. W. & Bryk, A. S. (2002). Hierarchical Linear Models (2nd ed.). Sage, "
    "ch. 3 (empirical Bayes estimates)."
)


class Section(BaseModel):
    """One numbered section of the global report, already formatted and suppressed."""

    model_config = ConfigDict(frozen=True)

    id: str
    heading: str
    lead: list[str] = []
    """Paragraphs that say what the section finds, in words."""
    charts: list[Chart] = []
    tables: list[Table] = []
    method: list[str] = []
    """The method note: what was computed and how."""
    references: list[str] = []
    published: list[str] = []
    """What the published Phase One report said on the same question (when given it)."""
    unavailable: str | None = None
    """Why the section's figures cannot be shown (then it has no charts or tables)."""


class Namer:
    """School names for a report anyone may read.

    A school is named only when it opted in to being named in research
    (``research_opt_in``); every other school gets a pseudonym ("School A", "School B", …),
    the same one wherever it appears in the report, in order of first mention."""

    def __init__(self, schools: pd.DataFrame, gettext: Gettext | None = None) -> None:
        self._ = gettext or _same
        self._names: dict[str, str] = {}
        for row in schools.itertuples(index=False):
            if bool(row.research_opt_in):
                self._names[str(row.school)] = str(row.name)
        self._pseudonyms: dict[str, str] = {}

    def named(self, school: str) -> bool:
        return school in self._names

    def __call__(self, school: str) -> str:
        if school in self._names:
            return self._names[school]
        if school not in self._pseudonyms:
            letters = _letters(len(self._pseudonyms))
            self._pseudonyms[school] = self._("School %(letters)s") % {"letters": letters}
        return self._pseudonyms[school]


def _same(text: str) -> str:
    return text


def _letters(k: int) -> str:
    """0 → A, 25 → Z, 26 → AA, … (spreadsheet column names)."""
    out = ""
    k += 1
    while k:
        k, rest = divmod(k - 1, 26)
        out = ascii_uppercase[rest] + out
    return out


@dataclass
class GlobalContext:
    """What every section builder reads: the inputs, the wave tables (None when they cannot
    be computed, with ``failure`` saying why in words), the published figures (or None)."""

    inputs: ReportInputs
    tables: dict[str, pd.DataFrame] | None
    failure: str
    published: dict[str, Any] | None
    namer: Namer
    has_context: bool
    gettext: Gettext = field(default=_same)
    """Translates the report's words (British English when None is given)."""

    @property
    def inst(self) -> Instrument:
        return self.inputs.instrument

    @property
    def threshold(self) -> int:
        return self.inputs.threshold


def dimension_name(inst: Instrument, dimension: str) -> str:
    """The instrument's name of a dimension id (or of a notion id, or "Overall")."""
    for d in inst.dimensions:
        if d.id == dimension:
            return d.name
    return factor_name(inst, dimension)


def factor_name(inst: Instrument, factor: str, gettext: Gettext = _same) -> str:
    for f in inst.factors:
        if f.id == factor:
            return f.name
    return gettext("Overall") if factor == "overall" else label(factor)


def label(value: object) -> str:
    """A code as words: ``requires_improvement`` → "Requires improvement", ``KS3`` stays."""
    text = str(value)
    if text.isupper() or any(ch.isdigit() for ch in text):
        return text
    text = text.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def loading(value: object) -> str:
    """A loading or correlation to two decimals with a true minus sign."""
    return fmt.number(value).replace("-", "\u2212")


def high_bands(inst: Instrument, gettext: Gettext = _same) -> str:
    """The high bands in words, e.g. "quite high or very high"."""
    return gettext(" or ").join(b.name.lower() for b in inst.bands if b.id in inst.high_bands)


def g_cell(g: object, low: object, high: object) -> str:
    """An effect size over its interval, on two lines of a table cell."""
    return f"{fmt.signed(g)}\n{fmt.ci(low, high)}"


def g_table(
    caption: str, columns: list[str], rows: list[list[str]], note: str, _: Gettext
) -> Table:
    """Effect sizes over their intervals (:func:`g_cell`): a row per dimension (its name
    first), a column per comparison, headed ``columns``; ``note`` says which way g points."""
    return Table(
        caption=caption,
        columns=[_("Dimension"), *columns],
        rows=rows,
        numeric=[False] + [True] * len(columns),
        notes=[note],
    )


def unavailable(ctx: GlobalContext, section_id: str, heading: str) -> Section:
    """A section that says the wave's tables cannot be computed."""
    return Section(id=section_id, heading=heading, unavailable=ctx.failure)


def as_float(value: Any) -> float:
    """A table cell as a float (pandas types its cells loosely)."""
    return float(value)


def published_value(ctx: GlobalContext, key: str, *path: str) -> Any:
    """A published figure from the normalised mapping (see ``load_published``), or None."""
    if ctx.published is None:
        return None
    value: Any = ctx.published.get(key)
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def sentence(text: object) -> str:
    """A published finding as a sentence: capital first letter, full stop at the end."""
    words = str(text).strip()
    words = words[:1].upper() + words[1:]
    return words if words.endswith((".", "!", "?")) else words + "."


def of_total(k: int, n: int, gettext: Gettext = _same) -> str:
    """How many of ``n`` things, in words: "all 9", "none of the 9" or "4 of 9"."""
    _ = gettext
    if k == n:
        return _("all %(n)s") % {"n": n} if n != 2 else _("both")
    if k == 0:
        return _("none of the %(n)s") % {"n": n}
    return _("%(k)s of %(n)s") % {"k": k, "n": n}
