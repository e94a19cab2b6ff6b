"""The pupil's pages: code entry, language, about you, the statements (no JavaScript), thanks."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client

from learnsurvey.web.waves.actions import decode_answers
from learnsurvey.web.waves.models import AccessCode, Response
from personas import World


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    # Code look-ups and rate-limit counters live in the process-wide cache.
    cache.clear()
    yield
    cache.clear()


def test_it_shows_the_code_entry_page(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{dashed}", " {spaced} "])
def test_it_accepts_a_code_typed_any_way(client: Client, world: World, typed: str) -> None:
    code = world.aspen_code.code
    entry = typed.format(
        code=code,
        lower=code.lower(),
        dashed=world.aspen_code.display,
        spaced=f"{code[:3]} {code[3:7]} {code[7:]}",
    )
    response = client.post("/", {"code": entry})
    assert response.status_code == 302
    assert response["Location"] == f"/s/{code}/"


def test_it_says_when_a_code_is_unknown(client: Client, world: World) -> None:
    response = client.post("/", {"code": "ZZZZZ-ZZZZZ"})
    assert response.status_code == 404
    assert "We do not recognise that code" in response.content.decode()


def test_it_asks_again_for_an_empty_code(client: Client) -> None:
    response = client.post("/", {"code": " - "})
    assert response.status_code == 400
    assert "Please type your code." in response.content.decode()


def test_it_lists_every_language_in_its_own_name(client: Client, world: World) -> None:
    response = client.get(f"/s/{world.aspen_code.code}/")
    page = response.content.decode()
    assert response.status_code == 200
    instrument = world.wave.instrument()
    assert "English" in page
    for code, translation in instrument.translations.items():
        assert translation.language_name in page
        assert f"/s/{world.aspen_code.code}/about/?lang={code}" in page


def test_it_refuses_a_switched_off_code(client: Client, world: World) -> None:
    AccessCode.objects.filter(pk=world.aspen_code.pk).update(active=False)
    response = client.get(f"/s/{world.aspen_code.code}/")
    assert response.status_code == 404
    assert "switched off" in response.content.decode()


def test_it_refuses_a_code_once_the_wave_has_closed(client: Client, world: World) -> None:
    world.wave.closes = world.wave.opens + timedelta(days=1)
    world.wave.save()
    response = client.get(f"/s/{world.aspen_code.code}/")
    assert response.status_code == 404
    assert "closed" in response.content.decode()


def test_it_asks_year_group_only_when_the_code_does_not_fix_it(
    client: Client, world: World
) -> None:
    fixed = client.get(f"/s/{world.aspen_code.code}/about/?lang=en").content.decode()
    assert 'name="year"' not in fixed
    free = AccessCode.objects.create(wave=world.wave, school=world.birch)
    page = client.get(f"/s/{free.code}/about/?lang=en").content.decode()
    assert 'name="year"' in page
    for gender in world.wave.instrument().demographics.genders:
        assert f'value="{gender}"' in page


def test_it_asks_again_when_no_year_group_is_chosen(client: Client, world: World) -> None:
    free = AccessCode.objects.create(wave=world.wave, school=world.birch)
    response = client.get(f"/s/{free.code}/survey/?lang=en&year=")
    assert response.status_code == 400
    assert "Please choose your year group." in response.content.decode()


def test_it_shows_primary_wording_and_faces_to_a_primary_pupil(
    client: Client, world: World
) -> None:
    page = client.get(f"/s/{world.aspen_code.code}/survey/?lang=en").content.decode()
    instrument = world.wave.instrument()
    for item in instrument.items:
        assert _html(item.text.primary) in page
    assert page.count('class="face"') == len(instrument.items) * instrument.scale.n_categories
    for label in instrument.scale.labels:
        assert label in page
    pages = -(-len(instrument.items) // 6)
    assert f"Page 1 of {pages}" in page
    assert page.count("<progress") == pages


def test_it_shows_secondary_wording_and_words_to_a_secondary_pupil(
    client: Client, world: World
) -> None:
    code = AccessCode.objects.create(wave=world.wave, school=world.birch)
    page = client.get(f"/s/{code.code}/survey/?lang=en&year=9").content.decode()
    instrument = world.wave.instrument()
    for item in instrument.items:
        assert _html(item.text.secondary) in page
    assert 'class="face"' not in page


def test_it_stores_a_survey_posted_without_javascript(client: Client, world: World) -> None:
    code = world.aspen_code.code
    page = client.get(f"/s/{code}/survey/?lang=cy&gender=girl").content.decode()
    key = re.search(r'name="key" value="([0-9a-f-]+)"', page)
    assert key is not None
    instrument = world.wave.instrument()
    answers = {item.id: 3 for item in instrument.items[:10]}
    form = {"key": key.group(1), "lang": "cy", "year": "5", "gender": "girl", **answers}
    response = client.post(f"/s/{code}/submit/", {k: str(v) for k, v in form.items()})
    assert response.status_code == 302
    assert response["Location"] == f"/thanks/?lang=cy&next={code}"
    again = client.post(f"/s/{code}/submit/", {k: str(v) for k, v in form.items()})
    assert again.status_code == 302
    stored = Response.objects.get()
    assert stored.language == "cy"
    assert stored.gender == "girl"
    assert stored.key_stage == "KS2"
    assert stored.idempotency_key == uuid.UUID(key.group(1))
    decoded = decode_answers(instrument, stored.answers)
    assert decoded == {item.id: answers.get(item.id) for item in instrument.items}
    thanks = client.get(response["Location"]).content.decode()
    assert "Diolch" in thanks


def test_it_asks_for_an_answer_when_nothing_was_answered(client: Client, world: World) -> None:
    code = world.aspen_code.code
    form = {"key": str(uuid.uuid4()), "lang": "en", "year": "5", "gender": ""}
    response = client.post(f"/s/{code}/submit/", form)
    assert response.status_code == 400
    assert "Please answer at least one statement." in response.content.decode()
    assert Response.objects.count() == 0


@pytest.mark.parametrize("bad", [{"expectations_1": "abc"}, {"year": "abc"}])
def test_it_shows_the_form_again_for_a_value_that_is_not_a_number(
    client: Client, world: World, bad: dict[str, str]
) -> None:
    code = world.aspen_code.code
    form = {"key": str(uuid.uuid4()), "lang": "en", "year": "5", "gender": "", "challenge_1": "4"}
    response = client.post(f"/s/{code}/submit/", form | bad)
    assert response.status_code == 400
    assert "Something in the form was not right" in response.content.decode()
    assert Response.objects.count() == 0


def test_it_shows_welsh_buttons_on_a_welsh_page(client: Client, world: World) -> None:
    page = client.get(f"/s/{world.aspen_code.code}/survey/?lang=cy").content.decode()
    assert '<html lang="cy" dir="ltr">' in page
    assert "Anfon fy atebion" in page  # Send my answers
    assert "Darllen yn uchel" in page  # Read aloud
    assert "Tudalen 1 o" in page  # Page 1 of
    assert "Send my answers" not in page
    welsh = world.wave.instrument().translations["cy"]
    for item_id, text in welsh.items.items():
        assert _html(text.primary) in page, item_id
    for label in welsh.scale_labels:
        assert _html(label) in page


def test_it_writes_urdu_right_to_left(client: Client, world: World) -> None:
    page = client.get(f"/s/{world.aspen_code.code}/survey/?lang=ur").content.decode()
    assert '<html lang="ur" dir="rtl">' in page
    urdu = world.wave.instrument().translations["ur"]
    first = world.wave.instrument().items[0].id
    assert _html(urdu.items[first].primary) in page
    assert "میرے جوابات بھیجیں" in page  # Send my answers


@pytest.mark.parametrize(("lang", "word"), [("cy", "Amdanat ti"), ("pl", "O tobie")])
def test_it_translates_the_about_page(client: Client, world: World, lang: str, word: str) -> None:
    page = client.get(f"/s/{world.aspen_code.code}/about/?lang={lang}").content.decode()
    assert word in page


def test_it_falls_back_to_english_for_an_unknown_language(client: Client, world: World) -> None:
    page = client.get(f"/s/{world.aspen_code.code}/survey/?lang=xx").content.decode()
    assert '<html lang="en-gb"' in page
    assert "Send my answers" in page


def test_it_thanks_the_pupil(client: Client) -> None:
    assert "Thank you!" in client.get("/thanks/").content.decode()
    assert "شکریہ" in client.get("/thanks/?lang=ur").content.decode()


def _html(text: str) -> str:
    """Text as Django's autoescape writes it."""
    return text.replace("&", "&amp;").replace("'", "&#x27;").replace('"', "&quot;")


