"""Reports people can hold: the school, trust and global reports as HTML and PDF.

Django-free: reports are built from :class:`ReportInputs` (from the platform's database or
from a responses file), rendered with Jinja2 templates, drawn with Vega-Lite charts and
printed with WeasyPrint.
"""

from .charts import Chart, Table, make_chart
from .inputs import ReportInputs, inputs_from_files, school_context
from .render import html_to_pdf, render_html, write_assets

__all__ = [
    "Chart",
    "ReportInputs",
    "Table",
    "html_to_pdf",
    "inputs_from_files",
    "make_chart",
    "render_html",
    "school_context",
    "write_assets",
]
