"""Calibrate the synthetic model to the published Phase One figures (a developer's tool).

Run ``python -m learnsurvey.synth.calibrate [--rounds N]`` to calibrate, or
``python -m learnsurvey.synth.calibrate --check N`` to report how many of seeds 1..N meet
every published figure within its tolerance (nothing is changed). Each round generates Phase One
sized data sets (29,940 pupils, 87 schools) for several seeds, analyses them with the same
code as ``learnsurvey analyse`` and moves the model's free parameters towards
``phase-one-targets.yaml``:

* ``pattern`` and ``factor_correlations``: fitted in the population (no sampling) so that
  the minres/promax solution of the implied dimension correlations hits the published
  pattern, less the offset the last simulation showed between population and data;
* ``reliability`` (the true-score share of each dimension score): the target, raised where
  the fitted pattern's communality needs more room;
* ``item_r`` so that each dimension's alpha hits that reliability;
* ``location`` so that the share of pupils in the Quite/Very high bands hits its target;
* ``school_share`` so that the top-against-bottom school effect sizes hit theirs.

The result is written back to ``params/phase-one.yaml``; docs/synthetic-data.md explains it.
"""

from __future__ import annotations

import argparse
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import yaml
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import ndtri

from learnsurvey.analysis import AnalysisResult, analyse_file
from learnsurvey.analysis.psychometrics import match_factors
from learnsurvey.instruments import Instrument, load_instrument
from learnsurvey.io import write_responses
from learnsurvey.stats.factor import factor_analysis

from .model import ResponseModel
from .params import SynthParams, load_params
from .schools import schools_frame
from .targets import compare_with_targets

SEEDS = (11, 12, 13, 14, 15, 16)
ROTATION: Final[Literal["promax"]] = "promax"


def _targets() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("params", "phase-one-targets.yaml").read_text()
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def analyse_wave(params: SynthParams, seed: int, folder: Path | str) -> AnalysisResult:
    """Generate a Phase One sized wave (29,940 pupils, 87 schools) into ``folder`` and analyse
    it as `learnsurvey analyse --rotation promax --context ...` would."""
    inst = load_instrument(params.instrument)
    model = ResponseModel(inst, params)
    path = Path(folder) / f"phase-one-{seed}.parquet"
    write_responses(path, model.tables(29_940, 87, seed))
    context = schools_frame(model.schools(29_940, 87, seed))
    return analyse_file(path, inst, threshold=10, context=context, rotation=ROTATION)


def measure(params: SynthParams, seeds: tuple[int, ...] = SEEDS) -> pd.DataFrame:
    """The calibrated figures of each dimension, averaged over ``seeds``."""
    inst = load_instrument(params.instrument)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            t = analyse_wave(params, seed, tmp).tables
            frame = (
                t["reliability"]
                .set_index("scale")[["alpha"]]
                .join(t["dimension_summary"].set_index("dimension")[["pct_quite_or_very_high"]])
            )
            frame = frame.join(t["factor_pattern"].set_index("dimension")[inst.factor_ids])
            frame = frame.join(t["top_bottom"].set_index("dimension")[["effect_size"]])
            runs.append(frame)
    return pd.concat(runs).groupby(level=0).mean()


def population_pattern(
    pattern: NDArray[np.float64],
    phi: NDArray[np.float64],
    membership: NDArray[np.float64],
    rotation: Literal["oblimin", "promax"] = ROTATION,
) -> NDArray[np.float64]:
    """Rotated loadings of the dimension correlations that ``pattern`` and ``phi`` imply."""
    corr = pattern @ phi @ pattern.T
    np.fill_diagonal(corr, 1.0)
    solution = factor_analysis(corr, pattern.shape[1], method="minres", rotation=rotation)
    order, signs = match_factors(solution.loadings, membership)
    return np.asarray(solution.loadings[:, order] * signs)


