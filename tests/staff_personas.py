"""The staff survey beside the personas' pupil wave (tests/personas.py), for the staff tests.

- "Phase Two staff": the staff survey paired with "Phase Two" (``Wave.pupil_wave``), open
  the same dates; Aspen and Cedar take part through the pupil wave (no participation of
  their own in the staff wave).
- aspen_staff_code / cedar_staff_code: each school's staff code (no year group).
"""

from __future__ import annotations

from dataclasses import dataclass

from learnsurvey.instruments import load_instrument
from learnsurvey.web.waves.models import AccessCode, Wave
from personas import World


@dataclass
class StaffWorld:
    world: World
    staff_wave: Wave
    aspen_staff_code: AccessCode
    cedar_staff_code: AccessCode


def add_staff_wave(world: World) -> StaffWorld:
    inst = load_instrument("staff-survey")
    staff_wave = Wave.objects.create(
        name="Phase Two staff",
        instrument_id=inst.id,
        instrument_version=inst.version,
        opens=world.wave.opens,
        closes=world.wave.closes,
        pupil_wave=world.wave,
    )
    return StaffWorld(
        world=world,
        staff_wave=staff_wave,
        aspen_staff_code=AccessCode.objects.create(
            wave=staff_wave, school=world.aspen, label="All staff"
        ),
        cedar_staff_code=AccessCode.objects.create(wave=staff_wave, school=world.cedar),
    )
