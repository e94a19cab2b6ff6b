"""Every report's HTML is well-formed enough for assistive technology: no id appears twice
(labels, figure captions and skip links point at ids), in every mode."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from learnsurvey.reports.global_ import GlobalReport, render_global_report
from learnsurvey.reports.render import Mode
from learnsurvey.reports.school import SchoolReports, render_school_report
from learnsurvey.reports.trust import TrustReports, render_trust_report

MODES: list[Mode] = ["web", "file", "pdf"]


def _repeated_ids(html: str) -> list[str]:
    counts = Counter(re.findall(r'\sid="([^"]+)"', html))
    return sorted(name for name, n in counts.items() if n > 1)


@pytest.fixture(scope="module")
def pages(
    school_reports: SchoolReports, trust_reports: TrustReports, global_report: GlobalReport
) -> dict[str, dict[str, str]]:
    school, trust = school_reports, trust_reports
    reports = {
        "school": (school.build(school.schools[0]), render_school_report),
        "trust": (trust.build(trust.trusts[0]), render_trust_report),
        "global": (global_report, render_global_report),
    }
    return {
        kind: {mode: render(report, mode=mode) for mode in MODES}  # type: ignore[operator]
        for kind, (report, render) in reports.items()
    }


@pytest.mark.parametrize("kind", ["school", "trust", "global"])
@pytest.mark.parametrize("mode", MODES)
def test_no_report_repeats_an_id(pages: dict[str, dict[str, str]], kind: str, mode: str) -> None:
    assert _repeated_ids(pages[kind][mode]) == []


@pytest.mark.parametrize("kind", ["school", "trust", "global"])
def test_printed_reports_load_no_script_and_web_reports_no_remote_resource(
    pages: dict[str, dict[str, str]], kind: str
) -> None:
    assert "<script" not in pages[kind]["pdf"]
    for html in pages[kind].values():
        assert not re.search(r'(src|href)="(https?:)?//', html)
