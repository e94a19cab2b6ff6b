"""The instrument file format, validated with pydantic.

Field names of ``id``, ``version``, ``name``, ``scale``, ``factors``, ``dimensions`` and
``items`` are a public contract: other tools write these files. Everything else has a default.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

IDENT_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,59}")
"""An id as users write them in their data files (``A1``, ``Q12_b``, ``SchoolFair``)."""


def _check_ident(value: str) -> str:
    # Ids are the column names of the user's own data, so they are kept exactly as written:
    # their case is part of the name. The message says what is allowed rather than quoting
    # a regular expression.
    if not IDENT_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a usable id: start with a letter, then use only letters, "
            "digits, '_', '-' or '.' (at most 60 characters)"
        )
    return value


Ident = Annotated[str, AfterValidator(_check_ident)]
"""Item, dimension, factor and band ids: they name columns in data files and tables."""

KEY_STAGES: tuple[str, ...] = ("EYFS", "KS1", "KS2", "KS3", "KS4", "KS5")
GENDERS: tuple[str, ...] = ("boy", "girl", "other", "prefer_not_to_say")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(_Model):
    min: int
    max: int
    labels: tuple[str, ...]

    @model_validator(mode="after")
    def _labels_cover_scale(self) -> Scale:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        if len(self.labels) != self.max - self.min + 1:
            raise ValueError(
                f"{len(self.labels)} labels given for a {self.min}..{self.max} scale; "
                f"need {self.max - self.min + 1}"
            )
        return self

    @property
    def n_categories(self) -> int:
        return self.max - self.min + 1

    def reverse(self, value: float) -> float:
        return self.min + self.max - value


class Factor(_Model):
    id: Ident
    name: str
    description: str = ""


class Dimension(_Model):
    id: Ident
    name: str
    factor: Ident
    description: str = ""


class ItemText(_Model):
    primary: str = Field(min_length=1, description="Wording for KS1-KS2 (and EYFS), ages 5-11.")
    secondary: str = Field(min_length=1, description="Wording for KS3-KS5, ages 11-18.")


class Item(_Model):
    id: Ident
    dimension: Ident
    reverse: bool = False
    text: ItemText


class Band(_Model):
    id: Ident
    name: str
    min: float = Field(description="Lowest score in the band; a band runs up to the next min.")


class Role(_Model):
    """A staff role a response may record (a staff instrument's ``demographics.roles``)."""

    id: Ident
    name: str = Field(min_length=1, description="The role's label, in the instrument's language.")


class Demographics(_Model):
    key_stages: tuple[str, ...] = KEY_STAGES
    primary_key_stages: tuple[str, ...] = ("EYFS", "KS1", "KS2")
    genders: tuple[str, ...] = GENDERS
    roles: tuple[Role, ...] = ()
    """Staff roles, in the order a form offers them; empty for a pupil instrument."""

    @model_validator(mode="after")
    def _primary_is_subset(self) -> Demographics:
        unknown = sorted(set(self.primary_key_stages) - set(self.key_stages))
        if unknown:
            raise ValueError(f"primary_key_stages not in key_stages: {unknown}")
        ids = self.role_ids
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"duplicate role ids: {twice}")
        return self

    @property
    def role_ids(self) -> list[str]:
        return [r.id for r in self.roles]


class Translation(_Model):
    """One language's wording of an instrument: every item, dimension and scale label."""

    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    language_name: str
    direction: Literal["ltr", "rtl"] = "ltr"
    status: Literal["draft", "reviewed"] = "draft"
    review_note: str = ""
    name: str
    scale_labels: tuple[str, ...]
    factors: dict[str, str] = Field(default_factory=dict)
    dimensions: dict[str, str] = Field(default_factory=dict)
    roles: dict[str, str] = Field(default_factory=dict)
    """Role id → translated label (a staff instrument's ``demographics.roles``)."""
    items: dict[str, ItemText]


def equal_width_bands(scale: Scale) -> tuple[Band, ...]:
    """Five equal-width bands over the scale, the default when a file defines none."""
    names = ("Very low", "Quite low", "Medium", "Quite high", "Very high")
    width = (scale.max - scale.min) / len(names)
    return tuple(
        Band(id=re.sub(r"\W+", "_", name.lower()), name=name, min=round(scale.min + i * width, 6))
        for i, name in enumerate(names)
    )


