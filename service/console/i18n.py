"""The console's words in Japanese and English, and which language a visitor gets: the words
of ``words``' tables, the names of codes, and the core's English sentences said in Japanese."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from data.records import Lang
from data.taxonomy import REGION_BY_CODE
from service.api.matching_routes import pick_lang
from service.console.words import CODES, ERRORS, SENTENCES, WORDS

LANGS: tuple[Lang, ...] = ("ja", "en")

_TABLE = {**WORDS, **{f"error.{code}": pair for code, pair in ERRORS.items()},
          **{f"{ns}.{code}": pair for ns, codes in CODES.items() for code, pair in codes.items()}}
_BY_LANG = {lang: {k: v[i] for k, v in _TABLE.items()} for i, lang in enumerate(LANGS)}


def words(lang: Lang) -> dict[str, str]:
    """Every word of the console in one language (built once per language)."""
    return _BY_LANG[lang]


def name(ns: str, code: str | None, lang: Lang) -> str:
    """A code's name (a kind, a stage, a region …) in ``lang``; an unknown code as it is."""
    if code is None:
        return ""
    if ns == "region":
        region = REGION_BY_CODE.get(code)
        return (region.ja if lang == "ja" else region.en) if region else code
    pair = CODES.get(ns, {}).get(code)
    return pair[LANGS.index(lang)] if pair else code


_PLACE = re.compile(r"\{(\w+)(?::(\w+))?\}")
_MATCHES = {"num": r"[-+]?\d[\d,.]*", "exc": r"[A-Z][A-Za-z]*"}


def _form(en: str) -> tuple[re.Pattern[str], dict[str, str | None]]:
    """A sentence's English form as a pattern, and what each of its places holds."""
    parts, kinds, at = [], {}, 0
    for found in _PLACE.finditer(en):
        place, kind = found.groups()
        parts += [re.escape(en[at:found.start()]), f"(?P<{place}>{_MATCHES.get(kind or '', '.*?')})"]
        kinds[place] = kind
        at = found.end()
    return re.compile("".join([*parts, re.escape(en[at:])]), re.S), kinds


_FORMS = [(*_form(en), ja) for ja, en in SENTENCES.values()]
_AT = re.compile(r" - at `[^`]*`$")  # a validation message's tail: the page names the field itself


def _ident(value: str) -> Markup:
    """An id, a date or a name inside a sentence: not a word to translate."""
    return Markup('<span translate="no">{}</span>').format(value)


def _part(value: str, kind: str | None) -> Markup | None:
    if kind is None:
        return _ident(value)
    if kind in ("num", "exc"):
        return escape(value)
    if kind in ("say", "actor"):
        said = say(value, "ja")
        return said if said is not None or kind == "say" else _ident(value)  # type: ignore[return-value]
    codes = re.split(r", | or ", value)
    if kind != "region" and any(c not in CODES.get(kind, {}) for c in codes):
        return _ident(value)
    return escape("・".join(name(kind, c, "ja") for c in codes))


def say(text: str | None, lang: Lang) -> str | Markup | None:
    """One of the core's English sentences in ``lang``: itself in English; in Japanese, the form
    of ``SENTENCES`` it matches said again (None when none does: the page leaves it out rather
    than show English)."""
    if not text or lang == "en":
        return text or None
    text = _AT.sub("", text)
    for form, kinds, ja in _FORMS:
        found = form.fullmatch(text)
        if found is None:
            continue
        parts = {place: _part(value, kinds[place]) for place, value in found.groupdict().items()}
        if all(p is not None for p in parts.values()):
            return escape(ja).format(**parts)
    return None


def refusal_words(code: str, message: str, lang: Lang) -> tuple[str, str | Markup | None]:
    """A refusal's headline in ``lang`` (by its code) and the detail below it: the API's own
    message, said in the page's language."""
    said = _BY_LANG[lang]
    return said.get(f"error.{code}") or said["error.http_error"], say(message, lang)


def console_lang(chosen: str | None, accept_language: str | None) -> Lang:
    """The language the visitor chose (kept in a cookie), else the API's Accept-Language rule."""
    return chosen if chosen in LANGS else pick_lang(None, accept_language)  # type: ignore[return-value]
