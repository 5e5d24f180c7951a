"""The OpenAPI document, made true to what the API sends: arrays for tuples, one error body."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.params import BodyKwarg, ParameterKwarg
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

from service.api.types import ErrorBody


class VariadicTuples(OpenAPISchemaPlugin):
    """``tuple[X, ...]`` is an array of X (Litestar's constrained collections add an ``{}`` item)."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return False

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        inner = field_definition.inner_types
        return (field_definition.origin is tuple and len(inner) == 2
                and inner[1].annotation is Ellipsis)

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator) -> Schema:
        schema = Schema(type=OpenAPIType.ARRAY,
                        items=schema_creator.for_field_definition(field_definition.inner_types[0]))
        bounds = field_definition.kwarg_definition
        if isinstance(bounds, BodyKwarg | ParameterKwarg):
            schema.min_items, schema.max_items = bounds.min_items, bounds.max_items
        return schema


def error_statuses(handler: HTTPRouteHandler, path: str) -> set[int]:
    """Every error status this operation can answer with."""
    params = set(handler.parsed_fn_signature.parameters)
    statuses = {414, 500}
    if "principal" in params:
        statuses |= {401, 403}
    if "data" in params:
        statuses |= {400, 408, 413, 415, 422}
    if params - {"self", "principal", "store", "live", "jobs", "data", "request"}:
        statuses |= {400, 422}  # query and path parameters are validated
    if "{" in path or "data" in params:
        statuses.add(404)  # an unknown id in the path or the body
    if handler.http_methods & {"POST", "PUT"} and "principal" in params:
        statuses.add(409)
    if "live" in params:
        statuses.add(503)  # no model, or an organisation not indexed yet
    return statuses


def document_errors(app: Litestar) -> None:
    """Give every operation the ErrorBody for each error status it can return."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler) or not handler.resolve_include_in_schema():
                continue
            documented = {
                status: ResponseSpec(data_container=ErrorBody, generate_examples=False,
                                     description=HTTPStatus(status).phrase)
                for status in sorted(error_statuses(handler, route.path))}
            handler.responses = {**documented, **(handler.responses or {})}
