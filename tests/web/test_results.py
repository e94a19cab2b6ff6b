"""Wave results: computed from the stored responses, cached, recomputed only when stale."""

from __future__ import annotations

import ast
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learnsurvey.analysis.scoring import ScoreLayout, reverse_codes, score_answers
from learnsurvey.web.dashboards import results
from learnsurvey.web.dashboards.models import SchoolResult
from learnsurvey.web.waves.models import Response, Wave, WaveResult
from learnsurvey.web.waves.publication import do_publish_wave
from personas import World, add_responses

DASHBOARDS = "learnsurvey.web.dashboards"


def _scores(wave: Wave, answers: list[str]) -> np.ndarray:
    """Scores computed directly from the answer strings (the reference for the checks)."""
    inst = wave.instrument()
    codes = np.array(
        [[-1 if ch == "-" else int(ch) - inst.scale.min for ch in a] for a in answers],
        dtype=np.int8,
    )
    layout = ScoreLayout(inst)
    return score_answers(reverse_codes(codes, layout), layout)


def test_it_computes_school_figures_equal_to_a_direct_computation(world: World) -> None:
    # Four schools, so that the benchmark leaves Aspen at least three other schools (and
    # Aspen could not work out another school's figures from it).
    aspen = add_responses(world.wave, world.aspen, 40, seed=1)
    others = add_responses(world.wave, world.birch, 30, seed=2)
    others += add_responses(world.wave, world.cedar, 20, seed=3)
    others += add_responses(world.wave, world.dale, 15, seed=4)
    result = results.compute_wave_result(world.wave)
    assert result.n_responses == 105
    assert result.threshold == 10
    assert result.max_response_id == Response.objects.latest("id").pk
    dash = results.school_payload(world.wave, world.aspen)
    assert dash.publishable
    assert dash.n_responses == 40
    layout = ScoreLayout(world.wave.instrument())
    own, everyone = _scores(world.wave, aspen), _scores(world.wave, aspen + others)
    for figure in dash.scores:
        j = next(
            k
            for k, (kind, i) in enumerate(zip(layout.kinds, layout.ids, strict=True))
            if kind == figure.kind and i == figure.score
        )
        assert figure.mean == pytest.approx(np.nanmean(own[:, j]))
        assert figure.benchmark_mean == pytest.approx(np.nanmean(everyone[:, j]))
        assert figure.n == int(np.sum(~np.isnan(own[:, j])))
    names = {f.name for f in dash.scores if f.kind == "dimension"}
    assert names == {d.name for d in world.wave.instrument().dimensions}


def test_it_streams_responses_in_chunks_of_the_requested_size(world: World) -> None:
    add_responses(world.wave, world.aspen, 25)
    do_publish_wave(world.wave)  # the figures count published responses only
    chunks = list(results.response_chunks(world.wave, chunk_rows=10))
    assert [c.n_rows for c in chunks] == [10, 10, 5]
    first = Response.objects.order_by("id").first()
    assert first is not None
    inst = world.wave.instrument()
    decoded = chunks[0].answers[0]
    expected = [-1 if ch == "-" else int(ch) - inst.scale.min for ch in first.answers]
    assert decoded.tolist() == expected
    assert chunks[0].school.labels == [world.aspen.urn]


def test_it_recomputes_when_new_responses_arrive_and_not_otherwise(world: World) -> None:
    # Figures change only by batches that describe no small group (disclosure rule 9): every
    # pupil here is in one key stage and gender, so each batch of 20 is safe to publish.
    add_responses(world.wave, world.aspen, 20)
    Response.objects.update(key_stage="KS2", gender="girl")
    first = results.current_result(world.wave)
    assert first is not None
    assert first.n_responses == 20
    again = results.current_result(world.wave)
    assert again is not None
    assert again.computed == first.computed  # nothing new: the cached result is used
    add_responses(world.wave, world.aspen, 20, seed=3)
    Response.objects.update(key_stage="KS2", gender="girl")
    fresh = results.current_result(world.wave)
    assert fresh is not None
    assert fresh.n_responses == 40
    assert fresh.computed > first.computed
    assert WaveResult.objects.count() == 1


def test_it_does_not_recompute_for_responses_that_wait_for_a_safe_batch(world: World) -> None:
    add_responses(world.wave, world.aspen, 20)
    Response.objects.update(key_stage="KS2", gender="girl")
    first = results.current_result(world.wave)
    assert first is not None
    add_responses(world.wave, world.aspen, 1, seed=3)
    Response.objects.update(key_stage="KS2", gender="girl")
    again = results.current_result(world.wave)
    assert again is not None
    assert again.computed == first.computed  # one pupil's answers wait: nothing is computed
    assert again.n_responses == 20


def test_it_checks_staleness_with_a_few_cheap_queries(world: World) -> None:
    add_responses(world.wave, world.aspen, 15)
    results.compute_wave_result(world.wave)
    with CaptureQueriesContext(connection) as queries:
        results.current_result(world.wave)
    # The cached result (without its payload), the newest response id, the stored and the
    # latest publication number: index look-ups only.
    assert len(queries) == 4
    assert "payload" not in queries[0]["sql"].split("FROM")[0]


