"""Reports built from the database, kept in this process while the wave is unchanged.

Reading a wave's responses and doing the wave-level work of its reports takes seconds for
30,000 pupils, far too slow for every page view and every PDF request, while the result only
changes when a response arrives. So the built objects are kept per *inputs version*
(:func:`~learnsurvey.web.reports.sources.inputs_version`: the newest response ids of the
wave, its previous wave and its staff survey, and the threshold), a few waves at most. Each
process (web worker, task worker) has its own small cache; nothing here is shared or
written anywhere.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.utils.translation import gettext as django_gettext

from learnsurvey.analysis.figures.over_time import OverTimeFigures
from learnsurvey.analysis.figures.wave import WaveFigures, build_wave_figures
from learnsurvey.reports import ReportInputs
from learnsurvey.reports.global_ import GlobalReport, build_global_report
from learnsurvey.reports.plans import SchoolPlan
from learnsurvey.reports.school import SchoolReports
from learnsurvey.reports.trust import TrustReports
from learnsurvey.web.dashboards.over_time_store import over_time_parts
from learnsurvey.web.waves.models import Wave

from .sources import Progress, inputs_from_database, inputs_version

__all__ = ["Prepared", "clear", "prepared"]

MAX_WAVES = 4  # a handful of waves' figures: megabytes each, whatever the wave's size


@dataclass
class Prepared:
    """One wave's inputs, its figures and the reports' wave-level work, each built on first
    use. The reports present the same :class:`WaveFigures` the dashboards stored (when the
    dashboards' recompute ran in this process, nothing is built twice)."""

    inputs: ReportInputs
    wave_id: int = 0
    """The wave's id, to read its stored figures over time (0: none)."""
    _figures: WaveFigures | None = None
    _over_time: OverTimeFigures | None = None
    _schools: SchoolReports | None = None
    _trusts: TrustReports | None = None
    _global: GlobalReport | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock)
    """Re-entrant: a report's builder asks for :meth:`figures` under the same lock."""

    def figures(self) -> WaveFigures:
        """The wave's figures (the contract every view reads), built once."""
        with self._lock:
            if self._figures is None:
                self._figures = build_wave_figures(self.inputs)
            return self._figures

    def keep_over_time(self, figures: OverTimeFigures | None) -> None:
        """The figures over time the dashboards just built and stored for this wave."""
        with self._lock:
            self._over_time = figures

    def over_time(self) -> OverTimeFigures | None:
        """The figures over time of the series ending at this wave: those kept by
        :meth:`keep_over_time`, else the stored ones (None: a series of one wave, or not
        computed yet). Never computed here."""
        with self._lock:
            if self._over_time is None and self.wave_id:
                stored = over_time_parts(self.wave_id)
                self._over_time = stored[0] if stored is not None else None
            return self._over_time

    def plans(self) -> dict[str, SchoolPlan]:
        """The schools' priorities and actions for this wave's reports, read afresh (they
        change without a response arriving), labels in the active language."""
        if not self.wave_id:
            return {}
        from learnsurvey.web.improvement.plans import school_plans

        return school_plans(self.wave_id)

    def schools(self) -> SchoolReports:
        with self._lock:
            plans = self.plans()
            if self._schools is None:
                # Django's gettext follows the language active when a report is *built*, so
                # one prepared object serves readers of every language.
                self._schools = SchoolReports(
                    self.inputs,
                    gettext=django_gettext,
                    figures=self.figures().schools,
                    over_time=self.over_time(),
                    plans=plans,
                )
            # The records are the school's own, changed at any time: the built reports keep
            # their figures and take the plans as they stand now.
            self._schools.plans = plans
            return self._schools

    def trusts(self) -> TrustReports:
        with self._lock:
            plans = self.plans()
            if self._trusts is None:
                self._trusts = TrustReports(
                    self.inputs, self.figures().trusts, over_time=self.over_time(), plans=plans
                )
            self._trusts.plans = plans
            return self._trusts

    def global_report(self) -> GlobalReport:
        """The wave's global report (built whole: it has no per-reader part)."""
        with self._lock:
            if self._global is None:
                self._global = build_global_report(
                    self.inputs, figures=self.figures().global_, over_time=self.over_time()
                )
            return self._global


_CACHE: OrderedDict[tuple[int, ...], Prepared] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def prepared(wave: Wave, *, fresh: bool = False, progress: Progress | None = None) -> Prepared:
    """The prepared reports of ``wave`` as its data stand now.

    ``fresh`` reads the inputs anew even when the version is unchanged (the dashboards'
    recompute: the schools' context, such as a name, may have changed) and keeps the result
    for the reports; ``progress``: see :func:`~.sources.inputs_from_database`."""
    version = inputs_version(wave)
    with _CACHE_LOCK:
        hit = None if fresh else _CACHE.get(version)
        if hit is not None:
            _CACHE.move_to_end(version)
            return hit
    built = Prepared(inputs_from_database(wave, progress=progress), wave_id=wave.pk)
    with _CACHE_LOCK:
        for stale in [k for k in _CACHE if k[0] == wave.pk]:
            del _CACHE[stale]  # an older version of the same wave is never read again
        _CACHE[version] = built
        while len(_CACHE) > MAX_WAVES:
            _CACHE.popitem(last=False)
    return built


def clear() -> None:
    """Forget every prepared wave (tests; a change of settings)."""
    with _CACHE_LOCK:
        _CACHE.clear()
