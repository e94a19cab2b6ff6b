"""What the trust report calls each score and school."""

from __future__ import annotations

from learnsurvey.instruments import Instrument

__all__ = ["score_names"]


def score_names(inst: Instrument) -> dict[str, str]:
    """Each dimension's, notion's and the overall score's name by its id."""
    names = {d.id: d.name for d in inst.dimensions}
    names |= {f.id: f.name for f in inst.factors}
    names["overall"] = "Overall"
    return names