def test_it_hides_every_figure_of_a_school_with_too_few_responses(world: World) -> None:
    add_responses(world.wave, world.aspen, 30)
    add_responses(world.wave, world.birch, 6, seed=2)
    results.compute_wave_result(world.wave)
    dash = results.school_payload(world.wave, world.birch)
    assert not dash.publishable
    assert dash.n_responses is None
    assert dash.scores == []
    stored = SchoolResult.objects.get(urn=world.birch.urn).payload
    assert stored["n_responses"] is None
    assert not stored["publishable"]
    assert stored["scores"] == []
    assert stored["headline"] is None
    trust = results.trust_payload(world.wave, world.trust)
    birch = [row for row in trust.schools if row.urn == world.birch.urn]
    assert all(cell.suppressed and cell.mean is None for row in birch for cell in row.cells)


def test_it_suppresses_small_key_stage_groups_within_a_school(world: World) -> None:
    add_responses(world.wave, world.aspen, 30)
    Response.objects.filter(pk__in=Response.objects.order_by("id").values("id")[:3]).update(
        key_stage="KS3"
    )
    results.compute_wave_result(world.wave)
    dash = results.school_payload(world.wave, world.aspen)
    counts = {c.group: c for c in dash.key_stage_counts}
    assert counts["KS3"].suppressed
    assert counts["KS3"].n is None
    # Complementary suppression: one hidden group would follow from the total.
    assert sum(c.suppressed for c in dash.key_stage_counts) >= 2
    ks3 = [g for g in dash.key_stages if g.group == "KS3"]
    assert ks3
    assert all(g.suppressed and g.mean is None for g in ks3)
    assert all(
        e.hedges_g is None for e in dash.key_stage_effects if "KS3" in (e.group_a, e.group_b)
    )


def test_it_names_only_opted_in_schools_in_the_global_tables(world: World) -> None:
    world.birch.research_opt_in = True
    world.birch.save()
    add_responses(world.wave, world.aspen, 60, seed=1)
    add_responses(world.wave, world.birch, 60, seed=2)
    add_responses(world.wave, world.cedar, 60, seed=3)
    results.compute_wave_result(world.wave)
    tables = results.global_payload(world.wave)
    assert tables.available
    summary = next(t for t in tables.tables if t.name == "school_summary")
    shown = {row["school"] for row in summary.rows}
    assert "Birch Academy" in shown
    assert "Aspen Primary" not in shown
    assert world.aspen.urn not in shown
    assert "School 1" in shown  # Aspen joined the wave first
    assert "School 3" in shown


def test_it_reports_no_global_tables_for_a_tiny_wave(world: World) -> None:
    add_responses(world.wave, world.aspen, 5)
    results.compute_wave_result(world.wave)
    tables = results.global_payload(world.wave)
    assert not tables.available
    assert tables.tables == []
    assert "5" not in tables.message


def test_it_computes_results_with_the_command(world: World) -> None:
    add_responses(world.wave, world.aspen, 12)
    out = StringIO()
    call_command("compute_results", stdout=out)
    assert "Phase Two" in out.getvalue()
    assert "12 responses" in out.getvalue()
    assert WaveResult.objects.get(wave=world.wave).n_responses == 12
    call_command("compute_results", "--wave", str(world.wave.pk), stdout=StringIO())
    with pytest.raises(CommandError, match="no wave"):
        call_command("compute_results", "--wave", "999999", stdout=StringIO())


def test_it_gives_json_ready_payloads(world: World) -> None:
    add_responses(world.wave, world.aspen, 30)
    add_responses(world.wave, world.birch, 20, seed=2)
    school = results.school_payload(world.wave, world.aspen)
    trust = results.trust_payload(world.wave, world.trust)
    tables = results.global_payload(world.wave)
    for model in (school, trust, tables):
        assert type(model).model_validate_json(model.model_dump_json()) == model
    assert [row.urn for row in trust.schools] == [world.aspen.urn, world.birch.urn]
    assert trust.dimensions[0].name == world.wave.instrument().dimensions[0].name


def _sibling_imports(path: Path) -> set[str]:
    """The modules of the dashboards app that ``path`` imports, at any depth (a lazy import
    inside a function is still an edge of the import graph)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            name = node.module
            if node.level == 1:
                found.add(name.split(".")[0])
            elif name.startswith(DASHBOARDS + "."):
                found.add(name.removeprefix(DASHBOARDS + ".").split(".")[0])
    return found


def test_it_keeps_the_dashboards_modules_free_of_import_cycles() -> None:
    root = Path(results.__file__).parent
    graph = {p.stem: _sibling_imports(p) for p in root.glob("*.py")}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, set()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert "tasks" in graph["results"]  # the readers enqueue the task...
    assert not [m for m in graph if reaches(m, m, set())]  # ...and nothing comes back
