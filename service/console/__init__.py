"""The web console at /console: server-rendered pages for offices and analysts, in Japanese
and English, over the API's own handler functions and disclosure rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, Router
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from service.api.auth import Forbidden
from service.api.errors import http_error
from service.console import pages
from service.console.analyst import AnalystPages
from service.console.errors import PAGE_HANDLERS, edge_page, unrouted
from service.console.followup import FollowUpPages
from service.console.office import OfficePages
from service.console.render import Problem, page
from service.console.session import (
    SESSION_STORE,
    CsrfRefused,
    NotSignedIn,
    checked_form,
    console_user,
    drop_expired_sessions,
    session_config,
    session_store,
)
from service.console.teams import TeamPages
from service.settings import Settings

HERE = Path(__file__).parent


def forbidden(request: Request, exc: Forbidden) -> Response:
    """A role the page refuses: a page that says why (the API answers with its JSON error)."""
    return page(request, "done.html", problem=Problem(403, "forbidden", str(exc)))


@dataclass(frozen=True)
class Console:
    """What the app needs to serve the console."""

    route_handlers: list[Any]
    dependencies: dict[str, Provide]
    template_config: TemplateConfig
    middleware: list[Any]
    stores: dict[str, Any]
    on_startup: list[Any]
    exception_handlers: dict[Any, Any]  # the app's, for requests no route took
    edge_page: Callable[[Litestar], Any]  # pages for the edge's refusals before routing


def console(settings: Settings) -> Console:
    return Console(
        # The console's own error pages sit on its router: the API's handlers stay JSON.
        route_handlers=[Router("/", route_handlers=[
            pages.signin_page, pages.signin, pages.signout, pages.home, pages.switch_lang, pages.root,
            OfficePages, FollowUpPages, TeamPages, AnalystPages,
            create_static_files_router("/console/static", [HERE / "static"], include_in_schema=False)],
            exception_handlers={**PAGE_HANDLERS, NotSignedIn: pages.not_signed_in,
                                CsrfRefused: pages.csrf_refused, Forbidden: forbidden},
            # Pages show what only this key may see: no copy stays behind after sign-out.
            cache_control=CacheControlHeader(no_store=True))],
        dependencies={"user": Provide(console_user), "form": Provide(checked_form)},
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine),
        middleware=[session_config().middleware],
        stores={SESSION_STORE: session_store(settings)},
        on_startup=[drop_expired_sessions],
        exception_handlers={HTTPException: unrouted(http_error)},
        edge_page=edge_page,
    )


__all__ = ["Console", "console", "forbidden"]
