"""Ids as users write them (``A1``, ``Q12_b``, ``SchoolFair``), and one message per problem.

``fixtures/bfi.yaml`` is psych's ``bfi`` (Revelle, the IPIP Big Five items) written as it
comes: its column names as item ids and psych's own key file as the dimensions.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from learnsurvey.instruments import InstrumentError, load_instrument

BFI = Path(__file__).parent / "fixtures" / "bfi.yaml"
# psych's bfi.keys: the items each scale scores, a minus sign marking a reverse-keyed item.
BFI_KEYS = {
    "agree": ["-A1", "A2", "A3", "A4", "A5"],
    "conscientious": ["C1", "C2", "C3", "-C4", "-C5"],
    "extraversion": ["-E1", "-E2", "E3", "E4", "E5"],
    "neuroticism": ["N1", "N2", "N3", "N4", "N5"],
    "openness": ["O1", "-O2", "O3", "O4", "-O5"],
}
FACTORS = ["Agreeableness", "Conscientiousness", "Extraversion", "Neuroticism", "Openness"]


def _instrument(item_ids: list[str], dimension: str = "SchoolFair") -> dict[str, Any]:
    return {
        "id": "ids",
        "version": "1",
        "name": "Ids",
        "scale": {"min": 1, "max": 5, "labels": ["1", "2", "3", "4", "5"]},
        "factors": [{"id": "Safety", "name": "Safety"}],
        "dimensions": [{"id": dimension, "name": "Fair", "factor": "Safety"}],
        "items": [
            {"id": i, "dimension": dimension, "text": {"primary": i, "secondary": i}}
            for i in item_ids
        ],
    }


def _load(tmp_path: Path, data: dict[str, Any]) -> Any:
    path = tmp_path / "ids.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_instrument(path)


def _error(tmp_path: Path, data: dict[str, Any]) -> str:
    with pytest.raises(InstrumentError) as info:
        _load(tmp_path, data)
    return str(info.value)


def test_it_loads_psychs_bfi_with_its_own_column_names_and_keys() -> None:
    bfi = load_instrument(BFI)
    assert bfi.item_ids == [f"{letter}{n}" for letter in "ACENO" for n in range(1, 6)]
    assert bfi.factor_ids == FACTORS
    assert bfi.scale.n_categories == 6
    for dimension, keyed in BFI_KEYS.items():
        items = bfi.items_of(dimension)
        assert [("-" if i.reverse else "") + i.id for i in items] == keyed
    assert [i.id for i in bfi.items if i.reverse] == ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
    assert bfi.demographics.genders == ("1", "2")


@pytest.mark.parametrize(
    "item_ids",
    [["A1", "A2"], ["Q12_b", "Q12_c"], ["SchoolFair_1", "SchoolFair_2"], ["q1.a", "q-2"]],
)
def test_it_keeps_ids_exactly_as_written(tmp_path: Path, item_ids: list[str]) -> None:
    inst = _load(tmp_path, _instrument(item_ids))
    assert inst.item_ids == item_ids
    assert inst.dimension_ids == ["SchoolFair"]
    assert inst.factor_ids == ["Safety"]
    assert [i.id for i in inst.items_of("SchoolFair")] == item_ids


@pytest.mark.parametrize("bad", ["1A", "_a1", "A 1", "A1?", "é1", "x" * 61])
def test_it_says_what_an_id_may_be_made_of(tmp_path: Path, bad: str) -> None:
    message = _error(tmp_path, _instrument(["A2", bad]))
    assert "1 problem(s)" in message
    assert f"items[1].id: {bad!r} is not a usable id: start with a letter" in message


def test_it_refuses_two_ids_that_differ_only_in_case(tmp_path: Path) -> None:
    message = _error(tmp_path, _instrument(["A1", "a1"]))
    assert "ids that differ only in case among the items: 'A1' and 'a1'" in message


def test_it_refuses_a_dimension_named_like_an_item_in_another_case(tmp_path: Path) -> None:
    message = _error(tmp_path, _instrument(["fair", "Fair2"], dimension="Fair"))
    assert "ids used for both a dimension and an item: ['Fair']" in message


def test_it_reports_each_bad_item_once_and_not_the_empty_list_they_leave(
    tmp_path: Path,
) -> None:
    data = _instrument(["1a", "2a", "3a"])
    message = _error(tmp_path, data)
    lines = message.splitlines()
    assert lines[0].endswith("3 problem(s)")
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        "items[0].id",
        "items[1].id",
        "items[2].id",
    ]
    assert "at least 1 item" not in message


def test_it_still_reports_an_empty_list_that_was_written_empty(tmp_path: Path) -> None:
    data = copy.deepcopy(_instrument(["A1"]))
    data["items"] = []
    message = _error(tmp_path, data)
    assert "items: Tuple should have at least 1 item" in message


def test_it_reports_the_bad_factor_id_and_not_its_unusable_references(tmp_path: Path) -> None:
    data = _instrument(["A1"])
    data["factors"] = [{"id": "9Safety", "name": "Safety"}]
    message = _error(tmp_path, data)
    assert message.splitlines()[1:] == [
        "  factors[0].id: '9Safety' is not a usable id: start with a letter, then use only "
        "letters, digits, '_', '-' or '.' (at most 60 characters)"
    ]
