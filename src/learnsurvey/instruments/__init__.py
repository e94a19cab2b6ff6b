"""Survey instruments as versioned, validated YAML data."""

from ._loader import InstrumentError, builtin_instruments, load_instrument
from ._schema import (
    GENDERS,
    KEY_STAGES,
    Band,
    Demographics,
    Dimension,
    Factor,
    Instrument,
    Item,
    ItemText,
    Role,
    Scale,
    Translation,
)

__all__ = [
    "GENDERS",
    "KEY_STAGES",
    "Band",
    "Demographics",
    "Dimension",
    "Factor",
    "Instrument",
    "InstrumentError",
    "Item",
    "ItemText",
    "Role",
    "Scale",
    "Translation",
    "builtin_instruments",
    "load_instrument",
]
