"""Refusals under /console as console pages: in the visitor's language, with the right status
and a way back, whether a console handler refused, no route matched, or the edge turned the
request away before routing. The API's errors stay its JSON."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from litestar import Litestar, MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import Scope

from service.api.edge import Page, Shown
from service.api.errors import STATUS, http_status, status_and_body
from service.console.i18n import LANGS, refusal_words, words
from service.console.render import Problem, lang_of, problem_of

CONSOLE = "/console"
log = logging.getLogger("kyoso.api")


def under_console(path: str) -> bool:
    return path == CONSOLE or path.startswith(CONSOLE + "/")


def error_html(app: Litestar, request: Request, problem: Problem) -> str:
    """The error page; it reads no session (a request no route took has none)."""
    lang = lang_of(request)
    return app.template_engine.get_template("error.html").render(  # type: ignore[union-attr]
        lang=lang, langs=LANGS, t=words(lang), problem=problem, path=request.url.path, user=None,
        said=refusal_words(problem.code, problem.message, lang, problem.field))


def error_page(request: Request, problem: Problem) -> Response:
    return Response(error_html(request.app, request, problem), status_code=problem.status,
                    media_type=MediaType.HTML, headers={"Cache-Control": "no-store"})


def http_error(request: Request, exc: HTTPException) -> Response:
    status, code = http_status(exc)
    return error_page(request, Problem(status, code, str(exc.detail)))


def validation_error(request: Request, exc: ValidationException) -> Response:
    return error_page(request, Problem(400, "bad_request", str(exc.detail)))


def domain_error(request: Request, exc: Exception) -> Response:
    problem = problem_of(exc)
    return error_page(request, problem) if problem else unexpected_error(request, exc)


def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on a console page", exc_info=exc)
    return error_page(request, Problem(500, "internal_error"))


# The console router's own: every error a console handler raises becomes a page.
PAGE_HANDLERS: dict[Any, Callable[..., Response]] = {
    **dict.fromkeys(STATUS, domain_error),
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}


def unrouted(api_handler: Callable[[Request, HTTPException], Response]) -> Callable[..., Response]:
    """The app's handler of routing errors (no such path, no such method): a page under /console,
    the API's JSON elsewhere. Only here does the path decide, as no router took the request."""

    def handler(request: Request, exc: HTTPException) -> Response:
        return http_error(request, exc) if under_console(request.url.path) else api_handler(request, exc)

    return handler


def edge_page(app: Litestar) -> Page:
    """For the edge, which refuses some requests before routing: a page for console paths."""

    def page_for(scope: Scope, exc: Exception) -> Shown | None:
        found = status_and_body(exc)
        if found is None or not under_console(scope.get("path", "")):
            return None
        status, body = found
        html = error_html(app, Request(scope), Problem(status, body.code, body.message, body.field))
        headers = [(b"content-type", b"text/html; charset=utf-8"), (b"cache-control", b"no-store")]
        return status, headers, html.encode()

    return page_for
