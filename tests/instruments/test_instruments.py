"""The built-in instruments, their translations, and the loader's error messages."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from learnsurvey.instruments import (
    Instrument,
    InstrumentError,
    builtin_instruments,
    load_instrument,
)

REPO = Path(__file__).parents[2]
TARGETS = REPO.parent / "shared" / "phase-one-targets.yaml"
MINIMAL_EXAMPLE = REPO / "docs" / "examples" / "minimal-instrument.yaml"

DIMENSION_IDS = [
    "expectations",
    "challenge",
    "aiming_high",
    "learning",
    "teachers_help",
    "enthusiastic_teachers",
    "errors_opportunities",
    "school_fair",
    "school_safe",
]
FACTOR_IDS = ["teachers", "learning", "safety"]
TRANSLATIONS = {"cy": "ltr", "pl": "ltr", "ur": "rtl"}


@pytest.fixture(scope="module")
def pupil() -> Instrument:
    return load_instrument("learning-survey")


@pytest.fixture(scope="module")
def staff() -> Instrument:
    return load_instrument("staff-survey")


def _minimal() -> dict[str, Any]:
    """A small valid instrument with only the contract fields."""
    return {
        "id": "tiny",
        "version": "1.0.0",
        "name": "Tiny",
        "scale": {"min": 1, "max": 5, "labels": ["SD", "D", "N", "A", "SA"]},
        "factors": [{"id": "f", "name": "F"}],
        "dimensions": [
            {"id": "one", "name": "One", "factor": "f", "description": "The first."},
            {"id": "two", "name": "Two", "factor": "f", "description": "The second."},
        ],
        "items": [
            {"id": "one_1", "dimension": "one", "text": {"primary": "a", "secondary": "A"}},
            {
                "id": "one_2",
                "dimension": "one",
                "reverse": True,
                "text": {"primary": "b", "secondary": "B"},
            },
            {"id": "two_1", "dimension": "two", "text": {"primary": "c", "secondary": "C"}},
        ],
    }


def _translation(item_ids: list[str]) -> dict[str, Any]:
    return {
        "language": "cy",
        "language_name": "Cymraeg",
        "name": "Bach",
        "scale_labels": ["1", "2", "3", "4", "5"],
        "items": {i: {"primary": "x", "secondary": "X"} for i in item_ids},
    }


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- the built-in instruments -----------------------------------------------------------------


def test_it_lists_both_builtins_and_not_their_translations() -> None:
    assert builtin_instruments() == ["learning-survey", "staff-survey"]


def test_it_loads_the_pupil_survey(pupil: Instrument) -> None:
    assert pupil.id == "learning-survey"
    assert pupil.version == "1.0.0"
    assert pupil.name == "The Learning Survey"
    assert pupil.audience == "pupils"
    assert pupil.language == "en-GB"
    assert pupil.description
    assert pupil.notes
    assert pupil.scale.min == 1
    assert pupil.scale.max == 5
    assert pupil.scale.labels == (
        "Strongly disagree",
        "Disagree",
        "Not sure",
        "Agree",
        "Strongly agree",
    )
    assert pupil.factor_ids == FACTOR_IDS
    assert [f.name for f in pupil.factors] == ["Teachers", "Learning", "Safety to Learn"]
    assert all(f.description for f in pupil.factors)
    assert pupil.dimension_ids == DIMENSION_IDS
    assert all(d.description for d in pupil.dimensions)


@pytest.mark.parametrize("instrument_id", ["learning-survey", "staff-survey"])
def test_it_has_four_items_per_dimension_named_after_it(instrument_id: str) -> None:
    inst = load_instrument(instrument_id)
    assert len(inst.items) == 36
    assert len(inst.dimensions) == 9
    assert len(inst.factors) == 3
    assert Counter(i.dimension for i in inst.items) == dict.fromkeys(DIMENSION_IDS, 4)
    for dim in inst.dimension_ids:
        assert [i.id for i in inst.items_of(dim)] == [f"{dim}_{n}" for n in range(1, 5)]


@pytest.mark.parametrize("instrument_id", ["learning-survey", "staff-survey"])
def test_it_has_the_phase_one_bands(instrument_id: str) -> None:
    inst = load_instrument(instrument_id)
    assert [(b.id, b.name, b.min) for b in inst.bands] == [
        ("very_low", "Very low", 1.0),
        ("quite_low", "Quite low", 1.8),
        ("medium", "Medium", 2.6),
        ("quite_high", "Quite high", 3.4),
        ("very_high", "Very high", 4.2),
    ]
    assert inst.high_bands == ("quite_high", "very_high")


def test_it_reverse_codes_the_naturally_negative_items(pupil: Instrument) -> None:
    reverse = [i.id for i in pupil.items if i.reverse]
    assert 6 <= len(reverse) <= 8
    per_dim = Counter(i.dimension for i in pupil.items if i.reverse)
    assert per_dim["errors_opportunities"] >= 2
    assert per_dim["school_fair"] >= 1
    assert per_dim["school_safe"] >= 1
    # Every dimension keeps a majority of positively worded items.
    assert all(n < 2 or dim == "errors_opportunities" for dim, n in per_dim.items())
    assert per_dim["errors_opportunities"] == 2


def test_it_words_pupil_items_for_both_age_groups(pupil: Instrument) -> None:
    for item in pupil.items:
        for text in (item.text.primary, item.text.secondary):
            assert text == text.strip()
            assert text[0].isupper()
            assert text.endswith(".")
            assert "  " not in text
        # Primary wording is for five- to eleven-year-olds: keep it short.
        assert len(item.text.primary.split()) <= 16, item.id
        assert item.text.primary != item.text.secondary or len(item.text.primary.split()) <= 6


def test_it_matches_the_phase_one_targets(pupil: Instrument) -> None:
    if not TARGETS.is_file():
        pytest.skip(f"{TARGETS} is not present (it lives outside the repository)")
    targets = yaml.safe_load(TARGETS.read_text(encoding="utf-8"))
    assert pupil.dimension_ids == [d["id"] for d in targets["dimensions"]]
    assert [d.name for d in pupil.dimensions] == [d["name"] for d in targets["dimensions"]]
    assert pupil.factor_ids == targets["factors"]
    assert len(pupil.items) == targets["sample"]["items"]
    # Each dimension sits under the factor it loads on most strongly in the pattern matrix.
    for dim_id, row in targets["pattern_matrix"].items():
        loadings = {f: row[f] for f in targets["factors"]}
        assert pupil.dimension(dim_id).factor == max(loadings, key=lambda f: loadings[f])
    assert set(targets["percent_quite_or_very_high"]) == set(pupil.dimension_ids)


def test_it_gives_staff_and_pupils_the_same_items(pupil: Instrument, staff: Instrument) -> None:
    assert staff.id == "staff-survey"
    assert staff.audience == "staff"
    assert staff.item_ids == pupil.item_ids
    assert staff.dimension_ids == pupil.dimension_ids
    assert staff.factor_ids == pupil.factor_ids
    assert staff.scale == pupil.scale
    assert [(d.id, d.factor) for d in staff.dimensions] == [
        (d.id, d.factor) for d in pupil.dimensions
    ]
    for s_item, p_item in zip(staff.items, pupil.items, strict=True):
        assert (s_item.dimension, s_item.reverse) == (p_item.dimension, p_item.reverse)
        assert s_item.text != p_item.text


def test_it_loads_the_three_draft_translations(pupil: Instrument) -> None:
    assert set(pupil.translations) == set(TRANSLATIONS)
    for lang, direction in TRANSLATIONS.items():
        tr = pupil.translations[lang]
        assert tr.language == lang
        assert tr.direction == direction
        assert tr.status == "draft"
        assert "native" in tr.review_note
        assert tr.language_name
        assert tr.name
        assert len(tr.scale_labels) == 5
        assert len(set(tr.scale_labels)) == 5
        assert list(tr.items) == pupil.item_ids
        assert set(tr.dimensions) == set(pupil.dimension_ids)
        assert set(tr.factors) == set(pupil.factor_ids)
        for item_id, text in tr.items.items():
            english = pupil.items[pupil.item_ids.index(item_id)].text
            assert text.primary.strip()
            assert text.secondary.strip()
            assert text.primary != english.primary, (lang, item_id)
    assert pupil.translations["ur"].language_name == "اردو"


def test_it_has_no_translations_for_staff(staff: Instrument) -> None:
    assert staff.translations == {}


# --- the format -------------------------------------------------------------------------------


def test_it_loads_a_minimal_file_with_default_bands(tmp_path: Path) -> None:
    inst = load_instrument(_write(tmp_path / "tiny.yaml", _minimal()))
    assert inst.audience == "pupils"
    assert inst.language == "en-GB"
    assert [b.id for b in inst.bands] == [
        "very_low",
        "quite_low",
        "medium",
        "quite_high",
        "very_high",
    ]
    assert [b.min for b in inst.bands] == [1.0, 1.8, 2.6, 3.4, 4.2]
    assert inst.high_bands == ("quite_high", "very_high")
    assert inst.translations == {}
    assert [i.reverse for i in inst.items] == [False, True, False]


def test_it_loads_the_documented_minimal_example() -> None:
    inst = load_instrument(MINIMAL_EXAMPLE)
    assert len(inst.factors) == 1
    assert len(inst.dimensions) == 2
    assert len(inst.items) == 3
    assert inst.high_bands == ("quite_high", "very_high")
    assert len(inst.bands) == 5
    contract = {"id", "version", "name", "scale", "factors", "dimensions", "items"}
    assert set(yaml.safe_load(MINIMAL_EXAMPLE.read_text(encoding="utf-8"))) == contract


def test_it_documents_the_minimal_example_verbatim() -> None:
    doc = (REPO / "docs" / "instrument-format.md").read_text(encoding="utf-8")
    example = MINIMAL_EXAMPLE.read_text(encoding="utf-8")
    body = "\n".join(line for line in example.splitlines() if not line.startswith("#"))
    assert body.strip() in doc


def test_it_reads_a_float_version_as_text(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(
        yaml.safe_dump(_minimal(), sort_keys=False).replace("version: 1.0.0", "version: 1.0"),
        encoding="utf-8",
    )
    assert "version: 1.0\n" in path.read_text(encoding="utf-8")
    assert load_instrument(path).version == "1.0"


# --- errors name the file and the place -------------------------------------------------------


def test_it_names_the_file_and_item_for_an_unknown_dimension(tmp_path: Path) -> None:
    data = _minimal()
    data["items"][2]["dimension"] = "nowhere"
    path = _write(tmp_path / "bad-dimension.yaml", data)
    with pytest.raises(InstrumentError) as err:
        load_instrument(path)
    msg = str(err.value)
    assert "bad-dimension.yaml" in msg
    assert "item 'two_1' names unknown dimension 'nowhere'" in msg


def test_it_names_the_location_of_a_field_error(tmp_path: Path) -> None:
    data = _minimal()
    data["items"][1]["text"]["primary"] = ""
    data["items"][2]["colour"] = "blue"
    path = _write(tmp_path / "bad-field.yaml", data)
    with pytest.raises(InstrumentError) as err:
        load_instrument(path)
    msg = str(err.value)
    assert "bad-field.yaml: 2 problem(s)" in msg
    assert "items[1].text.primary" in msg
    assert "items[2].colour" in msg


def test_it_rejects_the_wrong_number_of_scale_labels(tmp_path: Path) -> None:
    data = _minimal()
    data["scale"]["labels"] = ["No", "Maybe", "Yes", "Very"]
    path = _write(tmp_path / "bad-scale.yaml", data)
    with pytest.raises(InstrumentError) as err:
        load_instrument(path)
    msg = str(err.value)
    assert "bad-scale.yaml" in msg
    assert "scale: 4 labels given for a 1..5 scale; need 5" in msg


def test_it_rejects_a_duplicate_item_id(tmp_path: Path) -> None:
    data = _minimal()
    data["items"].append(copy.deepcopy(data["items"][0]))
    path = _write(tmp_path / "dupes.yaml", data)
    with pytest.raises(InstrumentError) as err:
        load_instrument(path)
    msg = str(err.value)
    assert "dupes.yaml" in msg
    assert "duplicate items ids: ['one_1']" in msg


def test_it_rejects_a_translation_missing_an_item(tmp_path: Path) -> None:
    path = _write(tmp_path / "tiny.yaml", _minimal())
    _write(tmp_path / "tiny.cy.yaml", _translation(["one_1", "one_2"]))
    with pytest.raises(InstrumentError) as err:
        load_instrument(path)
    msg = str(err.value)
    assert "tiny.cy.yaml" in msg  # the translation's own file, where the gap is
    assert "translation 'cy'" in msg
    assert "items missing ['two_1']" in msg


def test_it_names_the_translation_file_for_a_malformed_translation(tmp_path: Path) -> None:
    path = _write(tmp_path / "tiny.yaml", _minimal())
    tr = _translation(["one_1", "one_2", "two_1"])
    tr["direction"] = "up"
    _write(tmp_path / "tiny.cy.yaml", tr)
    with pytest.raises(InstrumentError) as err:
        load_instrument(path)
    msg = str(err.value)
    assert "tiny.cy.yaml" in msg
    assert "direction" in msg


def test_it_loads_a_complete_translation_from_a_sibling_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "tiny.yaml", _minimal())
    tr = _translation(["one_1", "one_2", "two_1"])
    tr.update(language="ur", language_name="اردو", direction="rtl")
    _write(tmp_path / "tiny.ur.yaml", tr)
    inst = load_instrument(path)
    assert list(inst.translations) == ["ur"]
    assert inst.translations["ur"].direction == "rtl"
    assert inst.translations["ur"].status == "draft"


def test_it_reports_malformed_yaml_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: broken\nitems: [\n  - id: one\n", encoding="utf-8")
    with pytest.raises(InstrumentError) as err:
        load_instrument(path)
    msg = str(err.value)
    assert "broken.yaml: not valid YAML" in msg
    assert "line" in msg


def test_it_rejects_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"list\.yaml: the top level must be a mapping"):
        load_instrument(path)


def test_it_lists_the_known_ids_for_an_unknown_builtin() -> None:
    with pytest.raises(InstrumentError) as err:
        load_instrument("no-such-survey")
    msg = str(err.value)
    assert "'no-such-survey'" in msg
    assert "learning-survey" in msg
    assert "staff-survey" in msg


def test_it_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match="no such instrument file"):
        load_instrument(tmp_path / "absent.yaml")
