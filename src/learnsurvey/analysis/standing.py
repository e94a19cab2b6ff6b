"""Where a school stands on a score: against each benchmark, in absolute terms, and whether
a dimension is a strength or an area to work on. Django-free.

Against a benchmark
-------------------
The verdict reads the 95% confidence interval of Hedges' g of the school's pupils against
the benchmark's: **above** when the whole interval is above 0, **below** when it is wholly
below 0, **within** when it contains 0, **unknown** when no comparison is shown (hidden by
disclosure, or no such benchmark). Nothing is called above or below that its interval does
not support.

Absolute level
--------------
The band the school's mean falls in (the instrument's bands, e.g. 3.4 to 4.2 "quite high").
A mean in one of the instrument's ``high_bands`` is a *high* level; a mean in one of the
same number of bands at the bottom of the scale is a *low* level.

Strengths and areas to work on
------------------------------
A benchmark says how a school compares; the band says how its pupils actually answer. A
school clearly above all schools on a dimension where only a fifth of its pupils are quite
or very high has not found a strength, and a school clearly below similar schools has
something to work on even when it is above the wave as a whole. Hence, for a dimension:

* **strength** — clearly above at least one benchmark shown, clearly below none, *and* the
  mean at a high level;
* **priority** (an area to work on) — clearly below at least one benchmark shown, *or* the
  mean at a low level;
* **neither** otherwise; **unknown** when the school's own mean is hidden.

The two cannot both hold. The lists are given in the instrument's order: dimensions whose
intervals overlap cannot be ranked.
"""

from __future__ import annotations

from typing import Literal

from learnsurvey.instruments import Instrument

__all__ = ["Standing", "Verdict", "band_of", "level", "standing", "verdict"]

Verdict = Literal["above", "below", "within", "unknown"]
Standing = Literal["strength", "priority", "neither", "unknown"]
Level = Literal["high", "low", "middle", "unknown"]


def verdict(ci_low: float | None, ci_high: float | None) -> Verdict:
    """``above`` when the interval lies wholly above 0, ``below`` when wholly below."""
    if ci_low is None or ci_high is None:
        return "unknown"
    if ci_low > 0:
        return "above"
    if ci_high < 0:
        return "below"
    return "within"


def band_of(mean: float | None, instrument: Instrument) -> str | None:
    """The id of the instrument band ``mean`` falls in (a band holds its own minimum)."""
    if mean is None:
        return None
    found = None
    for band in instrument.bands:
        # The same tolerance as the pupil bands: 3.4 computed as 3.3999999 is still 3.4.
        if mean + 1e-9 >= band.min:
            found = band.id
    return found


def level(band: str | None, instrument: Instrument) -> Level:
    """``high`` for a high band, ``low`` for one of as many bands at the bottom."""
    if band is None:
        return "unknown"
    ids = [b.id for b in instrument.bands]
    if band in instrument.high_bands:
        return "high"
    if band in ids[: len(instrument.high_bands)]:
        return "low"
    return "middle"


def standing(verdicts: list[Verdict], at: Level) -> Standing:
    """Strength, priority or neither from the verdicts against every benchmark and the
    absolute level (see the module's docstring for the rule)."""
    if at == "unknown":
        return "unknown"
    if "below" in verdicts or at == "low":
        return "priority"
    if "above" in verdicts and at == "high":
        return "strength"
    return "neither"
