"""Synthetic responses calibrated to the published Phase One figures."""

from .model import ResponseModel
from .params import SynthParams, load_params
from .schools import School, schools_frame

__all__ = ["ResponseModel", "School", "SynthParams", "load_params", "schools_frame"]