class Instrument(_Model):
    """A versioned survey instrument; see docs/instrument-format.md for the file format."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$")]
    version: str
    name: str
    audience: Literal["pupils", "staff"] = "pupils"
    language: str = "en-GB"
    description: str = ""
    notes: str = ""
    scale: Scale
    factors: tuple[Factor, ...] = Field(min_length=1)
    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    items: tuple[Item, ...] = Field(min_length=1)
    bands: tuple[Band, ...] = ()
    high_bands: tuple[Ident, ...] = ()
    min_answered_share: float = Field(default=0.5, gt=0.0, le=1.0)
    demographics: Demographics = Demographics()
    translations: dict[str, Translation] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _coerce_version(cls, data: object) -> object:
        # YAML reads `version: 1.0` as a float; a version is a label, not a number.
        if isinstance(data, dict) and isinstance(data.get("version"), int | float):
            data = {**data, "version": str(data["version"])}
        return data

    @model_validator(mode="after")
    def _check_references(self) -> Instrument:
        _unique("factors", [f.id for f in self.factors])
        _unique("dimensions", [d.id for d in self.dimensions])
        _unique("items", [i.id for i in self.items])
        self._check_links()
        self._check_bands()
        for lang, tr in self.translations.items():
            self._check_translation(lang, tr)
        return self

    def _check_links(self) -> None:
        """Every dimension names a factor and every item a dimension; none is left empty."""
        factor_ids = {f.id for f in self.factors}
        for d in self.dimensions:
            if d.factor not in factor_ids:
                raise ValueError(f"dimension {d.id!r} names unknown factor {d.factor!r}")
        dim_ids = {d.id for d in self.dimensions}
        for item in self.items:
            if item.dimension not in dim_ids:
                raise ValueError(f"item {item.id!r} names unknown dimension {item.dimension!r}")
        item_ids_folded = {i.id.casefold() for i in self.items}
        clash = sorted(d for d in dim_ids if d.casefold() in item_ids_folded)
        if clash:
            raise ValueError(f"ids used for both a dimension and an item: {clash}")
        for d in self.dimensions:
            if not any(i.dimension == d.id for i in self.items):
                raise ValueError(f"dimension {d.id!r} has no items")
        for f in self.factors:
            if not any(d.factor == f.id for d in self.dimensions):
                raise ValueError(f"factor {f.id!r} has no dimensions")

    def _check_bands(self) -> None:
        if not self.bands:
            object.__setattr__(self, "bands", equal_width_bands(self.scale))
        _unique("bands", [b.id for b in self.bands])
        mins = [b.min for b in self.bands]
        if mins[0] != self.scale.min:
            raise ValueError(f"the first band must start at the scale minimum {self.scale.min}")
        if any(b >= a for a, b in zip(mins[1:], mins[:-1], strict=False)):
            raise ValueError("band minimums must increase")
        if mins[-1] > self.scale.max:
            raise ValueError("a band starts above the scale maximum")
        if not self.high_bands:
            object.__setattr__(self, "high_bands", tuple(b.id for b in self.bands[-2:]))
        unknown = sorted(set(self.high_bands) - {b.id for b in self.bands})
        if unknown:
            raise ValueError(f"high_bands names unknown bands: {unknown}")

    def _check_translation(self, lang: str, tr: Translation) -> None:
        where = f"translation {lang!r}"
        if tr.language != lang:
            raise ValueError(f"{where} says its language is {tr.language!r}")
        if len(tr.scale_labels) != self.scale.n_categories:
            raise ValueError(f"{where} has {len(tr.scale_labels)} scale labels")
        item_ids = {i.id for i in self.items}
        missing = sorted(item_ids - set(tr.items))
        extra = sorted(set(tr.items) - item_ids)
        if missing or extra:
            raise ValueError(f"{where}: items missing {missing}, unknown {extra}")
        unknown_dims = sorted(set(tr.dimensions) - {d.id for d in self.dimensions})
        if unknown_dims:
            raise ValueError(f"{where}: unknown dimensions {unknown_dims}")
        unknown_factors = sorted(set(tr.factors) - {f.id for f in self.factors})
        if unknown_factors:
            raise ValueError(f"{where}: unknown factors {unknown_factors}")
        unknown_roles = sorted(set(tr.roles) - set(self.demographics.role_ids))
        if unknown_roles:
            raise ValueError(f"{where}: unknown roles {unknown_roles}")

    # Convenience views used throughout analysis; all derived, none stored.
    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    @property
    def dimension_ids(self) -> list[str]:
        return [d.id for d in self.dimensions]

    @property
    def factor_ids(self) -> list[str]:
        return [f.id for f in self.factors]

    def items_of(self, dimension: str) -> list[Item]:
        return [i for i in self.items if i.dimension == dimension]

    def dimensions_of(self, factor: str) -> list[Dimension]:
        return [d for d in self.dimensions if d.factor == factor]

    def dimension(self, dimension_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dimension_id:
                return d
        raise KeyError(dimension_id)


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    dupes = sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
    if dupes:
        raise ValueError(f"duplicate {what} ids: {dupes}")
    _distinct_ignoring_case(what, ids)


def _distinct_ignoring_case(what: str, ids: list[str]) -> None:
    # Case is kept, but `A1` and `a1` side by side would be two columns that a spreadsheet,
    # a case-insensitive file system or a database column name would confuse.
    by_folded: dict[str, list[str]] = {}
    for i in ids:
        by_folded.setdefault(i.casefold(), []).append(i)
    clashes = sorted(sorted(v) for v in by_folded.values() if len(v) > 1)
    if clashes:
        shown = "; ".join(" and ".join(repr(i) for i in group) for group in clashes)
        raise ValueError(f"ids that differ only in case among the {what}: {shown}")