def fit_pattern(
    target: NDArray[np.float64],
    start: NDArray[np.float64],
    phi: NDArray[np.float64],
    cap: NDArray[np.float64],
    membership: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Find a model pattern and factor correlations whose population solution is ``target``,
    keeping each dimension's communality under ``cap``."""
    n, k = start.shape
    iu = np.triu_indices(k, 1)

    def unpack(x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        f = np.eye(k)
        f[iu] = f[iu[1], iu[0]] = np.tanh(x[n * k :])
        return x[: n * k].reshape(n, k), f

    def loss(x: NDArray[np.float64]) -> float:
        p, f = unpack(x)
        h2 = np.einsum("ij,jk,ik->i", p, f, p)
        gap = population_pattern(p, f, membership) - target
        return float((gap**2).sum() + 50 * (np.maximum(0.0, h2 - cap) ** 2).sum())

    x0 = np.concatenate([start.ravel(), np.arctanh(np.clip(phi[iu], -0.95, 0.95))])
    best = minimize(loss, x0, method="Powell", options={"maxfev": 4000, "xtol": 1e-4})
    return unpack(best.x)


def step(
    params: SynthParams, observed: pd.DataFrame, targets: dict[str, Any], inst: Instrument
) -> SynthParams:
    dims, factors = inst.dimension_ids, inst.factor_ids
    membership = np.array([[float(d.factor == f) for f in factors] for d in inst.dimensions])
    published = np.array([[targets["pattern_matrix"][d][f] for f in factors] for d in dims])
    rho_t = np.array([targets["pattern_matrix"][d]["reliability"] for d in dims])
    pattern, phi = params.pattern_matrix(inst), params.phi(inst)
    offset = observed.loc[dims, factors].to_numpy() - population_pattern(pattern, phi, membership)
    pattern, phi = fit_pattern(published - offset, pattern, phi, rho_t + 0.01, membership)
    h2 = np.einsum("ij,jk,ik->i", pattern, phi, pattern)
    data = params.model_dump()
    data["factor_correlations"] = {
        factors[a]: {factors[b]: float(round(phi[a, b], 4)) for b in range(a + 1, len(factors))}
        for a in range(len(factors) - 1)
    }
    pct_t = targets["percent_quite_or_very_high"]
    top_t = targets["top_vs_bottom_school_effect_size"]
    for i, d in enumerate(dims):
        dim = data["dimensions"][d]
        obs = observed.loc[d]
        dim["pattern"] = {f: float(round(pattern[i, j], 4)) for j, f in enumerate(factors)}
        rho = float(round(max(rho_t[i], h2[i] + 0.005), 4))
        r_target, r_obs = rho / (4 - 3 * rho), obs["alpha"] / (4 - 3 * obs["alpha"])
        r_now = dim["item_r"] * (r_target / r_obs if dim["reliability"] == rho else 1.0)
        dim["reliability"] = rho
        dim["item_r"] = float(round(min(0.95, r_now if rho == rho_t[i] else r_target * 1.1), 4))
        sd_mean = np.sqrt(dim["item_r"] + (1 - dim["item_r"]) / 4)
        z_t, z_o = (
            ndtri(np.clip(x / 100, 1e-3, 1 - 1e-3))
            for x in (pct_t[d], obs["pct_quite_or_very_high"])
        )
        dim["location"] = float(round(dim["location"] + 0.9 * (z_t - z_o) * sd_mean, 4))
        target_g = top_t.get(d, float(np.mean(list(top_t.values()))))
        ratio = (target_g / obs["effect_size"]) ** 2
        dim["school_share"] = float(round(np.clip(dim["school_share"] * ratio**0.7, 0.01, 0.4), 4))
    return SynthParams.model_validate(data)


def report(observed: pd.DataFrame, targets: dict[str, Any]) -> float:
    """Print each gap as a share of its tolerance; return the worst."""
    worst = 0.0
    for d, row in observed.iterrows():
        pm = targets["pattern_matrix"][d]
        gaps = {
            "alpha": (row["alpha"] - pm["reliability"]) / 0.05,
            "pct": (row["pct_quite_or_very_high"] - targets["percent_quite_or_very_high"][d]) / 5,
            **{f: (row[f] - pm[f]) / 0.10 for f in ("teachers", "learning", "safety")},
        }
        top = targets["top_vs_bottom_school_effect_size"].get(d)
        if top is not None:
            gaps["top"] = (row["effect_size"] - top) / 0.3
        worst = max(worst, *(abs(v) for v in gaps.values()))
        print(f"{d:24s}" + " ".join(f"{k}={v:+.2f}" for k, v in gaps.items()))
    print(f"worst gap / tolerance: {worst:.2f}")
    return worst


def rotation_study() -> None:
    """How closely can each rotation reproduce the published pattern? For each, fit the factor
    correlations Φ (pattern fixed at the published P) so that the rotated minres solution of
    PΦP′ comes closest to P, and print the largest difference and the implied communalities."""
    inst = load_instrument("learning-survey")
    targets = _targets()
    dims, factors = inst.dimension_ids, inst.factor_ids
    membership = np.array([[float(d.factor == f) for f in factors] for d in inst.dimensions])
    published = np.array([[targets["pattern_matrix"][d][f] for f in factors] for d in dims])
    rho = {d: targets["pattern_matrix"][d]["reliability"] for d in dims}
    iu = np.triu_indices(len(factors), 1)
    rotations: tuple[Literal["oblimin", "promax"], ...] = ("oblimin", "promax")
    for rotation in rotations:

        def phi_of(x: NDArray[np.float64]) -> NDArray[np.float64]:
            f = np.eye(len(factors))
            f[iu] = f[iu[1], iu[0]] = np.tanh(x)
            return f

        def loss(
            x: NDArray[np.float64], rotation: Literal["oblimin", "promax"] = rotation
        ) -> float:
            fitted = population_pattern(published, phi_of(x), membership, rotation)
            return float(((fitted - published) ** 2).sum())

        starts = ([0.5, 0.5, 0.35], [0.4, 0.7, 0.55], [0.7, 0.2, -0.1])
        best = min(
            (minimize(loss, np.arctanh(s), method="Nelder-Mead") for s in starts),
            key=lambda r: r.fun,
        )
        phi = phi_of(best.x)
        gap = np.abs(population_pattern(published, phi, membership, rotation) - published)
        h2 = np.einsum("ij,jk,ik->i", published, phi, published)
        print(f"{rotation}: largest difference from the published pattern {gap.max():.3f}")
        over = [f"{d} {h:.2f} > {rho[d]:.2f}" for d, h in zip(dims, h2, strict=True) if h > rho[d]]
        print(f"  communalities above the published reliability: {', '.join(over) or 'none'}")


def check(n_seeds: int) -> pd.DataFrame:
    """Share of seeds 1..n meeting each check of :func:`compare_with_targets`."""
    params = load_params("phase-one")
    verdicts = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, n_seeds + 1):
            report = compare_with_targets(analyse_wave(params, seed, tmp).tables)
            verdicts.append(report.groupby("check", sort=False)["ok"].all().rename(seed))
    table = pd.concat(verdicts, axis=1)
    print(f"Seeds 1..{n_seeds}, 29,940 pupils in 87 schools each; share meeting each check:")
    print(table.mean(axis=1).map("{:.0%}".format).to_string())
    every = int(table.all(axis=0).sum())
    print(f"seeds meeting every check: {every} of {n_seeds}")
    failing = table.columns[~table.all(axis=0)].tolist()
    print(f"seeds missing at least one: {failing}")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description="Calibrate the synthetic Phase One model.")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--check", type=int, metavar="N", help="only report on seeds 1..N")
    parser.add_argument(
        "--rotation-study", action="store_true", help="only compare oblimin and promax"
    )
    args = parser.parse_args()
    if args.rotation_study:
        rotation_study()
        return
    if args.check:
        check(args.check)
        return
    params = load_params("phase-one")
    inst = load_instrument(params.instrument)
    targets = _targets()
    for k in range(args.rounds):
        observed = measure(params)
        print(f"round {k}")
        report(observed.drop(index="overall", errors="ignore"), targets)
        params = step(params, observed, targets, inst)
    print("final")
    report(measure(params).drop(index="overall", errors="ignore"), targets)
    out = Path(str(resources.files(__package__).joinpath("params", "phase-one.yaml")))
    header = "".join(line for line in out.read_text().splitlines(True) if line.startswith("#"))
    out.write_text(header + yaml.safe_dump(params.model_dump(), sort_keys=False, width=100))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