def test_it_sets_no_cookies_on_the_pupils_pages(client: Client, world: World) -> None:
    code = world.aspen_code.code
    for path in (
        "/",
        f"/s/{code}/",
        f"/s/{code}/about/?lang=pl",
        f"/s/{code}/survey/?lang=pl",
        "/thanks/?lang=pl",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not response.cookies, path


def test_it_offers_a_school_only_its_own_year_groups(client: Client, world: World) -> None:
    primary = AccessCode.objects.create(wave=world.wave, school=world.aspen)
    secondary = AccessCode.objects.create(wave=world.wave, school=world.birch)
    young = client.get(f"/s/{primary.code}/about/?lang=en").content.decode()
    old = client.get(f"/s/{secondary.code}/about/?lang=en").content.decode()
    assert ">Reception<" in young
    assert ">Year 6<" in young
    assert ">Year 7<" not in young
    assert ">Year 7<" in old
    assert ">Year 13<" in old
    assert ">Year 6<" not in old


def test_a_primary_schools_code_takes_no_secondary_year(client: Client, world: World) -> None:
    code = AccessCode.objects.create(wave=world.wave, school=world.cedar)  # a primary school
    about = client.get(f"/s/{code.code}/about/?lang=en").content.decode()
    assert "Year 6" in about
    assert "Year 10" not in about
    response = client.get(f"/s/{code.code}/survey/?lang=en&year=10")
    assert response.status_code == 400  # asked again, from the primary years


def test_the_start_page_is_offered_in_every_language(client: Client) -> None:
    page = client.get("/").content.decode()
    for code, name in (("cy", "Cymraeg"), ("pl", "polski"), ("ur", "اردو")):
        assert f'href="/?lang={code}" lang="{code}" hreflang="{code}">{name}</a>' in page
    urdu = client.get("/?lang=ur").content.decode()
    assert '<html lang="ur" dir="rtl">' in urdu
    assert 'lang="ur" hreflang="ur" aria-current="page"' in urdu


def _first_face_fill(page: str, item: str) -> str:
    block = page.split(f'data-item="{item}"', 1)[1].split("</fieldset>", 1)[0]
    found = re.search(r'<circle [^>]*fill="(#[0-9a-f]{6})"', block)
    assert found is not None
    return found.group(1)


def test_faces_show_what_an_answer_means_on_a_reverse_worded_statement(
    client: Client, world: World
) -> None:
    instrument = world.wave.instrument()
    reverse = next(item.id for item in instrument.items if item.reverse)
    plain = next(item.id for item in instrument.items if not item.reverse)
    page = client.get(f"/s/{world.aspen_code.code}/survey/?lang=en").content.decode()
    sad, happy = "#f4c7c3", "#bfe6c6"
    assert _first_face_fill(page, plain) == sad  # "Strongly disagree": unhappy
    assert _first_face_fill(page, reverse) == happy  # disagreeing that you worry: happy
    # The answers themselves, and what they store, are the same for every statement.
    labels = re.findall(r'class="choice-label">([^<]+)<', page.split(f'data-item="{reverse}"')[1])
    assert labels[:5] == list(instrument.scale.labels)
