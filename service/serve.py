"""`kyoso serve`: the first run's set-up, then the HTTP server with its worker processes.

Each worker builds its own engine and follows the store (``service.live``), so every worker
serves the same generation of data and the same model within a poll; nothing is shared
between workers but the store.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from data.errors import KyosoError
from data.registry import Registry
from data.store import Store
from service.settings import Settings

APP = "service.api.app:app_from_env"
SERVERS = ("uvicorn", "granian")
# granian by measurement (docs/benchmarks.md); it also answers a huge request line with a 4xx.
DEFAULT_SERVER = "granian"
CLI_ACTOR = "cli"  # who a lifecycle step from the command line is recorded as
# A first model is trained before serving only where that takes well under a minute; a larger
# store is served at once (heuristic scorer) and trained on command, never minutes unanswered.
FIRST_RUN_TRAIN_MAX = 20_000


def prepare_first_run(settings: Settings, host: str, port: int, log: Callable[[str], None]) -> None:
    """Train a first model if none is live, create keys if there are none, and say how to
    try the API."""
    from service.lifecycle import train

    with Store(settings.db) as store:
        # Only a store that never had a model trains one here: a fallback to the heuristic
        # (every version damaged) is an operator's to resolve, not to paper over.
        if not Registry(store).models() and store.count("organizations") > FIRST_RUN_TRAIN_MAX:
            log(f"no model yet: serving with the transparent heuristic scorer; train one with"
                f" `kyoso train` (or Train on the console's models page), which takes minutes at"
                f" {store.count('organizations'):,} organisations")
        elif not Registry(store).models():
            log("no model yet: training one on the outcome log (first run) ...")
            try:
                train(store, settings.models_dir, actor=CLI_ACTOR, log_line=log)
            except KyosoError as exc:
                log(f"could not train ({exc}); serving with the transparent heuristic scorer")
        # The example office: one with a request awaiting its answer and the most open
        # introductions, so its pipeline and digest show something on a first run.
        busiest = store.read(
            "SELECT org FROM (SELECT requester AS org, 0 AS awaiting FROM introductions"
            " WHERE status != 'declined' UNION ALL SELECT target, status = 'requested'"
            " FROM introductions WHERE status != 'declined') GROUP BY org"
            " ORDER BY sum(awaiting) > 0 DESC, count(*) DESC, org LIMIT 1")
        example_org = ([store.get_organization(busiest[0][0])] if busiest
                       else store.list_organizations(limit=1)[0])
        key = "<your key>"
        if store.count("api_keys") == 0:
            _, admin = store.create_api_key("admin")
            _, office = store.create_api_key("office", example_org[0].id if example_org else None)
            log(f"first run: created keys (shown once)\n  admin:  {admin}\n"
                f"  office ({example_org[0].id}): {office}")
            key = office
    base = f"http://{host}:{port}"
    org = example_org[0].id if example_org else "ORG_ID"
    log(f"Kyoso API on {base}  (interactive docs: {base}/docs)")
    log(f"web console: {base}/console  (sign in with an API key; 日本語 / English)")
    log(f"try: curl -H 'X-API-Key: {key}' '{base}/v1/organizations/{org}/suggestions?k=5'")


def run_server(settings: Settings, *, host: str, port: int, workers: int, server: str) -> None:
    """Serve the app until stopped, in a fresh interpreter: training on a first run leaves
    LightGBM's OpenMP threads in this process, and a worker forked from it would hang in
    them. Each worker reads the settings from the environment."""
    os.environ["KYOSO_DB"] = settings.db
    os.environ["KYOSO_MODELS_DIR"] = settings.models_dir
    os.environ["KYOSO_POLL_SECONDS"] = str(settings.poll_seconds)
    # A request runs on one thread and the workers share the cores: BLAS's own threads
    # would only contend with the other requests.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.execv(sys.executable, [sys.executable, "-m", "service.serve", host, str(port), str(workers), server])


def _serve(host: str, port: int, workers: int, server: str) -> None:
    if server == "granian":
        from granian import Granian

        Granian(APP, factory=True, address=host, port=port, workers=workers, interface="asgi",
                log_level="warning", respawn_failed_workers=True).serve()
        return
    import uvicorn

    uvicorn.run(APP, factory=True, host=host, port=port, workers=workers, log_level="warning")


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
