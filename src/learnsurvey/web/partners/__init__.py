"""Partner schools: schools strong where a school is weak, found only when they opted in."""
