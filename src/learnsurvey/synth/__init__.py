"""Synthetic responses calibrated to the published Phase One figures, over waves, with staff."""

from .model import ResponseModel
from .params import SynthParams, load_params
from .schools import School, schools_frame
from .staff import StaffModel, staff_roles
from .staff_params import StaffParams, load_staff_params
from .waves import PlantedChange, SyntheticWave, SyntheticWaves, plan_waves
from .waves_params import WavesParams, load_waves_params

__all__ = [
    "PlantedChange",
    "ResponseModel",
    "School",
    "StaffModel",
    "StaffParams",
    "SynthParams",
    "SyntheticWave",
    "SyntheticWaves",
    "WavesParams",
    "load_params",
    "load_staff_params",
    "load_waves_params",
    "plan_waves",
    "schools_frame",
    "staff_roles",
]
