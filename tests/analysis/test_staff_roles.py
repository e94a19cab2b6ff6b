"""Staff roles as data: the instrument's roles, a staff file's ``role`` column read into
``ReportInputs.staff_by_role``, and rule 8's clearing of roles beside all staff."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from learnsurvey.analysis.inputs import inputs_from_files
from learnsurvey.instruments import Instrument, load_instrument
from learnsurvey.io import read_responses
from learnsurvey.io.errors import ResponseDataError
from learnsurvey.stats.disclosure import suppress_roles

PUPILS = load_instrument("learning-survey")
STAFF = load_instrument("staff-survey")


def test_it_reads_the_staff_roles_from_the_instrument() -> None:
    assert STAFF.demographics.role_ids == ["teacher", "teaching_assistant", "leader", "other"]
    assert all(r.name for r in STAFF.demographics.roles)
    assert PUPILS.demographics.roles == ()


def test_it_refuses_a_role_id_given_twice() -> None:
    data = STAFF.model_dump()
    data["demographics"]["roles"] = [{"id": "teacher", "name": "A"}, {"id": "teacher", "name": "B"}]
    with pytest.raises(ValueError, match="duplicate role ids"):
        Instrument.model_validate(data)


def test_it_refuses_a_translated_role_the_instrument_lacks() -> None:
    data = STAFF.model_dump()
    data["translations"] = {
        "cy": {
            "language": "cy",
            "language_name": "Cymraeg",
            "name": "Arolwg",
            "scale_labels": list(STAFF.scale.labels),
            "roles": {"teacher": "Athro", "janitor": "Gofalwr"},
            "items": {i.id: i.text.model_dump() for i in STAFF.items},
        }
    }
    with pytest.raises(ValueError, match="unknown roles"):
        Instrument.model_validate(data)


def _write(path: Path, inst: Instrument, rows: list[dict[str, object]]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _rows(inst: Instrument, school: str, n: int, **extra: object) -> list[dict[str, object]]:
    rng = np.random.default_rng(len(school) + n)
    return [
        {
            "school": school,
            "wave": "w1",
            **extra,
            **{i.id: int(rng.integers(1, 6)) for i in inst.items},
        }
        for _ in range(n)
    ]


def test_it_reads_a_staff_file_by_role(tmp_path: Path) -> None:
    pupils = _write(tmp_path / "p.csv", PUPILS, _rows(PUPILS, "A", 12, key_stage="KS2"))
    staff_rows = (
        _rows(STAFF, "A", 7, role="teacher")
        + _rows(STAFF, "A", 3, role="Leader ")
        + _rows(STAFF, "A", 2, role="")
    )
    staff = _write(tmp_path / "s.csv", STAFF, staff_rows)
    inputs = inputs_from_files(pupils, PUPILS, threshold=10, staff=staff, staff_instrument=STAFF)
    assert inputs.staff is not None
    assert int(inputs.staff.responses["n"].sum()) == 12
    assert sorted(inputs.staff_by_role) == ["leader", "teacher"]
    assert int(inputs.staff_by_role["teacher"].responses["n"].sum()) == 7
    assert int(inputs.staff_by_role["leader"].responses["n"].sum()) == 3
    chunk = next(read_responses(pupils, PUPILS))
    assert chunk.role is None  # the pupils' path reads no role


def test_it_names_the_row_of_an_unknown_role(tmp_path: Path) -> None:
    rows = _rows(STAFF, "A", 3, role="teacher")
    rows[1]["role"] = "caretaker"
    path = _write(tmp_path / "s.csv", STAFF, rows)
    with pytest.raises(ResponseDataError, match="caretaker") as err:
        list(read_responses(path, STAFF))
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "role")]


# --- rule 8: roles beside all staff ----------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "teachers", "leaders"),
    [
        ([30, 10, 8], True, True),  # every group large
        ([30, 3, 10], True, False),  # the rest hides the leaders
        ([20, 3, 0], False, False),  # nobody else: the teachers would give the leaders away
        ([15, 6, 2], True, False),  # the leaders hide the two others
        ([4, 0, 0], False, True),  # a zero is shown: it describes nobody
    ],
)
def test_it_hides_a_role_that_all_staff_less_the_others_would_give_away(
    counts: list[int], teachers: bool, leaders: bool
) -> None:
    table = suppress_roles([counts], threshold=5, unshown=[2])
    assert (bool(table.cells[0, 0]), bool(table.cells[0, 1])) == (teachers, leaders)
    assert not table.cells[0, 2]  # the rest is never shown
    assert bool(table.units[0]) == (sum(counts) >= 5)


def test_it_keeps_a_schools_figures_and_hides_the_trusts_total_instead() -> None:
    # School 2's teachers go (its leaders and rest are 4 together); the trust's teachers
    # would then be school 2's plus school 1's shown: the trust's total goes, not school 1's.
    table = suppress_roles([[16, 6, 5], [18, 2, 2]], threshold=5, unshown=[2], margins=True)
    assert table.cells[0, 0]
    assert table.cells[0, 1]
    assert not table.cells[1, 0]
    assert not table.roles[0]
    assert table.total


def test_it_never_leaves_a_small_remainder_on_any_line() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        counts = rng.integers(0, 12, size=(int(rng.integers(1, 5)), 3)).astype(float)
        table = suppress_roles(counts, threshold=5, unshown=[2], margins=True)
        shown = table.cells.copy()  # the rest is never shown: the strictest reading
        for i in range(len(counts)):  # a school: all staff less its roles shown
            if table.units[i]:
                rest = counts[i].sum() - counts[i][shown[i]].sum()
                assert not 0 < rest < 5, (counts, table)
        for j in range(2):  # a role: the trust's total less its schools shown
            if table.roles[j]:
                rest = counts[:, j].sum() - counts[table.cells[:, j], j].sum()
                assert not 0 < rest < 5, (counts, table)
        if table.total:
            rest = counts.sum() - counts.sum(axis=1)[table.units].sum()
            assert not 0 < rest < 5, (counts, table)
