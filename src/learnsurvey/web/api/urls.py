"""The JSON API, mounted at /api/: the OpenAPI schema is /api/openapi.json.

The interactive docs page is off: it would load its scripts from a CDN, and nothing on this
platform comes from a third party. The schema itself is served (unauthenticated).
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from learnsurvey.web.improvement.api import router as improvement_router
from learnsurvey.web.partners.api import router as partners_router
from learnsurvey.web.schools.api import router as schools_router

from .auth import BearerToken
from .v1 import router

VALIDATION_ERRORS = {
    "title": "ValidationErrors",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg"],
                "properties": {
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                },
            },
        }
    },
}


class LearnsurveyAPI(NinjaAPI):
    """The API whose schema documents the 422 every operation can answer (a path, query or
    body that does not parse), in the short form :func:`refuse_invalid` writes."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["ValidationErrors"] = (
            VALIDATION_ERRORS
        )
        invalid = {
            "description": "A parameter or the body is not valid (each field and why).",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ValidationErrors"}}
            },
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation.setdefault("responses", {}).setdefault(422, invalid)
        return schema


api = LearnsurveyAPI(
    title="learnsurvey API",
    version="1",
    description="Results of The Learning Survey (every figure about fewer than the minimum "
    "group size withheld) and response submission for other systems. Authenticate with "
    "`Authorization: Bearer <token>`; a platform administrator issues tokens.",
    auth=BearerToken(),
    docs_url=None,
    urls_namespace="api",
)

LOC_PART_MAX = 40
"""A field name in a refusal is cut to this length: a refusal never echoes a client's text."""


@api.exception_handler(ValidationError)
def refuse_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 naming each field that is wrong and why, without the values sent (pydantic's
    errors carry them as ``input``)."""
    detail: list[dict[str, Any]] = [
        {
            "loc": [p[:LOC_PART_MAX] if isinstance(p, str) else p for p in e.get("loc", ())],
            "msg": e.get("msg", "invalid"),
        }
        for e in exc.errors[:10]
    ]
    return api.create_response(request, {"detail": detail}, status=422)


api.add_router("/v1/", router)
# Each app owns its part of v1; the paths do not overlap.
api.add_router("/v1/", improvement_router)
api.add_router("/v1/", partners_router)
api.add_router("/v1/", schools_router)

app_name = "api"
# Ninja reverses its own views as "<urls_namespace>:…": its patterns go straight into this
# module, whose namespace is "api", rather than nesting a second namespace.
urlpatterns = api.urls[0]
