"""One table from domain errors to HTTP statuses; every error body is an ErrorBody."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException

from data.errors import UnknownOrganization, shown
from data.introductions import IntroductionError, UnknownIntroduction
from data.registry import LiveChanged, NoEarlierModel, UnknownModel
from data.retractions import UnknownOutcome
from data.store import OutcomeConflict, StoreError
from data.training_jobs import JobBusy
from matching.consortia import ConsortiumImpossible, UnknownTheme
from matching.followup import EventRejected, InvalidEvent, NotAParty
from matching.ranker import ArtefactMismatch, NotFitted
from service.api.auth import Forbidden, Unauthorized
from service.api.types import ErrorBody
from service.kpis import BadWindow, KpisBusy
from service.lifecycle import WorseModel
from service.modeling import TooFewQueries, TooLittleHistory
from service.verify import ModelDamaged, ProbeInterrupted

log = logging.getLogger("kyoso.api")


class NotReady(Exception):
    """The organisation is known to the store but not yet to the engine."""


class OrganizationExists(Exception):
    def __init__(self, org_id: str) -> None:
        super().__init__(f"organization {shown(org_id)} already exists; update it with PUT")


class SamePair(Exception):
    def __init__(self, org_id: str) -> None:
        super().__init__(f"{shown(org_id)} cannot be paired with itself")


class UnknownJob(Exception):
    def __init__(self, job_id: str) -> None:
        super().__init__(f"unknown job: {shown(job_id)}")


class MissingOrg(Exception):
    def __init__(self) -> None:
        super().__init__("give ?org=ID (admin and analyst keys act for no organisation)")
        self.field = "org"


class IdMismatch(Exception):
    def __init__(self, path_id: str, body_id: str) -> None:
        super().__init__(f"the body's id {shown(body_id)!r} differs from the path's {shown(path_id)!r}")


class FieldError(Exception):
    """A domain error about one request field; ``field`` names it (``$.theme``, ``theme``)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidBody(FieldError):
    """A well-formed JSON body whose values do not fit the record."""


class MalformedBody(FieldError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"the body is not valid JSON: {detail}", "$")


class BodyRequired(FieldError):
    def __init__(self) -> None:
        super().__init__("this request needs a JSON body; it was empty", "$")


