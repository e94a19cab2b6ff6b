"""Downloads: the leaders' aggregated tables and researchers' anonymised response-level data."""
