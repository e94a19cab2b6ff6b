"""Publications on the platform (rule 9): a page read before and after one pupil submits
shows the same figures; a safe batch of new responses changes them."""

from __future__ import annotations

import uuid

from learnsurvey.web.dashboards import results
from learnsurvey.web.exports.streams import plan_responses
from learnsurvey.web.waves.actions import do_submit_response
from learnsurvey.web.waves.models import Publication, Response
from learnsurvey.web.waves.publication import do_publish_wave, pending_responses
from personas import World, answer


def _submit(world: World, n: int, *, key_stage: str = "KS2", gender: str = "girl") -> None:
    items = world.wave.instrument().item_ids
    for k in range(n):
        do_submit_response(
            world.wave,
            world.aspen,
            key=uuid.uuid4(),
            answers={item: 1 + (j + k) % 5 for j, item in enumerate(items)},
            key_stage=key_stage,
            gender=gender,
        )


def _figures(world: World) -> tuple[object, ...]:
    dash = results.school_payload(world.wave, world.aspen)
    scores = tuple((s.kind, s.score, s.n, s.mean) for s in dash.scores)
    counts = tuple((c.group, c.n) for c in [*dash.key_stage_counts, *dash.gender_counts])
    return dash.n_responses, scores, counts


def test_it_shows_the_same_figures_after_one_pupil_submits(world: World) -> None:
    answer(world)
    before = _figures(world)
    _submit(world, 1)
    assert _figures(world) == before
    assert pending_responses(world.wave).count() == 1


def test_it_changes_the_figures_once_ten_new_responses_form_a_safe_batch(world: World) -> None:
    answer(world)
    before = _figures(world)
    _submit(world, 9)
    assert _figures(world) == before
    _submit(world, 1)
    after = _figures(world)
    assert after != before
    assert after[0] == before[0] + 10  # type: ignore[operator]
    assert not pending_responses(world.wave).exists()


def test_it_numbers_publications_and_publishes_nothing_unsafe(world: World) -> None:
    answer(world)
    first = do_publish_wave(world.wave)
    assert first is not None
    assert first.number == 1
    assert first.n_responses == Response.objects.count()
    _submit(world, 3)
    assert do_publish_wave(world.wave) is None  # three pupils: they wait
    _submit(world, 7)
    second = do_publish_wave(world.wave)
    assert second is not None
    assert (second.number, second.n_responses) == (2, 10)
    assert Publication.objects.filter(wave=world.wave).count() == 2


def test_it_holds_back_only_the_small_part_of_what_arrived(world: World) -> None:
    answer(world)
    do_publish_wave(world.wave)
    _submit(world, 12, key_stage="KS2", gender="girl")
    _submit(world, 2, key_stage="KS2", gender="boy")
    publication = do_publish_wave(world.wave)
    assert publication is not None
    assert publication.n_responses == 12
    waiting = pending_responses(world.wave)
    assert {(r.key_stage, r.gender) for r in waiting} == {("KS2", "boy")}


def test_it_counts_only_published_responses_in_the_response_level_export(world: World) -> None:
    for school in (world.aspen, world.birch):
        school.research_opt_in = True
        school.save()
    answer(world)
    do_publish_wave(world.wave)
    plan = plan_responses(world.wave)
    _submit(world, 5)
    assert plan_responses(world.wave).n_rows == plan.n_rows
