"""How the global report words its figures: names from the instrument, loadings, effect
sizes over their intervals, counts in words and published findings as sentences."""

from __future__ import annotations

from learnsurvey.analysis.labels import Gettext, code_label
from learnsurvey.instruments import Instrument

from .. import format as fmt
from ..charts import Table

__all__ = [
    "dimension_name",
    "factor_name",
    "g_cell",
    "g_table",
    "high_bands",
    "loading",
    "of_total",
    "sentence",
]


def _same(text: str) -> str:
    return text


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
    return gettext("Overall") if factor == "overall" else code_label(factor)


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
