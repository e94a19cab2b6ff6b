from __future__ import annotations

import uuid

import pytest

from learnsurvey.web.waves.actions import SubmissionError, decode_answers, do_submit_response
from learnsurvey.web.waves.models import Response
from personas import World


def _answers(world: World, value: int = 4) -> dict[str, int | None]:
    return {item.id: value for item in world.wave.instrument().items}


def test_it_stores_a_response_once_per_key(world: World) -> None:
    key = uuid.uuid4()
    first = do_submit_response(
        world.wave, world.aspen, key=key, answers=_answers(world), year_group=5
    )
    again = do_submit_response(
        world.wave, world.aspen, key=key, answers=_answers(world), year_group=5
    )
    assert first.created
    assert not again.created
    assert Response.objects.count() == 1
    stored = Response.objects.get()
    assert stored.key_stage == "KS2"
    assert stored.submitted_hour.minute == 0
    assert stored.submitted_hour.second == 0
    assert decode_answers(world.wave.instrument(), stored.answers) == _answers(world)


def test_it_rejects_a_key_reused_for_another_school(world: World) -> None:
    key = uuid.uuid4()
    do_submit_response(world.wave, world.aspen, key=key, answers=_answers(world))
    with pytest.raises(SubmissionError, match="already used"):
        do_submit_response(world.wave, world.cedar, key=key, answers=_answers(world))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nonsense_1": 3}, "not in this survey"),
        ({"expectations_1": 6}, "whole number 1–5"),
        ({"expectations_1": True}, "whole number"),
    ],
)
def test_it_rejects_bad_answers(world: World, change: dict[str, int], message: str) -> None:
    answers = _answers(world) | change
    with pytest.raises(SubmissionError, match=message):
        do_submit_response(world.wave, world.aspen, key=uuid.uuid4(), answers=answers)
    assert Response.objects.count() == 0


def test_it_rejects_an_empty_submission(world: World) -> None:
    with pytest.raises(SubmissionError, match="no item"):
        do_submit_response(world.wave, world.aspen, key=uuid.uuid4(), answers={})


def test_it_rejects_inconsistent_demographics(world: World) -> None:
    with pytest.raises(SubmissionError, match="not in the key stage given"):
        do_submit_response(
            world.wave,
            world.aspen,
            key=uuid.uuid4(),
            answers=_answers(world),
            year_group=5,
            key_stage="KS4",
        )
    with pytest.raises(SubmissionError, match="not one of this survey's genders"):
        do_submit_response(
            world.wave, world.aspen, key=uuid.uuid4(), answers=_answers(world), gender="x"
        )


@pytest.mark.django_db(transaction=True)
def test_it_stores_concurrent_retries_once(live_world: World) -> None:
    """Two deliveries of one submission racing each other: one row, both acknowledged."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    key = uuid.uuid4()
    answers = _answers(live_world)

    def submit() -> bool:
        try:
            return do_submit_response(
                live_world.wave, live_world.aspen, key=key, answers=answers
            ).created
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        created = list(pool.map(lambda _: submit(), range(8)))
    assert created.count(True) == 1
    assert Response.objects.filter(idempotency_key=key).count() == 1
