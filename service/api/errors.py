"""One table from domain errors to HTTP statuses; every error body is an ErrorBody."""

from __future__ import annotations

import logging

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException

from data.errors import UnknownOrganization
from data.introductions import IntroductionError, UnknownIntroduction
from data.registry import LiveChanged, NoEarlierModel, UnknownModel
from data.retractions import UnknownOutcome
from data.store import OutcomeConflict, StoreError
from matching.consortia import ConsortiumImpossible, UnknownTheme
from matching.ranker import ArtefactMismatch, NotFitted
from service.api.auth import Forbidden, Unauthorized
from service.api.state import JobBusy
from service.api.types import ErrorBody
from service.lifecycle import WorseModel
from service.modeling import TooFewQueries, TooLittleHistory
from service.verify import ModelDamaged

log = logging.getLogger("kyoso.api")


class NotReady(Exception):
    """The organisation is known to the store but not yet to the engine."""


class OrganizationExists(Exception):
    def __init__(self, org_id: str) -> None:
        super().__init__(f"organization {org_id} already exists; update it with PUT")


class SamePair(Exception):
    def __init__(self, org_id: str) -> None:
        super().__init__(f"{org_id} cannot be paired with itself")


class UnknownJob(Exception):
    def __init__(self, job_id: str) -> None:
        super().__init__(f"unknown job: {job_id}")


class MissingOrg(Exception):
    def __init__(self) -> None:
        super().__init__("give ?org=ID (admin and analyst keys act for no organisation)")


class IdMismatch(Exception):
    def __init__(self, path_id: str, body_id: str) -> None:
        super().__init__(f"the body's id {body_id!r} differs from the path's {path_id!r}")


STATUS: dict[type[Exception], tuple[int, str]] = {
    UnknownOrganization: (404, "unknown_organization"),
    UnknownIntroduction: (404, "unknown_introduction"),
    UnknownModel: (404, "unknown_model"),
    UnknownJob: (404, "unknown_job"),
    UnknownOutcome: (404, "unknown_outcome"),
    NoEarlierModel: (409, "no_earlier_model"),
    LiveChanged: (409, "live_model_changed"),
    UnknownTheme: (422, "unknown_theme"),
    Unauthorized: (401, "unauthorized"),
    Forbidden: (403, "forbidden"),
    OutcomeConflict: (409, "idempotency_conflict"),
    OrganizationExists: (409, "organization_exists"),
    IdMismatch: (422, "id_mismatch"),
    SamePair: (422, "same_organization"),
    MissingOrg: (422, "missing_org"),
    IntroductionError: (409, "introduction_state"),
    JobBusy: (409, "job_running"),
    WorseModel: (409, "worse_model"),
    ArtefactMismatch: (409, "model_incompatible"),
    ModelDamaged: (422, "model_damaged"),
    TooFewQueries: (422, "too_few_queries"),
    TooLittleHistory: (422, "too_little_history"),
    ConsortiumImpossible: (422, "consortium_impossible"),
    NotFitted: (503, "no_model"),
    NotReady: (503, "not_ready"),
    StoreError: (500, "store_error"),
}


def _response(status: int, body: ErrorBody) -> Response:
    return Response(content=msgspec.json.encode(body), status_code=status,
                    media_type=MediaType.JSON)


def domain_error(_: Request, exc: Exception) -> Response:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            status, code = STATUS[cls]
            return _response(status, ErrorBody(code=code, message=str(exc)))
    return unexpected_error(_, exc)


def validation_error(_: Request, exc: ValidationException) -> Response:
    extra = exc.extra if isinstance(exc.extra, list) else []
    first = extra[0] if extra and isinstance(extra[0], dict) else {}
    field = first.get("key")
    source = first.get("source")
    if field and source == "body":
        field = f"$.{field}"
    message = first.get("message") or str(exc.detail)
    status = 422 if field else 400
    return _response(status, ErrorBody(code="invalid_input", message=str(message), field=field))


def http_error(_: Request, exc: HTTPException) -> Response:
    codes = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large",
             400: "bad_request", 401: "unauthorized", 403: "forbidden"}
    status = exc.status_code
    if isinstance(exc, NotFoundException):
        status = 404
    return _response(status, ErrorBody(code=codes.get(status, "http_error"), message=str(exc.detail)))


def unexpected_error(_: Request, exc: Exception) -> Response:
    log.exception("unexpected error", exc_info=exc)
    return _response(500, ErrorBody(code="internal_error", message="internal error; it was logged"))


HANDLERS = {
    **dict.fromkeys(STATUS, domain_error),
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
