"""The console's words: every code it shows has a name in both languages, and every sentence the
core writes (verdicts, stall reasons, refusals) is said in Japanese with no English left."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import get_args, get_type_hints

import msgspec
import pytest

from data.errors import UnknownOrganization
from data.introductions import Introduction, IntroductionError, Introductions, UnknownIntroduction
from data.records import DECLINE_REASONS, KINDS, STAGES, TIERS, MatchMode
from data.registry import Action, LiveChanged, Registry, UnknownModel
from data.store import Role
from data.training_jobs import TrainingJobs
from matching.consortia import ConsortiumImpossible, TeamRules, UnknownTheme
from matching.evaluation import BASELINES
from matching.followup import PIPELINE_STAGES, Stall, StallRules, Step, stall_of
from matching.kpis import EXPOSURE_GROUPS
from service import lifecycle
from service.api.errors import STATUS, SamePair, UnknownJob
from service.api.types import ConsortiumRequest, Decline, IntroductionRequest, TrainJob
from service.console.i18n import LANGS, field_words, name, say, words
from service.console.office import SuggestionFilters, items_from
from service.kpis import BadWindow, window
from service.modeling import TooLittleHistory, prepare
from service.verify import ModelDamaged
from tests.service.conftest import OFFICE_ORG, STRANGER_ORG
from tests.service.test_model_swap import register_random_model, seed_evaluations

# Words a Japanese page may hold in Latin letters: names of things, not English prose.
LATIN = {"Kyoso", "API", "KPI", "NDCG", "MRR", "PoC", "NDA", "NPO", "ID", "YYYY", "MM", "DD",
         "Adamic", "Adar", "km"}
IDS = re.compile(r'<span translate="no">.*?</span>', re.S)


def english(html: str) -> list[str]:
    """The Latin words left in a Japanese text (or HTML) once its ids and names are taken out."""
    text = re.sub(r"<[^>]+>", " ", IDS.sub("", str(html)))
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in LATIN]


def said(message: str) -> str:
    out = say(message, "ja")
    assert out is not None, f"no Japanese for: {message}"
    assert not english(out), (message, str(out))
    return str(out)


CODES = {"kind": KINDS, "tier": TIERS, "stage": (*STAGES, *PIPELINE_STAGES), "decline": DECLINE_REASONS,
         "intro": get_args(get_type_hints(Introduction)["status"]),
         "job": get_args(get_type_hints(TrainJob)["status"]),
         "action": get_args(Action), "stall": get_args(get_type_hints(Stall)["rule"]),
         "group": EXPOSURE_GROUPS, "baseline": tuple(BASELINES), "role": get_args(Role),
         "mode": get_args(MatchMode)}


@pytest.mark.parametrize("ns", sorted(CODES))
def test_every_code_the_core_has_is_named_in_both_languages(ns):
    assert CODES[ns], ns
    for code in CODES[ns]:
        ja, en = name(ns, code, "ja"), name(ns, code, "en")
        assert ja != code or ns == "stage" and code == "poc", (ns, code)  # PoC is PoC in Japanese too
        assert en and not english(ja), (ns, code, ja)


def test_every_error_code_has_a_headline_in_both_languages():
    codes = {code for _, code in STATUS.values()} | {"not_found", "method_not_allowed", "body_too_large",
                                                       "bad_request", "internal_error"}
    for lang in LANGS:
        missing = [c for c in codes if f"error.{c}" not in words(lang)]
        assert not missing, (lang, missing)


def test_the_tables_have_the_same_keys_and_placeholders_in_both_languages():
    ja, en = words("ja"), words("en")
    assert ja.keys() == en.keys()
    for key in ja:
        assert set(re.findall(r"\{\w+\}", ja[key])) == set(re.findall(r"\{\w+\}", en[key])), key


def test_every_word_a_template_or_page_names_is_in_the_table():
    root = Path(__file__).resolve().parents[3] / "service" / "console"
    named = set()
    for template in (root / "templates").glob("*.html"):
        text = template.read_text()
        named |= set(re.findall(r"\bt\.(\w+)", text)) | set(re.findall(r'\bt\["([^"]+)"\]', text))
    for module in root.glob("*.py"):
        named |= set(re.findall(r'\bt\["([^"]+)"\]', module.read_text()))
    assert named and not named - words("en").keys(), named - words("en").keys()


def test_the_promotion_rules_verdicts_are_said_in_japanese():
    base = {lifecycle.BASELINE + b: 0.1 for b in BASELINES}
    verdicts = [lifecycle.judge("v-new", "v-old", {"v-new": 0.2, "v-old": 0.3, **base}),
                lifecycle.judge("v-new", "v-old", {"v-new": 0.05, "v-old": 0.01, **base}),
                lifecycle.judge("v-new", "v-old", {"v-new": 0.3, "v-old": 0.2, **base}),
                lifecycle.judge("v-new", None, {"v-new": 0.3, **base})]
    for verdict in verdicts:
        said(verdict.reason)
        unusable = lifecycle._unusable_live(verdict, "v-old", None).reason
        assert "v-old" in said(unusable)


def test_promotions_rollbacks_and_their_refusals_are_said_in_japanese(api, tmp_path):
    store = api.client.app.state.store
    register_random_model(store, tmp_path / "m", "v-a", 1, 0.30)
    register_random_model(store, tmp_path / "m", "v-b", 2, 0.35)
    seed_evaluations(store, {"v-a": 0.30, "v-b": 0.25})
    with pytest.raises(Exception) as nothing:
        lifecycle.rollback(store, actor="key k1 (analyst)")
    said(str(nothing.value))
    said(lifecycle.promote(store, "v-a", force=True, actor="key k1 (analyst)").reason)
    said(lifecycle.promote(store, "v-a", actor="key k1 (analyst)").reason)  # already live
    with pytest.raises(lifecycle.WorseModel) as refused:
        lifecycle.promote(store, "v-b", actor="key k1 (analyst)")
    said(str(refused.value))
    said(lifecycle.promote(store, "v-b", force=True, actor="cli").reason)
    said(f"rolled back to {lifecycle.rollback(store, actor='cli')}")
    for entry in Registry(store).history():
        said(entry.reason)
    with pytest.raises(LiveChanged) as changed:
        Registry(store).switch("v-b", "promote", "cli", "x", expect_live="v-b", check_live=True)
    said(str(changed.value))


def test_training_failures_are_said_in_japanese(api):
    store = api.client.app.state.store
    for message in (str(UnknownModel("v-x")), str(ModelDamaged("v-x", "model.txt is empty")),
                    "model v-x is damaged: gone; serving the heuristic scorer instead"):
        said(message)
    with pytest.raises(TooLittleHistory) as thin:
        prepare(store.snapshot(), now=datetime(1990, 1, 1, tzinfo=UTC))
    said(f"{type(thin.value).__name__}: {thin.value}")  # as a failed job reports it
    jobs = TrainingJobs(store)
    first = jobs.start("test")["id"]
    with store.transaction() as conn:  # the job's process ended: the next start marks it interrupted
        conn.execute("UPDATE training_jobs SET pid=? WHERE id=?", (2**22 + 12345, first))
    second = jobs.start("test")["id"]
    said(jobs.get(first)["error"])
    with pytest.raises(Exception) as busy:
        jobs.start("test")
    assert second in said(str(busy.value))


def test_stall_reasons_are_said_in_japanese():
    rules, today = StallRules(), date(2026, 6, 1)
    old = datetime(2026, 1, 1, tzinfo=UTC)
    stalls = [stall_of("requested", old, None, [], today, rules),
              stall_of("meeting", old, old, [Step(kind="meeting", at=old, by="a",
                                                  next_contact=date(2026, 2, 1))], today, rules),
              stall_of("poc", old, old, [Step(kind="poc", at=old, by="a")], today, rules),
              stall_of("meeting", old, old, [Step(kind="meeting", at=old, by="a")], today, rules)]
    assert {s.rule for s in stalls} == set(CODES["stall"])
    for stall in stalls:
        said(stall.reason)


def test_refusals_of_the_domain_are_said_in_japanese(api):
    for message in (str(UnknownOrganization("org-9")), str(UnknownIntroduction("intro-9")),
                    str(UnknownJob("job-9")), str(UnknownTheme("nonsense")), str(SamePair("org-1"))):
        said(message)
    intros = Introductions(api.client.app.state.store)
    for ask in (lambda: intros.request(OFFICE_ORG, OFFICE_ORG, None),
                lambda: intros.request(OFFICE_ORG, STRANGER_ORG, None),
                lambda: intros.decide(intros.for_org(OFFICE_ORG)[0].id, accept=True, reason=None)):
        with pytest.raises(IntroductionError) as refused:
            ask()
            ask()
        said(str(refused.value))
    for start, end in ((date(1800, 1, 1), None), (date(2026, 5, 1), date(2026, 1, 1))):
        with pytest.raises(BadWindow) as bad:
            window(start, end, date(2026, 6, 1))
        said(str(bad.value))
    for rules in (TeamRules(size=9), TeamRules(size=3, require_kinds=(("npo", 4),)),
                  TeamRules(require_kinds=(("bank", 1),))):
        with pytest.raises(ConsortiumImpossible) as impossible:
            rules.check()
        said(str(impossible.value))


def test_a_roles_refusals_are_said_in_japanese(console):
    for who, path in (("analyst", "/console/profile"), ("office", "/console/models")):
        console.sign_in(who)
        console.client.cookies.set("kyoso_lang", "ja")
        text = console.client.get(path).text
        alert = text[text.index('<div class="problem"'):]
        alert = alert[:alert.index("</div>")]
        assert "の役割が必要です" in alert and not english(alert), alert


@pytest.mark.parametrize(("kind", "value"), [
    (ConsortiumRequest, {"lead": "org-1", "theme": "x", "size": 9}),
    (ConsortiumRequest, {"lead": "org-1", "theme": "x", "size": 2}),
    (ConsortiumRequest, {"lead": "org-1", "theme": "x", "size": "abc"}),
    (ConsortiumRequest, {"lead": "org-1", "theme": "x", "regions": ["tokyo"]}),
    (ConsortiumRequest, {"lead": "org-1"}),
    (Decline, {"reason": ""}), (Decline, {"reason": "timing", "note": "  "}), (Decline, {}),
    (IntroductionRequest, {"requester": "org-1", "target": ""}),
    (IntroductionRequest, {"requester": "org-1", "target": "x", "message": "a" * 3000}),
    (IntroductionRequest, {"requester": "org-1", "target": "x", "colour": "red"}),
    (SuggestionFilters, {"kind": ["bank"]}),
])
def test_validation_messages_are_said_in_japanese(kind, value):
    with pytest.raises(msgspec.ValidationError) as bad:
        msgspec.convert(value, kind)
    said(str(bad.value))


def test_a_profile_field_that_is_no_rows_is_said_in_japanese():
    with pytest.raises(Exception) as bad:
        items_from({"needs-x-tag": "v"}, "needs")
    said(str(bad.value))


def test_an_unknown_sentence_is_left_out_of_a_japanese_page_not_shown_in_english():
    assert say("a sentence no form knows", "ja") is None
    assert say("a sentence no form knows", "en") == "a sentence no form knows"


def test_english_verdicts_and_validation_messages_are_plain_words():
    assert "NDCG@10" in str(say("v2: ndcg_at_10 0.41 is below the live model v1's 0.52", "en"))
    assert "ndcg_at_10" not in str(say("v2: ndcg_at_10 0.41: no live model to compare, above the best"
                                       " baseline (popularity, 0.30)", "en"))
    assert say("Invalid enum value 'x' - at `$.reason`", "en") == "Choose one of the offered values."
    assert say("Expected `str` of length >= 1 - at `$.needs[0].text`", "en") == "This text must not be empty."


@pytest.mark.parametrize(("field", "ja", "en"), [
    ("$.require_kinds[...]", "必須の種別", "Required kinds"),
    ("intro_id", "紹介", "Introduction"),
    ("needs-99999-text", "ニーズ 100000、内容", "Need 100000, text"),  # a profile form's own name
    ("$.strengths[1].tier", "強み 2、開示範囲", "Strength 2, disclosure tier")])
def test_a_refused_field_is_named_in_words_not_as_the_api_spells_it(field, ja, en):
    assert (field_words(field, "ja"), field_words(field, "en")) == (ja, en)
