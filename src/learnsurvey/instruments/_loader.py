"""Find, read and validate instrument files, with errors that name the file and the place."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ._schema import Instrument, Translation

_DATA = "data"
# libyaml's loader when the wheel has it: several times faster on the instrument files.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class InstrumentError(ValueError):
    """An instrument could not be found or is not valid."""


def builtin_instruments() -> list[str]:
    """Ids of the instruments shipped with the package."""
    root = resources.files(__package__).joinpath(_DATA)
    return sorted(
        p.name.removesuffix(".yaml")
        for p in root.iterdir()
        if p.name.endswith(".yaml") and p.name.count(".") == 1
    )


def load_instrument(id_or_path: str | Path) -> Instrument:
    """Load a built-in instrument by id (``learning-survey``) or any instrument file by path.

    Translations are read from files beside the instrument named ``<stem>.<language>.yaml``.
    """
    path = Path(id_or_path)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.is_file():
            raise InstrumentError(f"{path}: no such instrument file")
        return _load_path(path.resolve())
    if str(id_or_path) in builtin_instruments():
        return _load_builtin(str(id_or_path))
    known = ", ".join(builtin_instruments())
    raise InstrumentError(
        f"unknown instrument {str(id_or_path)!r}: give a built-in id ({known}) or a YAML file path"
    )


@cache
def _load_builtin(instrument_id: str) -> Instrument:
    with resources.as_file(resources.files(__package__).joinpath(_DATA)) as root:
        return _load_path(root / f"{instrument_id}.yaml")


def _load_path(path: Path) -> Instrument:
    data = _read_yaml(path)
    translations = dict(data.pop("translations", None) or {})
    files: dict[str, Path] = {}
    for tr_path in sorted(path.parent.glob(f"{path.stem}.*{path.suffix}")):
        tr_data = _read_yaml(tr_path)
        lang = tr_path.name.removeprefix(path.stem + ".").removesuffix(path.suffix)
        try:
            Translation.model_validate(tr_data)
        except ValidationError as exc:
            raise InstrumentError(_describe(tr_path, exc)) from None
        translations[lang] = tr_data
        files[lang] = tr_path
    try:
        base = Instrument.model_validate({**data, "translations": {}})
    except ValidationError as exc:
        raise InstrumentError(_describe(path, exc)) from None
    for lang, tr_data in translations.items():
        # Checked one by one against the instrument, so that a gap in a translation is
        # reported against the translation's own file.
        try:
            Instrument.model_validate({**data, "translations": {lang: tr_data}})
        except ValidationError as exc:
            raise InstrumentError(_describe(files.get(lang, path), exc)) from None
    return base.model_copy(
        update={"translations": {k: Translation.model_validate(v) for k, v in translations.items()}}
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        raise InstrumentError(f"{path}: not valid YAML: {exc}") from None
    except OSError as exc:
        raise InstrumentError(f"{path}: cannot be read: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise InstrumentError(f"{path}: the top level must be a mapping of fields")
    return data


def _describe(path: Path, exc: ValidationError) -> str:
    errors = _root_causes(exc.errors())
    lines = [f"{path}: {len(errors)} problem(s)"]
    for err in errors:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"  {where.lstrip('.') or '(top level)'}: {msg}")
    return "\n".join(lines)


def _root_causes(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """The errors that are not a consequence of another one.

    pydantic checks a list's length on what survived validation, so when every item of
    ``items`` fails it adds "items: Tuple should have at least 1 item after validation"
    after the real problems. An error about a container that also has errors inside it is
    such an echo, and is left out.
    """
    locs = [tuple(err["loc"]) for err in errors]
    return [
        err
        for err, loc in zip(errors, locs, strict=True)
        if not any(len(other) > len(loc) and other[: len(loc)] == loc for other in locs)
    ]
