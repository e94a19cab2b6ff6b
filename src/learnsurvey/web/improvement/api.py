"""The improvement part of the JSON API (mounted under /api/v1/ by ``api.v1``)."""

from ninja import Router

router = Router(tags=["v1"])
