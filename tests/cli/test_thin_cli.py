"""The command line is a thin layer: it reaches the web platform through one adapter,
``learnsurvey._platform``, and its file commands never start Django."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import learnsurvey

PACKAGE = Path(learnsurvey.__file__).parent
CLI_MODULES = sorted(PACKAGE.glob("cli*.py"))
ADAPTER = "learnsurvey._platform"


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (lazy imports inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_it_has_the_cli_modules_it_scans() -> None:
    assert {p.name for p in CLI_MODULES} >= {"cli.py", "cli_report.py", "cli_export.py"}


@pytest.mark.parametrize("path", CLI_MODULES, ids=lambda p: p.name)
def test_it_imports_neither_django_nor_the_web_app(path: Path) -> None:
    imported = _imports(path)
    assert not {m for m in imported if m == "django" or m.startswith("django.")}
    assert not {m for m in imported if m.startswith("learnsurvey.web")}


def test_it_reaches_the_database_only_through_the_adapter() -> None:
    users = {p.name for p in CLI_MODULES if ADAPTER in _imports(p)}
    assert users == {"cli_report.py", "cli_export.py"}


def test_it_answers_help_and_analyses_without_starting_django(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from learnsurvey.cli import main\n"
        "result = CliRunner().invoke(main, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "result = CliRunner().invoke(main, ['instruments'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith(('django.', "
        "'learnsurvey.web', 'learnsurvey._platform'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_it_answers_help_without_the_analysis_stack_or_the_instruments() -> None:
    # `learnsurvey --help` lists every command; each imports what it uses when it runs.
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from learnsurvey.cli import main\n"
        "result = CliRunner().invoke(main, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'analyse' in result.output and 'report' in result.output, result.output\n"
        "heavy = ('numpy', 'pandas', 'scipy', 'statsmodels', 'pyarrow', 'pydantic', 'yaml')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
