"""The readable summary that `learnsurvey analyse` prints."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from learnsurvey.analysis import AnalysisResult
from learnsurvey.synth.targets import compare_with_targets, phase_one_targets


def _f(value: object, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "–"
    if isinstance(value, int | float):
        return f"{value:.{digits}f}"
    return str(value)


def print_summary(
    console: Console, result: AnalysisResult, *, compare: bool, check: bool = False
) -> None:
    t = result.tables
    inst = result.statistics.instrument
    names = {d.id: d.name for d in inst.dimensions}
    targets = phase_one_targets() if compare else {}
    n_schools = int(result.statistics.cells["school"].nunique())
    overall = t["reliability"].set_index("scale").loc["overall"]
    console.rule(f"[bold]{inst.name}[/] (v{inst.version})")
    console.print(
        f"{result.statistics.n_rows:,} responses from {n_schools} schools. "
        f"Overall alpha {overall['alpha']:.3f} "
        f"(95% CI {overall['alpha_ci_low']:.3f}–{overall['alpha_ci_high']:.3f}), "
        f"omega total {overall['omega_total']:.3f}, omega hierarchical "
        f"{overall['omega_hierarchical']:.3f}. Figures about fewer than {result.threshold} "
        "pupils are suppressed."
    )
    table = Table(title=f"The {len(inst.dimensions)} dimensions", title_justify="left")
    for col in ["Dimension", "Alpha", "% quite/very high", "Mean", "ICC", *inst.factor_ids]:
        table.add_column(col, justify="left" if col == "Dimension" else "right")
    rel = t["reliability"].set_index("scale")
    dims = t["dimension_summary"].set_index("dimension")
    icc = t["icc"].set_index("dimension")
    pattern = t["factor_pattern"].set_index("dimension")
    pub_pct = targets.get("percent_quite_or_very_high", {})
    pub_rel = targets.get("pattern_matrix", {})
    for d in inst.dimension_ids:
        alpha = _f(rel.loc[d, "alpha"])
        pct = _f(dims.loc[d, "pct_quite_or_very_high"], 0)
        if d in pub_pct:
            pct += f" ({pub_pct[d]})"
        if d in pub_rel:
            alpha += f" ({pub_rel[d]['reliability']:.2f})"
        loads = []
        for f in inst.factor_ids:
            cell = _f(pattern.loc[d, f])
            if d in pub_rel and f in pub_rel[d]:
                cell += f" ({pub_rel[d][f]:.2f})"
            if pattern.loc[d, "factor"] == f:
                cell = f"[bold]{cell}[/]"
            loads.append(cell)
        table.add_row(names[d], alpha, pct, _f(dims.loc[d, "mean"]), _f(icc.loc[d, "icc"]), *loads)
    if compare:
        table.caption = "Published Phase One figures in brackets."
    console.print(table)
    _print_trend(console, t["key_stage_trend"], names)
    _print_top_bottom(console, t["top_bottom"], names, targets)
    if compare and check:
        _print_checks(console, t)


def _print_checks(console: Console, tables: dict[str, pd.DataFrame]) -> None:
    """How many published Phase One figures these tables reproduce within tolerance."""
    if (tables["factor_pattern"]["rotation"] != "promax").any():
        console.print(
            "[dim]Run with --rotation promax to compare the pattern matrix with the report's.[/]"
        )
    report = compare_with_targets(tables)
    missed = report[~report["ok"]]
    console.print(
        f"Published Phase One figures reproduced within tolerance: [bold]{int(report['ok'].sum())}"
        f" of {len(report)}[/] (docs/synthetic-data.md lists the checks)."
    )
    for _, row in missed.iterrows():
        console.print(f"  missed: {row['check']} {row['subject']}: target {row['target']}")


def _print_trend(console: Console, trend: pd.DataFrame, names: dict[str, str]) -> None:
    shown = trend[~trend["suppressed"]]
    if shown.empty:
        return
    wide = shown.pivot(index="dimension", columns="key_stage", values="mean")
    order = [k for k in dict.fromkeys(shown["key_stage"]) if k in wide.columns]
    table = Table(title="Mean score by key stage", title_justify="left")
    table.add_column("Dimension")
    for k in order:
        table.add_column(k, justify="right")
    for d in names:
        if d in wide.index:
            table.add_row(names[d], *(_f(wide.loc[d, k]) for k in order))
    console.print(table)


def _print_top_bottom(
    console: Console, top: pd.DataFrame, names: dict[str, str], targets: dict[str, Any]
) -> None:
    if top.empty:
        return
    pub = targets.get("top_vs_bottom_school_effect_size", {})
    table = Table(title="Top against bottom school (Hedges' g, 95% CI)", title_justify="left")
    for col in ["Dimension", "Top school", "Bottom school", "g", "95% CI"]:
        table.add_column(col, justify="right" if col in {"g", "95% CI"} else "left")
    for _, r in top.iterrows():
        g = _f(r["effect_size"])
        if r["dimension"] in pub:
            g += f" ({pub[r['dimension']]:.2f})"
        ci = f"{_f(r['ci_low'])}–{_f(r['ci_high'])}"
        schools = (escape(str(r["top_school"])), escape(str(r["bottom_school"])))
        table.add_row(names[r["dimension"]], *schools, g, ci)
    console.print(table)
