"""The R reference (benchmarks/r_reference.R): is it available, and how to run it."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnsurvey.instruments import Instrument

__all__ = ["R_SCRIPT", "RStatus", "r_command", "r_status", "read_r_result", "write_spec"]

R_SCRIPT = Path(__file__).resolve().parent.parent / "r_reference.R"
REQUIRED = ("psych", "GPArotation", "lme4", "jsonlite")
OPTIONAL = ("data.table", "arrow")
_PROBE = (
    "ip <- installed.packages()[, 'Version']; "
    "cat('R', paste(R.version$major, R.version$minor, sep = '.'), '\\n'); "
    "for (p in c({names})) cat(p, if (p %in% names(ip)) ip[[p]] else '-', '\\n')"
)


@dataclass(frozen=True)
class RStatus:
    available: bool
    reason: str
    """Why R is not used (empty when it is)."""
    rscript: str | None = None
    version: str | None = None
    packages: dict[str, str] = field(default_factory=dict)

    @property
    def reader(self) -> str:
        """How R reads the responses: ``arrow`` (Parquet) or CSV."""
        if "arrow" in self.packages:
            return "arrow"
        return "data.table::fread" if "data.table" in self.packages else "read.csv"


def r_status(rscript: str = "Rscript") -> RStatus:
    """Find Rscript and the packages the reference needs (a few seconds)."""
    found = shutil.which(rscript)
    if found is None:
        return RStatus(False, "Rscript not found")
    names = ", ".join(f"'{p}'" for p in (*REQUIRED, *OPTIONAL))
    try:
        out = subprocess.run(
            [found, "--vanilla", "-e", _PROBE.replace("{names}", names)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError) as exc:
        return RStatus(False, f"Rscript failed: {exc}", found)
    info = dict(line.split(maxsplit=1) for line in out.splitlines() if " " in line.strip())
    info = {k: v.strip() for k, v in info.items()}
    packages = {p: info[p] for p in (*REQUIRED, *OPTIONAL) if info.get(p, "-") != "-"}
    missing = [p for p in REQUIRED if p not in packages]
    if missing:
        reason = f"R packages missing: {', '.join(missing)}"
        return RStatus(False, reason, found, info.get("R"), packages)
    return RStatus(True, "", found, info.get("R"), packages)


def write_spec(instrument: Instrument, path: Path) -> Path:
    """The instrument facts the R script needs, as JSON."""
    spec = {
        "items": [
            {"id": item.id, "dimension": item.dimension, "reverse": item.reverse}
            for item in instrument.items
        ],
        "scale_min": instrument.scale.min,
        "scale_max": instrument.scale.max,
        "min_answered_share": instrument.min_answered_share,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(spec, indent=1) + "\n")
    return path


def r_command(status: RStatus, data: Path, spec: Path, out: Path) -> list[str]:
    if status.rscript is None:
        raise ValueError("R is not available")
    return [status.rscript, "--vanilla", str(R_SCRIPT), str(data), str(spec), str(out)]


def read_r_result(path: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(path.read_text())
    return result
