"""The benchmark harness of `learnsurvey analyse` (run by benchmarks/run.py and `make bench`)."""
