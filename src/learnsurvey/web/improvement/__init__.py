"""Acting on the results: a school's priorities for a year, their actions, and their impact."""