class BodyTooDeep(FieldError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the body nests arrays and objects more than {limit} deep")


class UnsupportedMediaType(FieldError):
    def __init__(self, content_type: str) -> None:
        super().__init__(f"bodies must be JSON (Content-Type: application/json), not {content_type!r}")


class QueryTooLong(FieldError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the query string is longer than {limit} bytes")


class BodyTimeout(FieldError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request body did not arrive within {seconds:g} s")


class UnknownThemeIn(UnknownTheme):
    """An unknown theme, with the request field that gave it (``$.theme`` or ``theme``)."""

    def __init__(self, theme: str, field: str) -> None:
        super().__init__(theme)
        self.field = field


@contextmanager
def blame(field: str, *kinds: type[Exception]) -> Iterator[None]:
    """Name ``field`` (a path parameter, ``$.key``) in errors of these kinds raised inside: the
    core that raises them does not know where the request gave the value."""
    try:
        yield
    except kinds as exc:
        exc.field = field  # type: ignore[attr-defined]
        raise


STATUS: dict[type[Exception], tuple[int, str]] = {
    UnknownOrganization: (404, "unknown_organization"),
    UnknownIntroduction: (404, "unknown_introduction"),
    UnknownModel: (404, "unknown_model"),
    UnknownJob: (404, "unknown_job"),
    UnknownOutcome: (404, "unknown_outcome"),
    NoEarlierModel: (409, "no_earlier_model"),
    LiveChanged: (409, "live_model_changed"),
    UnknownTheme: (422, "unknown_theme"),
    InvalidBody: (422, "invalid_input"),
    MalformedBody: (400, "malformed_json"),
    BodyRequired: (400, "body_required"),
    BodyTooDeep: (400, "body_too_deep"),
    UnsupportedMediaType: (415, "unsupported_media_type"),
    QueryTooLong: (414, "query_too_long"),
    BodyTimeout: (408, "body_timeout"),
    Unauthorized: (401, "unauthorized"),
    Forbidden: (403, "forbidden"),
    OutcomeConflict: (409, "idempotency_conflict"),
    OrganizationExists: (409, "organization_exists"),
    IdMismatch: (422, "id_mismatch"),
    SamePair: (422, "same_organization"),
    MissingOrg: (422, "missing_org"),
    IntroductionError: (409, "introduction_state"),
    EventRejected: (409, "event_out_of_order"),
    NotAParty: (403, "not_a_party"),
    InvalidEvent: (422, "invalid_event"),
    BadWindow: (422, "invalid_window"),
    JobBusy: (409, "job_running"),
    WorseModel: (409, "worse_model"),
    ArtefactMismatch: (409, "model_incompatible"),
    ModelDamaged: (422, "model_damaged"),
    ProbeInterrupted: (503, "check_interrupted"),
    TooFewQueries: (422, "too_few_queries"),
    TooLittleHistory: (422, "too_little_history"),
    ConsortiumImpossible: (422, "consortium_impossible"),
    NotFitted: (503, "no_model"),
    NotReady: (503, "not_ready"),
    KpisBusy: (503, "kpis_busy"),
    StoreError: (500, "store_error"),
}


def _response(status: int, body: ErrorBody) -> Response:
    return Response(content=msgspec.json.encode(body), status_code=status,
                    media_type=MediaType.JSON)


def status_and_body(exc: Exception) -> tuple[int, ErrorBody] | None:
    """The status and error body the table gives a domain error (None: not a domain error)."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            status, code = STATUS[cls]
            return status, ErrorBody(code=code, message=str(exc), field=getattr(exc, "field", None))
    return None


def domain_error(_: Request, exc: Exception) -> Response:
    found = status_and_body(exc)
    return _response(*found) if found else unexpected_error(_, exc)


def _query_name(request: Request, param: str) -> str:
    """The name a query parameter has in the URL (``from`` for a parameter named ``start``)."""
    handler = request.scope.get("route_handler")
    found = handler.parsed_fn_signature.parameters.get(param) if handler else None
    alias = getattr(found.kwarg_definition, "name", None) if found else None
    return alias or param


def validation_error(request: Request, exc: ValidationException) -> Response:
    extra = exc.extra if isinstance(exc.extra, list) else []
    first = extra[0] if extra and isinstance(extra[0], dict) else {}
    field = first.get("key")
    source = first.get("source")
    if field and source == "query":
        field = _query_name(request, field)
    if field == "data" and source == "body":  # the body was empty
        return _response(*status_and_body(BodyRequired()))  # type: ignore[misc]
    if field and source == "body":
        field = f"$.{field}"
    message = first.get("message") or str(exc.detail)
    status = 422 if field else 400
    return _response(status, ErrorBody(code="invalid_input", message=str(message), field=field))


HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large", 400: "bad_request",
              401: "unauthorized", 403: "forbidden", 415: "unsupported_media_type"}


def http_status(exc: HTTPException) -> tuple[int, str]:
    """An HTTP error's status and error code."""
    status = 404 if isinstance(exc, NotFoundException) else exc.status_code
    return status, HTTP_CODES.get(status, "http_error")


def http_error(_: Request, exc: HTTPException) -> Response:
    status, code = http_status(exc)
    return _response(status, ErrorBody(code=code, message=str(exc.detail)))


def unexpected_error(_: Request, exc: Exception) -> Response:
    log.exception("unexpected error", exc_info=exc)
    return _response(500, ErrorBody(code="internal_error", message="internal error; it was logged"))


HANDLERS = {
    **dict.fromkeys(STATUS, domain_error),
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
