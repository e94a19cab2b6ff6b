"""A fresh process answers a pupil without the dashboards' and reports' stack (``lazyurls``):
the URLconf imports the other apps' views, and through them pandas, scipy, statsmodels and
Altair, only when a path under their prefix is resolved or one of their names reversed; and
the WSGI module imports everything at start-up, so that no request waits for it.

The processes are fresh (``python -c``): this one has imported everything long ago.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import import_module
from pathlib import Path

from django.urls import get_resolver, reverse

from learnsurvey.web.lazyurls import LazyURLResolver, load_all

HEAVY = ("pandas", "scipy", "statsmodels", "altair")
CODE = "ABCDEFGHJK"
PUPIL_PATHS = [
    "/",
    "/thanks/",
    f"/s/{CODE}/",
    f"/s/{CODE}/about/",
    f"/s/{CODE}/role/",
    f"/s/{CODE}/survey/",
    f"/s/{CODE}/submit/",
    f"/s/{CODE}/responses",
]


def _fresh(tmp_path: Path, script: str, *, drop: tuple[str, ...] = ()) -> dict[str, object]:
    """Run ``script`` in a fresh process with the platform's settings (SQLite in
    ``tmp_path``), without the environment variables ``drop``; it prints one JSON object,
    which is returned."""
    dropped = {"DATABASE_URL", "REDIS_URL", *drop}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env |= {"DJANGO_SETTINGS_MODULE": "learnsurvey.web.settings"}
    env |= {"LEARNSURVEY_DATA_DIR": str(tmp_path)}
    (tmp_path / "static").mkdir()  # STATIC_ROOT: whitenoise warns when it does not exist
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


PREAMBLE = f"""
import json, sys
import django
django.setup()
HEAVY = {HEAVY!r}
def heavy():
    return sorted(m for m in HEAVY if m in sys.modules)
APPS = tuple(f"learnsurvey.web.{{a}}." for a in ("dashboards", "reports", "exports", "improvement"))
def web_modules():  # the other apps' modules imported, to tell why
    return sorted(m for m in sys.modules if m.startswith(APPS))
"""


def test_it_resolves_and_answers_a_pupils_urls_without_the_analysis_stack(
    tmp_path: Path,
) -> None:
    script = PREAMBLE + (
        "from django.test import Client\n"
        "from django.test.utils import setup_test_environment\n"
        "from django.urls import get_resolver, resolve, reverse\n"
        "get_resolver().url_patterns\n"
        f"views = [resolve(p).view_name for p in {PUPIL_PATHS!r}]\n"
        f"links = [reverse('pupil:' + n, args=['{CODE}']) for n in "
        "('language', 'about', 'role', 'survey', 'submit', 'responses')]\n"
        "links += [reverse('pupil:start'), reverse('pupil:thanks')]\n"
        "after_urls = heavy()\n"
        "setup_test_environment()\n"
        "page = Client().get('/')\n"  # renders a pupil's page: every tag library is loaded
        "print(json.dumps({'views': views, 'links': links, 'after_urls': after_urls,\n"
        "    'status': page.status_code, 'after_page': heavy(), 'web': web_modules(),\n"
        "    'dashboards': 'learnsurvey.web.dashboards.views' in sys.modules}))\n"
    )
    found = _fresh(tmp_path, script)
    names = ["start", "thanks", "language", "about", "role", "survey", "submit", "responses"]
    assert found["views"] == [f"pupil:{n}" for n in names]
    assert found["links"] == [*PUPIL_PATHS[2:], "/", "/thanks/"]
    assert found["status"] == 200
    # Django imports every app's template tag libraries to render any page: one that
    # imports the analysis at its top is listed among the modules here.
    assert found["after_urls"] == [], found["web"]
    assert found["after_page"] == [], found["web"]
    assert found["dashboards"] is False


def test_it_imports_an_apps_urls_when_a_path_or_name_of_it_is_first_needed(
    tmp_path: Path,
) -> None:
    script = PREAMBLE + (
        "from django.urls import resolve, reverse\n"
        "loaded = lambda app: f'learnsurvey.web.{app}.urls' in sys.modules\n"
        "resolve('/')\n"
        "before = [loaded(a) for a in ('reports', 'exports')]\n"
        "view = resolve('/reports/vega.js').view_name\n"
        "link = reverse('exports:responses', args=[3, 'csv'])\n"
        "print(json.dumps({'before': before, 'view': view, 'link': link,\n"
        "    'after': [loaded(a) for a in ('reports', 'exports')]}))\n"
    )
    found = _fresh(tmp_path, script)
    assert found["before"] == [False, False]
    assert found["view"] == "reports:vega"
    assert found["link"] == "/exports/waves/3/responses.csv"
    assert found["after"] == [True, True]


def test_it_warms_a_process_that_loads_the_application_before_it_forks(tmp_path: Path) -> None:
    # As gunicorn's --preload: the master imports the WSGI module, then forks its workers.
    apps = ("accounts", "dashboards", "exports", "reports", "waves", "schools", "improvement")
    apps += ("partners", "api")
    script = PREAMBLE + (
        "import os\n"
        "import learnsurvey.web.wsgi\n"
        "loaded = heavy()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"  # a worker: warm, and numpy's and pandas' threads work after the fork
        "    import numpy as np, pandas as pd\n"
        "    np.linalg.svd(np.arange(90000.0).reshape(300, 300) % 7)\n"
        "    pd.DataFrame({'school': ['a', 'b'] * 500}).groupby('school').size()\n"
        "    os._exit(0 if 'learnsurvey.web.dashboards.views' in sys.modules else 3)\n"
        "_, status = os.waitpid(pid, 0)\n"
        f"print(json.dumps({{'urls': [a for a in {apps!r} "
        "if f'learnsurvey.web.{a}.urls' not in sys.modules],\n"
        "    'tags': 'learnsurvey.web.dashboards.templatetags.outcome_blocks' in sys.modules,\n"
        "    'before_fork': loaded, 'after_fork': heavy(),\n"
        "    'child': os.waitstatus_to_exitcode(status)}))\n"
    )
    # OpenBLAS with its own threads, as a server runs (the tests' one-thread setting dropped).
    found = _fresh(tmp_path, script, drop=("OPENBLAS_NUM_THREADS",))
    assert found["before_fork"] == [], "importing the WSGI module alone should stay light"
    assert found == {
        "urls": [],
        "tags": True,
        "before_fork": [],
        "after_fork": sorted(HEAVY),
        "child": 0,  # the worker starts with the views imported
    }


def test_it_names_each_lazy_include_as_its_module_does() -> None:
    lazy = [p for p in get_resolver().url_patterns if isinstance(p, LazyURLResolver)]
    assert {p.app_name for p in lazy} >= {"accounts", "dashboards", "reports", "api"}
    for resolver in lazy:
        assert isinstance(resolver.urlconf_name, str)
        module = import_module(resolver.urlconf_name)
        assert (resolver.app_name, resolver.namespace) == (module.app_name, module.app_name)


def test_it_counts_every_pattern_and_reverses_names_of_every_app_after_loading_all() -> None:
    assert load_all() > 100
    assert reverse("dashboards:home") == "/dashboards/"
    assert reverse("reports:vega") == "/reports/vega.js"
    assert reverse("api:api-root") == "/api/"
    assert reverse("accounts:login") == "/accounts/login/"
