"""The HTTP edge around every route: query-string bound, body read timeout, access log."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.api.auth import caller_of
from service.api.errors import BodyTimeout, QueryTooLong, status_and_body

MAX_QUERY_BYTES = 8 * 1024
access_log = logging.getLogger("kyoso.access")


Shown = tuple[int, list[tuple[bytes, bytes]], bytes]  # a response's status, headers and body
Page = Callable[[Scope, Exception], Shown | None]


def edge(body_timeout: float, page: Page | None = None):
    """ASGI middleware factory; ``body_timeout`` bounds how long reading a body may take;
    ``page`` answers a refusal with a page where it has one (else the JSON error body)."""

    def middleware(app: ASGIApp) -> ASGIApp:
        async def bounded(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            started = time.perf_counter()
            status = 500
            deadline = time.monotonic() + body_timeout
            body_done = False

            async def timed_receive() -> Message:
                nonlocal body_done
                if body_done:
                    return await receive()
                try:
                    message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0))
                except TimeoutError:
                    raise BodyTimeout(body_timeout) from None
                body_done = message["type"] != "http.request" or not message.get("more_body", False)
                return message

            async def watched_send(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
                    await _refuse(watched_send, QueryTooLong(MAX_QUERY_BYTES), scope, page)
                else:
                    await app(scope, timed_receive, watched_send)
            finally:
                caller = caller_of(scope)
                access_log.info(json.dumps({
                    "method": scope["method"], "route": scope.get("path_template"),
                    "status": status, "ms": round((time.perf_counter() - started) * 1000, 1),
                    "key_id": caller.key.id if caller else None,
                    "role": caller.role if caller else None}))

        return bounded

    return middleware


async def _refuse(send: Send, exc: Exception, scope: Scope, page: Page | None) -> None:
    shown = page(scope, exc) if page else None
    if shown is None:
        status, body = status_and_body(exc)  # type: ignore[misc]
        shown = status, [(b"content-type", b"application/json")], msgspec.json.encode(body)
    status, headers, content = shown
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})
