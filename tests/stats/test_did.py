"""The difference in differences against R (lm + sandwich HC2 on warpbreaks)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from learnsurvey.stats.did import difference_in_differences

GOLDEN = json.loads((Path(__file__).parents[1] / "golden" / "did.json").read_text())


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_it_matches_r_hc2_and_satterthwaite(case: str) -> None:
    ref = GOLDEN[case]
    got = difference_in_differences(ref["n"], ref["mean"], ref["sd"]).iloc[0]
    for column in ("did", "se", "df", "ci_low", "ci_high"):
        assert got[column] == pytest.approx(ref[column], rel=1e-9), column


def test_it_is_nan_for_a_group_of_one() -> None:
    got = difference_in_differences([1, 20, 20, 20], [3, 3, 3, 3], [0, 1, 1, 1]).iloc[0]
    assert np.isnan(got["did"]) or np.isnan(got["ci_low"])


def test_it_refuses_three_groups() -> None:
    with pytest.raises(ValueError, match="4 in the last axis"):
        difference_in_differences([1, 2, 3], [1, 2, 3], [1, 1, 1])
