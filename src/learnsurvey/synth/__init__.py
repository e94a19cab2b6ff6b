"""Synthetic responses calibrated to the published Phase One figures, over waves, with staff."""

from typing import TYPE_CHECKING

from learnsurvey._lazy import lazy_members

if TYPE_CHECKING:
    from .model import ResponseModel
    from .params import SynthParams, load_params
    from .schools import School, schools_frame
    from .staff import StaffModel, staff_roles
    from .staff_params import StaffParams, load_staff_params
    from .waves import PlantedChange, SyntheticWave, SyntheticWaves, plan_waves
    from .waves_params import WavesParams, load_waves_params

# Each name is imported from its module on first use: `learnsurvey analyse` reads the
# published targets (.targets) and needs none of the models, parameters or waves.
_MODULES = {
    "PlantedChange": "waves",
    "ResponseModel": "model",
    "School": "schools",
    "StaffModel": "staff",
    "StaffParams": "staff_params",
    "SynthParams": "params",
    "SyntheticWave": "waves",
    "SyntheticWaves": "waves",
    "WavesParams": "waves_params",
    "load_params": "params",
    "load_staff_params": "staff_params",
    "load_waves_params": "waves_params",
    "plan_waves": "waves",
    "schools_frame": "schools",
    "staff_roles": "staff",
}


__getattr__ = lazy_members(__name__, globals(), _MODULES)


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
