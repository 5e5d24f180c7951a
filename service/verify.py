"""Artefact verification: a registered version is checked before it is promoted or served.

First the checksum (sha256 of model.txt against the registry row and the manifest), then
a load in isolation — a child process loads the booster and scores one row, under a
timeout — so a file that makes LightGBM abort ends the child, never the server. Only
then is the model loaded here.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import lightgbm as lgb
import msgspec

from data.artefacts import checksum, read_model_dir
from data.errors import KyosoError
from data.registry import Registry
from features.pairs import FEATURES
from matching.ranker import Ranker

PROBE_TIMEOUT = 60.0  # seconds for the child to load and score one row


# Signals that stop a child from outside; LightGBM's own failures abort or crash it instead.
STOPPED_BY = {signal.SIGTERM, signal.SIGINT, signal.SIGKILL, signal.SIGHUP}


class ProbeInterrupted(KyosoError):
    """The child checking a model was stopped from outside: no verdict on the file."""


class ModelDamaged(KyosoError):
    """A registered version's artefact is missing, altered or cannot be loaded."""

    def __init__(self, version: str, problem: str) -> None:
        super().__init__(f"model {version} is damaged: {problem}")
        self.version = version
        self.problem = problem


def _probe(version: str, text: bytes) -> None:
    try:
        done = subprocess.run([sys.executable, "-m", "service.model_probe"], input=text,
                              capture_output=True, timeout=PROBE_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ModelDamaged(version, f"loading it took over {PROBE_TIMEOUT:.0f}s") from None
    if -done.returncode in STOPPED_BY:  # stopped from outside (e.g. the server shutting down)
        raise ProbeInterrupted(f"the check of model {version} was stopped (signal {-done.returncode});"
                               " it says nothing about the file")
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        told = [ln for ln in lines if "[Fatal]" in ln or "Error" in ln] or lines or ["no message"]
        detail = "".join(c for c in told[-1] if c.isprintable())
        how = (f"killed by signal {-done.returncode}" if done.returncode < 0
               else f"exit code {done.returncode}")
        raise ModelDamaged(version, f"LightGBM cannot load model.txt ({how}: {detail[:300]})")


def verified_ranker(registry: Registry, version: str) -> Ranker:
    """The version's ranker, after its artefact passed every check. Bytes a child process
    has loaded once (the registry records their checksum) are not probed again, by any
    process: the checksum then proves they are the same bytes.

    Raises:
        ModelDamaged: a file is missing, the checksum differs, or it does not load.
        ArtefactMismatch: it is intact but made for another format or feature list.
    """
    entry = registry.model(version)
    try:
        raw, manifest = read_model_dir(entry.path)
    except FileNotFoundError as exc:
        raise ModelDamaged(entry.version, str(exc)) from None
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ModelDamaged(entry.version, f"manifest.json is not a manifest ({exc})") from None
    if not raw:
        raise ModelDamaged(entry.version, "model.txt is empty")
    digest = checksum(raw)
    for source, expected in (("the registry", entry.checksum), ("the manifest", manifest.checksum)):
        if expected and digest != expected:
            raise ModelDamaged(entry.version, f"model.txt has sha256 {digest[:12]}…, {source}"
                                              f" recorded {expected[:12]}…")
    if entry.probed != digest:
        _probe(entry.version, raw)
        registry.mark_probed(entry.version, digest)
    try:
        return Ranker.from_artefact(raw.decode(), manifest, FEATURES)
    except (lgb.basic.LightGBMError, UnicodeDecodeError) as exc:
        raise ModelDamaged(entry.version, f"LightGBM cannot load model.txt ({exc})") from None
