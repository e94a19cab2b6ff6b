"""The inputs every report reads now live in :mod:`learnsurvey.analysis.inputs`; this name
stays for the callers that import it from the reports."""

from learnsurvey.analysis.inputs import (
    CONTEXT_COLUMNS,
    ReportInputs,
    inputs_from_files,
    school_context,
    split_waves,
)

__all__ = ["CONTEXT_COLUMNS", "ReportInputs", "inputs_from_files", "school_context", "split_waves"]
