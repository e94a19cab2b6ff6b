"""Does the analysis find the planted changes? (a developer's check, and the tests' helper)

``python -m learnsurvey.synth.waves_check --seeds 24`` generates the three-wave series of
seeds 1..24 (87 Phase One sized schools), reads each back from a file as ``learnsurvey
analyse`` would, and compares every school's dimension scores between consecutive waves
with Welch's 95% CI; it prints, per seed, how many planted changes came out clear in their
direction and what share of the comparisons with nothing planted came out clear. The rates
are stated in docs/synthetic-data.md and checked by ``tests/synth/test_waves.py``.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from learnsurvey.analysis.groups import group_summary
from learnsurvey.analysis.inputs import split_waves
from learnsurvey.instruments import load_instrument
from learnsurvey.io import write_responses
from learnsurvey.io.responses import read_responses
from learnsurvey.stats.effects import welch_difference

from .model import ResponseModel
from .params import load_params
from .waves import SyntheticWaves, plan_waves

__all__ = ["found_changes", "recovery_rates"]


def found_changes(series: SyntheticWaves, folder: Path) -> pd.DataFrame:
    """Every school's change on every dimension between consecutive waves as the analysis
    finds it — columns school, dimension, wave (the later one), difference, low, high
    (Welch's 95% CI, later minus earlier) — with the planted ``shift`` (NaN where none was
    planted). The series is written to ``folder`` and read back as a responses file."""
    instrument = series.model.instrument
    path = folder / "waves.parquet"
    write_responses(path, series.tables())
    waves = split_waves(read_responses(path, instrument), instrument)
    scores = {label: group_summary(w.stats, ["school"]) for label, w in waves.items()}
    rows = []
    for a, b in itertools.pairwise(waves):
        both = scores[a].merge(scores[b], on=["school", "dimension"], suffixes=("_a", "_b"))
        diff, low, high = welch_difference(
            both["n_b"], both["mean_b"], both["sd_b"], both["n_a"], both["mean_a"], both["sd_a"]
        )
        both = both.assign(wave=b, difference=diff, low=low, high=high)
        rows.append(both[["school", "dimension", "wave", "difference", "low", "high"]])
    found = pd.concat(rows, ignore_index=True)
    planted = series.changes_frame()[["school", "dimension", "wave", "shift"]]
    return found.merge(planted, on=["school", "dimension", "wave"], how="left")


def recovery_rates(found: pd.DataFrame) -> dict[str, float]:
    """From :func:`found_changes`: how many changes were planted, the share of them clear
    in their direction, the share clear the other way, how many comparisons had nothing
    planted and the share of those that came out clear."""
    planted = found[found["shift"].notna()]
    up = planted["shift"].to_numpy() > 0
    clear_up = planted["low"].to_numpy() > 0
    clear_down = planted["high"].to_numpy() < 0
    rest = found[found["shift"].isna()]
    false_clear = (rest["low"] > 0) | (rest["high"] < 0)
    return {
        "planted": float(len(planted)),
        "planted_clear": float(np.where(up, clear_up, clear_down).mean()),
        "planted_wrong_way": float(np.where(up, clear_down, clear_up).mean()),
        "unplanted": float(len(rest)),
        "unplanted_clear": float(false_clear.mean()),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12, help="check seeds 1..N")
    parser.add_argument("--waves", type=int, default=3)
    args = parser.parse_args(argv)
    model = ResponseModel(load_instrument("learning-survey"), load_params("phase-one"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, args.seeds + 1):
            series = plan_waves(model, 29_940, 87, seed, args.waves)
            rows.append({"seed": seed, **recovery_rates(found_changes(series, Path(tmp)))})
    table = pd.DataFrame(rows)
    print(table.round(3).to_string(index=False))
    planted = (table["planted"] * table["planted_clear"]).sum() / table["planted"].sum()
    unplanted = (table["unplanted"] * table["unplanted_clear"]).sum() / table["unplanted"].sum()
    print(
        f"All seeds: {planted:.1%} of {int(table['planted'].sum())} planted changes clear in "
        f"their direction; {unplanted:.1%} of {int(table['unplanted'].sum())} comparisons "
        f"with nothing planted clear (range {table['unplanted_clear'].min():.1%} to "
        f"{table['unplanted_clear'].max():.1%})."
    )


if __name__ == "__main__":
    main()
