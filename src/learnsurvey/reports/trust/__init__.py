"""The trust report: a trust's schools side by side, the spread within the trust, the trust
against the wave, the highest and lowest schools where the intervals allow, and the staff
view beside the pupils'.

Every figure comes from the trust's
:class:`~learnsurvey.analysis.figures.trust.TrustFigures`; each section module turns its part
into tables, a chart and words, and :mod:`.report` puts them together. Django-free.
"""

from .report import KICKER, TrustReport, TrustReports, render_trust_report, trust_report

__all__ = ["KICKER", "TrustReport", "TrustReports", "render_trust_report", "trust_report"]
