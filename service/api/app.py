"""The Litestar application: `create_app(settings)`; nothing is read at import time."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar, get
from litestar.concurrency import get_asyncio_executor, set_asyncio_executor
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from data.generations import Generations
from data.store import Store
from service.api import deps
from service.api.auth import authenticated, principal
from service.api.bodies import StrictBodies
from service.api.deps import LiveDep, StoreDep
from service.api.edge import edge
from service.api.errors import HANDLERS, NotReady
from service.api.exchange import Exchange
from service.api.followup import FollowUp
from service.api.kpis import KpiRoutes
from service.api.matching_routes import Matching
from service.api.models import Models
from service.api.organizations import Organizations
from service.api.schema import VariadicTuples, document_errors
from service.api.state import Jobs
from service.api.types import Health, Ready
from service.console import console
from service.kpis import KpiService
from service.live import LiveEngine
from service.settings import Settings

MAX_BODY_BYTES = 256 * 1024
SWAGGER = "/static/swagger"  # Swagger UI's files, served here: /docs loads nothing from outside


def swagger_plugin() -> SwaggerRenderPlugin:
    return SwaggerRenderPlugin(
        path="/", js_url=f"{SWAGGER}/swagger-ui-bundle.js", css_url=f"{SWAGGER}/swagger-ui.css",
        standalone_preset_js_url=f"{SWAGGER}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{SWAGGER}/favicon-32x32.png'>")


@get("/health", sync_to_thread=False, tags=["service"])
def health() -> Health:
    """The process is up."""
    return Health(status="ok")


@get("/ready", sync_to_thread=True, tags=["service"])
def ready(store: StoreDep, live: LiveDep) -> Ready:
    """The store answers and the engine is loaded (503 otherwise); the generation of the
    ecosystem and the model this process serves, beside the store's."""
    try:
        organizations = store.count("organizations")
        store_generation = Generations(store).current()
    except sqlite3.Error as exc:
        raise NotReady(f"the store does not answer: {exc}") from exc
    served = live.served
    return Ready(status="ready", organizations=organizations, model_version=served.model_version,
                 scorer=served.scorer, compiled=served.compiled, generation=served.generation,
                 store_generation=store_generation,
                 indexed=served.engine.eco.n, rebuilding=live.rebuilding, worker=os.getpid(),
                 fallback=served.note, note=live.last_error)


# Threads for request handlers. A live list waits its turn for the engine in one of them
# (``LiveEngine.computing``), so there must be many more than the event loop's default
# (six on two cores), or /ready, stored lists and writes would queue behind waiting lists.
REQUEST_THREADS = 64


def create_app(settings: Settings) -> Litestar:
    if get_asyncio_executor() is None:  # one pool per process (it cannot be set once serving)
        set_asyncio_executor(ThreadPoolExecutor(REQUEST_THREADS, thread_name_prefix="kyoso-request"))

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        store = Store(settings.db)
        try:
            app.state.store = store
            app.state.key_store = Store(settings.db)
            app.state.live = LiveEngine(settings.db, poll=settings.poll_seconds)
            app.state.jobs = Jobs(settings, app.state.live, store)
            app.state.kpis = KpiService(settings.db, settings.stall_rules)
            yield
        finally:
            app.state.jobs.join(timeout=5) if hasattr(app.state, "jobs") else None
            app.state.kpis.close() if hasattr(app.state, "kpis") else None
            app.state.live.close() if hasattr(app.state, "live") else None
            app.state.key_store.close() if hasattr(app.state, "key_store") else None
            store.close()

    pages = console(settings)
    app = Litestar(
        route_handlers=[health, ready, Organizations, Matching, Exchange, FollowUp, KpiRoutes, Models,
                        create_static_files_router(SWAGGER, [Path(__file__).parent / "static" / "swagger"],
                                                   include_in_schema=False),
                        *pages.route_handlers],
        dependencies={**pages.dependencies,
                      "principal": Provide(principal), "store": Provide(deps.store, sync_to_thread=False),
                      "live": Provide(deps.live, sync_to_thread=False),
                      "jobs": Provide(deps.jobs, sync_to_thread=False),
                      "kpis": Provide(deps.kpis, sync_to_thread=False),
                      "settings": Provide(lambda: settings, sync_to_thread=False)},
        lifespan=[lifespan],
        guards=[authenticated],
        plugins=[StrictBodies(), VariadicTuples()],
        exception_handlers={**HANDLERS, **pages.exception_handlers},
        template_config=pages.template_config,
        middleware=pages.middleware,
        stores=pages.stores,
        on_startup=pages.on_startup,
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="Kyoso API", version="1", path="/docs",
            description="Two-way complementary co-creation partners, consortia and themes.",
            render_plugins=[swagger_plugin(), JsonRenderPlugin(path="/openapi.json")],
            components=Components(security_schemes={"ApiKey": SecurityScheme(
                type="apiKey", name="X-API-Key", security_scheme_in="header")}),
            security=[{"ApiKey": []}],
        ),
    )
    document_errors(app)
    # Around routing itself, so unknown routes are bounded and logged too.
    app.asgi_handler = edge(settings.body_timeout, page=pages.edge_page(app))(app.asgi_handler)
    return app


def app_from_env() -> Litestar:
    """Entry point for ASGI servers (settings from the environment)."""
    return create_app(Settings.from_env())
