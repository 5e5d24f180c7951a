"""Cross-language matching: shared concepts, and the bilingual known-answer set."""

from __future__ import annotations

import polars as pl
import pytest

from data.generator import generate
from features.concepts import concepts_of, with_concepts
from features.text import make_vectorizer
from tests.features.known_answers import SUBJECTS, pairs, recall_by_pair, strength_pool


def test_a_japanese_need_and_an_english_strength_share_concepts():
    need = concepts_of("高齢の住民のための低速モビリティを導入したい")
    strength = concepts_of("We operate low-speed EV carts for elderly residents")
    assert {"elderly", "resident", "lowspeed"} <= set(need) & set(strength)


def test_english_terms_match_whole_words_only():
    assert "ev" not in concepts_of("event management")
    assert "ev" in concepts_of("EV carts") and "cart" in concepts_of("EV carts")


def test_the_vectoriser_reads_the_text_and_its_concepts():
    assert with_concepts("Low-speed").startswith("low-speed ")
    assert len(with_concepts("low-speed")) > len("low-speed ")


def test_the_known_answer_set_has_sixty_pairs_with_different_tags():
    assert len(pairs()) >= 60
    assert sum(s.need_tag != s.strength_tag for s in SUBJECTS) >= len(SUBJECTS) // 2


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    _, items, _, _ = generate(600, seed=7)
    return items.filter(pl.col("tier") != "confidential")["text"].to_list() + strength_pool()


def test_cross_language_recall_is_at_least_nine_tenths_of_same_language(corpus):
    recall = recall_by_pair(make_vectorizer().fit(corpus))
    same = (recall["ja-ja"] + recall["en-en"]) / 2
    cross = (recall["ja-en"] + recall["en-ja"]) / 2
    assert same >= 0.8
    assert cross >= 0.9 * same, recall


def test_character_ngrams_alone_do_not_cross_scripts(corpus):
    recall = recall_by_pair(make_vectorizer(preprocessor=None).fit(corpus))
    assert recall["ja-en"] + recall["en-ja"] < 0.2
