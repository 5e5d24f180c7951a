"""Settings: one frozen record, filled once from the environment or the command line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

from matching.followup import StallRules

DEFAULT_DB = "var/kyoso.db"


class BadSetting(ValueError):
    """A setting from the environment that does not fit; the message names the variable."""


def _positive_int(env: Mapping[str, str], name: str) -> int:
    raw = env[name]
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        shown = raw if len(raw) <= 32 else raw[:32] + "…"
        raise BadSetting(f"{name} must be a positive integer (days), not {shown!r}")
    return value


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    db: str = DEFAULT_DB
    models_dir: str = "var/models"
    # How often a serving process looks for the store's changes (and a new live model).
    poll_seconds: float = 0.5
    body_timeout: float = 10.0  # seconds a client may take to send a request body
    stall_rules: StallRules = StallRules()  # when an introduction counts as stalled

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from the environment, checked here once.

        Raises:
            BadSetting: a KYOSO_STALL_* variable is not a positive integer.
        """
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        if "KYOSO_DB" in env:
            values["db"] = env["KYOSO_DB"]
        if "KYOSO_MODELS_DIR" in env:
            values["models_dir"] = env["KYOSO_MODELS_DIR"]
        if "KYOSO_POLL_SECONDS" in env:
            values["poll_seconds"] = float(env["KYOSO_POLL_SECONDS"])
        rules = {f: _positive_int(env, f"KYOSO_STALL_{f.upper()}") for f in StallRules.__struct_fields__
                 if f"KYOSO_STALL_{f.upper()}" in env}
        if rules:
            values["stall_rules"] = StallRules(**rules)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "db" in values and "models_dir" not in values:
            values["models_dir"] = str(Path(str(values["db"])).parent / "models")
        return cls(**values)  # type: ignore[arg-type]
