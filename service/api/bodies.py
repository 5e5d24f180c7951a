"""Request bodies: JSON only, bounded in depth, decoded strictly into their Struct.

Litestar converts bodies with ``strict=False`` (``"1999"`` would become ``1999``); every body
of this API is decoded here instead, through a serialization plugin that hands each
handler's ``data`` to :class:`StrictBody`.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import msgspec
from litestar.dto import AbstractDTO
from litestar.plugins import SerializationPlugin
from litestar.typing import FieldDefinition

from service.api.errors import BodyTooDeep, InvalidBody, MalformedBody, UnsupportedMediaType

MAX_BODY_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_AT = re.compile(r" - at (?:`key` in )?`(\$[^`]*)`$")
_NAMED = re.compile(r"(?:required|unknown) field `([^`]+)`")


def nesting_depth(raw: bytes) -> int:
    """How deep arrays and objects nest in a JSON text (brackets inside strings ignored)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def field_of(message: str) -> str | None:
    """The JSON path a msgspec validation message names (``$.needs[0].text``), if any."""
    if at := _AT.search(message):
        path = at.group(1)
        named = _NAMED.search(message)
        return f"{path}.{named.group(1)}" if named else path
    if named := _NAMED.search(message):
        return f"$.{named.group(1)}"
    return None


def leading_field(message: str, model: Any) -> str | None:
    """The field a record's own check names: its messages start with the field they are
    about ("at lies in the future …", "members must be distinct …")."""
    word = message.split(" ", 1)[0]
    fields = getattr(model, "__struct_fields__", ())
    return f"$.{word}" if word in fields else None


@cache
def _decoder(model: Any) -> msgspec.json.Decoder:
    return msgspec.json.Decoder(model, strict=True)


def decode_body(raw: bytes, content_type: str, model: Any) -> Any:
    """A request body as ``model``, or a domain error naming what is wrong with it."""
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise UnsupportedMediaType(content_type)
    if nesting_depth(raw) > MAX_BODY_DEPTH:
        raise BodyTooDeep(MAX_BODY_DEPTH)
    try:
        return _decoder(model).decode(raw)
    except msgspec.ValidationError as exc:
        # A message naming no field is about the body as a whole (an array for an object).
        raise InvalidBody(str(exc), field_of(str(exc)) or leading_field(str(exc), model) or "$") from None
    except msgspec.DecodeError as exc:
        raise MalformedBody(str(exc)) from None


class StrictBody(AbstractDTO):
    """Decodes a handler's ``data`` with :func:`decode_body`; responses pass through as they are."""

    def decode_bytes(self, value: bytes) -> Any:
        return decode_body(value, self.asgi_connection.content_type[0], self.model_type)

    def decode_builtins(self, value: dict[str, Any]) -> Any:
        return msgspec.convert(value, self.model_type, strict=True)

    def data_to_encodable_type(self, data: Any) -> Any:
        return data

    @classmethod
    def generate_field_definitions(cls, model_type: type[Any]):  # pragma: no cover - unused
        return iter(())

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:  # pragma: no cover
        return False

    @classmethod
    def create_for_field_definition(cls, field_definition: FieldDefinition, handler_id: str,
                                    backend_cls: Any = None) -> None:
        return None

    @classmethod
    def create_openapi_schema(cls, field_definition: FieldDefinition, handler_id: str, schema_creator):
        plain = FieldDefinition.from_annotation(field_definition.annotation)
        return schema_creator.for_field_definition(plain)


class StrictBodies(SerializationPlugin):
    """Every handler's ``data`` parameter is decoded by :class:`StrictBody`."""

    def supports_type(self, field_definition: FieldDefinition) -> bool:
        return field_definition.name == "data"

    def create_dto_for_type(self, field_definition: FieldDefinition) -> type[AbstractDTO]:
        return StrictBody[field_definition.annotation]
