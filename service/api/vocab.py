"""Which theme names a request may use: one rule for outcomes, suggestions and consortia."""

from __future__ import annotations

from data.store import Store
from data.themes import THEME_BY_ID
from service.api.errors import UnknownThemeIn


def known_theme(store: Store, theme: str, *, catalogue_only: bool = False) -> bool:
    """A catalogue theme id, or (unless ``catalogue_only``) a theme the outcome log already holds
    (imported logs name their own, e.g. CORDIS programme parts)."""
    if theme in THEME_BY_ID:
        return True
    return not catalogue_only and bool(
        store.read("SELECT 1 FROM outcomes WHERE theme = ? LIMIT 1", (theme,)))


def require_theme(store: Store, theme: str | None, field: str, *, catalogue_only: bool = False) -> None:
    """Raises UnknownThemeIn (422, ``unknown_theme``, naming ``field``) for a theme nobody knows."""
    if theme is not None and not known_theme(store, theme, catalogue_only=catalogue_only):
        raise UnknownThemeIn(theme, field)
