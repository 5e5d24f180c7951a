"""Pages: a template with the visitor's language, the session's CSRF token (none for a visitor
not signed in), and a problem named by its field when a request was refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.response import Template

from data.records import MATCH_MODES, NAME_MAX, NOTE_MAX, TEXT_MAX
from data.taxonomy import TAG_BY_ID
from service.api.errors import status_and_body
from service.console.i18n import LANGS, console_lang, refusal_words, say, words
from service.console.i18n import name as code_name
from service.console.session import CSRF_FIELD, csrf_token, signed_in

LANG_COOKIE = "kyoso_lang"
T = TypeVar("T")


class Problem(msgspec.Struct, frozen=True):
    """Why a request was refused, for the page: the API's error code and message (none for the
    console's own refusals, which its words say) and the field at fault."""

    status: int
    code: str
    message: str = ""
    field: str | None = None


_AT = re.compile(r"at `([^`]+)`")


def problem_of(exc: Exception) -> Problem | None:
    """The API's status and message for a domain error or a record that failed validation."""
    if isinstance(exc, msgspec.ValidationError):
        found = _AT.search(str(exc))
        return Problem(422, "invalid_input", str(exc), found.group(1) if found else None)
    found_body = status_and_body(exc)
    if found_body is None:
        return None
    status, body = found_body
    return Problem(status, body.code, body.message, body.field)


def attempt(call: Callable[[], T]) -> tuple[T | None, Problem | None]:
    """Run one service call; a refusal the API would answer with 4xx comes back as a Problem."""
    try:
        return call(), None
    except Exception as exc:
        problem = problem_of(exc)
        if problem is None or problem.status >= 500:
            raise
        return None, problem


def lang_of(request: Request) -> str:
    return console_lang(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def tag_label(tag_id: str, lang: str) -> str:
    tag = TAG_BY_ID.get(tag_id)
    return (tag.ja if lang == "ja" else tag.en) if tag else tag_id


def page(request: Request, template: str, *, status: int | None = None, problem: Problem | None = None,
         csrf: str | None = None, **context: Any) -> Template:
    """The page; its status is the problem's unless given (a problem kept from the request
    before, shown after a redirect, is not this request's); its forms' token is the session's
    unless given (the sign-in form's). It starts no session."""
    lang = lang_of(request)
    status = status or (problem.status if problem else 200)
    return Template(template_name=template, status_code=status, context={
        "user": signed_in(request), **context, "lang": lang, "langs": LANGS, "t": words(lang),
        "problem": problem,
        "said": refusal_words(problem.code, problem.message, lang, problem.field) if problem else None,
        "csrf_field": CSRF_FIELD, "csrf": csrf_token(request) if csrf is None else csrf,
        "path": request.url.path,
        "label": lambda tag: tag_label(tag, lang), "name": lambda ns, code: code_name(ns, code, lang),
        "say": lambda text: say(text, lang), "modes": MATCH_MODES,
        "limits": {"name": NAME_MAX, "text": TEXT_MAX, "note": NOTE_MAX},
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else "")})  # to come back to

