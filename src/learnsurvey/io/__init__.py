"""Reading and writing survey data: responses in, tidy tables out."""

from .errors import Problem, ResponseDataError
from .responses import ResponseChunk, count_rows, read_responses
from .tables import write_tables
from .writers import write_responses

__all__ = [
    "Problem",
    "ResponseChunk",
    "ResponseDataError",
    "count_rows",
    "read_responses",
    "write_responses",
    "write_tables",
]
