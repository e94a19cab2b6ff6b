"""How close the synthetic staff come to the seeds' optimism gradient (a developer's check).

``python -m learnsurvey.synth.staff_check [--seed 2021]`` generates the first synthetic wave
with its staff and prints, per dimension and group (pupils, then each staff role), the share
whose dimension score is quite or very high and that share's probit above the pupils'. The
target (``target_shares`` in ``params/staff.yaml``) is the Edurio example: a third of
pupils, 71% of teachers and 95% of principals agreeing, i.e. teachers 0.98 and leaders 2.08
above pupils on the probit scale, on the dimensions where the gap is largest (School is
Safe, whether pupils feel heard, and School is Fair).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.special import ndtri

from learnsurvey.analysis.scoring import ScoreLayout, band_codes, reverse_codes, score_answers
from learnsurvey.instruments import Instrument, load_instrument

from .model import ResponseModel
from .params import load_params
from .staff import StaffModel
from .staff_params import PUPILS
from .waves import plan_waves

__all__ = ["high_shares", "optimism_table"]


def high_shares(table: pa.Table, instrument: Instrument, groups: list[str]) -> pd.DataFrame:
    """Share (0–1) of respondents whose dimension score is quite or very high, per group
    label (one per row of ``table``) and dimension; long table (group, dimension, n,
    share)."""
    layout = ScoreLayout(instrument)
    answers = np.column_stack(
        [table.column(i).to_numpy(zero_copy_only=False) for i in instrument.item_ids]
    )
    codes = np.where(np.isnan(answers), -1, answers - instrument.scale.min).astype(np.int8)
    scores = score_answers(reverse_codes(codes, layout), layout)
    bands = band_codes(scores, layout)
    high = [k for k, b in enumerate(instrument.bands) if b.id in instrument.high_bands]
    rows = []
    labels = np.array(groups)
    for d, dim in enumerate(instrument.dimension_ids):
        answered = bands[:, d] >= 0
        is_high = np.isin(bands[:, d], high)
        for group in dict.fromkeys(groups):
            mine = (labels == group) & answered
            n = int(mine.sum())
            share = float(is_high[mine].mean()) if n else float("nan")
            rows.append({"group": group, "dimension": dim, "n": n, "share": share})
    return pd.DataFrame(rows)


def optimism_table(pupils: pa.Table, staff: pa.Table, model: StaffModel) -> pd.DataFrame:
    """Per dimension and group: n, the share quite or very high, and its probit above the
    pupils' share (``probit_gap``; 0 for the pupils)."""
    pupil_part = high_shares(pupils, model.pupils.instrument, [PUPILS] * pupils.num_rows)
    staff_part = high_shares(
        staff, model.instrument, [str(r) for r in staff.column("role").to_pylist()]
    )
    table = pd.concat([pupil_part, staff_part], ignore_index=True)
    base = table[table.group == PUPILS].set_index("dimension")["share"]
    share = table["share"].to_numpy(float).clip(1e-4, 1 - 1e-4)
    pupils_share = base.loc[table["dimension"]].to_numpy(float).clip(1e-4, 1 - 1e-4)
    table["probit_gap"] = ndtri(share) - ndtri(pupils_share)
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)
    model = ResponseModel(load_instrument("learning-survey"), load_params("phase-one"))
    staff = StaffModel.default(model, load_instrument("staff-survey"))
    series = plan_waves(model, 29_940, 87, args.seed, 1)
    first = series.waves[0]
    table = optimism_table(
        pa.concat_tables(list(series.tables(first))), staff.wave_table(series, first), staff
    )
    wide = table.pivot(index="dimension", columns="group", values="probit_gap")
    shares = table.pivot(index="dimension", columns="group", values="share")
    print(f"Share quite or very high, % (first wave, seed {args.seed}):")
    print((100 * shares).round(0).to_string())
    gaps = staff.params.target_probit_gaps().items()
    targets = ", ".join(f"{role} {gap:.2f}" for role, gap in gaps)
    where = " and ".join(staff.params.target_dimensions)
    print(f"Probit above the pupils' share (target on {where}: {targets}):")
    print(wide.round(2).to_string())


if __name__ == "__main__":
    main()
