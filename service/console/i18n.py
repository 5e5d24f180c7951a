"""The console's words in Japanese and English, and which language a visitor gets: the words
of ``words``' tables, the names of codes, and the core's English sentences said in Japanese."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from data.records import Lang
from data.taxonomy import REGION_BY_CODE
from service.api.matching_routes import pick_lang
from service.console.words import CODES, ERRORS, PLAIN, SENTENCES, WORDS

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


_FORMS = [(*_form(en), {"ja": ja, "en": PLAIN.get(key)}) for key, (ja, en) in SENTENCES.items()]
_AT = re.compile(r" - at `[^`]*`$")  # a validation message's tail: the page names the field itself


def _ident(value: str) -> Markup:
    """An id, a date or a name inside a sentence: not a word to translate."""
    return Markup('<span translate="no">{}</span>').format(value)


def _part(value: str, kind: str | None, lang: Lang) -> Markup | None:
    if kind is None:
        return _ident(value)
    if kind in ("num", "exc"):
        return escape(value)
    if kind in ("say", "actor"):
        said = say(value, lang)
        return said if said is not None or kind == "say" else _ident(value)  # type: ignore[return-value]
    codes = re.split(r", | or ", value)
    if kind != "region" and any(c not in CODES.get(kind, {}) for c in codes):
        return _ident(value)
    return escape(("・" if lang == "ja" else ", ").join(name(kind, c, lang) for c in codes))


def say(text: str | None, lang: Lang) -> str | Markup | None:
    """One of the core's English sentences in ``lang``: the form of ``SENTENCES`` it matches said
    again, in Japanese or in ``PLAIN`` English. In English a form without a plain one is the core's
    own words; in Japanese a sentence no form matches is None (the page leaves it out rather than
    show English)."""
    if not text:
        return None
    text = _AT.sub("", text)
    for form, kinds, said in _FORMS:
        found = form.fullmatch(text)
        if found is None:
            continue
        if said[lang] is None:
            return text
        parts = {place: _part(value, kinds[place], lang) for place, value in found.groupdict().items()}
        if all(p is not None for p in parts.values()):
            return escape(said[lang]).format(**parts)
    return text if lang == "en" else None


_FORM_ROW = re.compile(r"(strengths|needs)-(\d+)-(\w+)")


def field_words(field: str | None, lang: Lang) -> str | None:
    """A refused field in words (``$.needs[0].text``: "Need 1, text"); None where the console
    has no name for a part of it (the page shows the field as the API names it)."""
    if not field:
        return None
    row = _FORM_ROW.fullmatch(field)  # a profile form's own name for a row's field
    if row:
        field = f"$.{row.group(1)}[{row.group(2)}].{row.group(3)}"
    parts = re.findall(r"[^.\[\]$]+|\[\d+\]|\[\.\.\.\]", field)
    said = []
    for part in parts:
        if part == "[...]":  # a key of a mapping (a kind's count): the name before says it
            continue
        if part.startswith("["):
            if not said:
                return None
            said[-1] += f" {int(part[1:-1]) + 1}"
        elif part in CODES["field"]:
            said.append(name("field", part, lang))
        else:
            return None
    return _BY_LANG[lang]["list_sep"].join(said) if said else None


def refusal_words(code: str, message: str, lang: Lang,
                  field: str | None = None) -> tuple[str, str | Markup | None, str | None]:
    """A refusal's headline in ``lang`` (by its code), the detail below it (the API's own
    message, said in the page's language) and the field at fault in words."""
    said = _BY_LANG[lang]
    return (said.get(f"error.{code}") or said["error.http_error"], say(message, lang),
            field_words(field, lang))


def console_lang(chosen: str | None, accept_language: str | None) -> Lang:
    """The language the visitor chose (kept in a cookie), else the API's Accept-Language rule."""
    return chosen if chosen in LANGS else pick_lang(None, accept_language)  # type: ignore[return-value]
