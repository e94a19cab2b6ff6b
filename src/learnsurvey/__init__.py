"""learnsurvey: hear what pupils say about their learning, and act on it."""

__version__ = "0.1.0"
