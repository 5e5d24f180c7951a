"""The console's words in Japanese and English, and which language a visitor gets."""

from __future__ import annotations

from data.records import Lang
from service.api.matching_routes import pick_lang
from service.console.words import ERRORS, WORDS

LANGS: tuple[Lang, ...] = ("ja", "en")

_TABLE = {**WORDS, **{f"error.{code}": pair for code, pair in ERRORS.items()}}
_BY_LANG = {lang: {k: v[i] for k, v in _TABLE.items()} for i, lang in enumerate(LANGS)}


def words(lang: Lang) -> dict[str, str]:
    """Every word of the console in one language (built once per language)."""
    return _BY_LANG[lang]


def refusal_words(code: str, message: str, lang: Lang) -> tuple[str, str | None]:
    """A refusal's headline in ``lang`` (by its code) and the detail below it: the API's own
    message on an English page."""
    said = _BY_LANG[lang]
    headline = said.get(f"error.{code}") or said["error.http_error"]
    return headline, (message or None) if lang == "en" else None


def console_lang(chosen: str | None, accept_language: str | None) -> Lang:
    """The language the visitor chose (kept in a cookie), else the API's Accept-Language rule."""
    return chosen if chosen in LANGS else pick_lang(None, accept_language)  # type: ignore[return-value]
