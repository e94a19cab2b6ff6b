"""Packages whose public names are imported from their modules on first use (PEP 562): a
process that needs one module of ``learnsurvey.stats`` or ``learnsurvey.analysis`` (the web
settings read the thresholds, the models the seasons) does not load pandas and scipy."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_members"]


def lazy_members(
    package: str, namespace: dict[str, Any], modules: Mapping[str, str]
) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package``: ``name`` imported from the submodule
    ``modules[name]`` at first use and kept in the package's ``namespace``."""

    def __getattr__(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f".{module}", package), name)
        namespace[name] = value
        return value

    return __getattr__
