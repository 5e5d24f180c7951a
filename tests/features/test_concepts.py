"""Cross-language matching: shared concepts, and the bilingual known-answer set."""

from __future__ import annotations

from collections import Counter

import polars as pl
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from data.generator import generate
from features.concepts import CODE, concepts_of
from features.text import char_ngrams, make_vectorizer, text_terms
from tests.features.known_answers import SUBJECTS, pairs, recall_by_pair, strength_pool


def test_a_japanese_need_and_an_english_strength_share_concepts():
    need = concepts_of("高齢の住民のための低速モビリティを導入したい")
    strength = concepts_of("We operate low-speed EV carts for elderly residents")
    assert {"elderly", "resident", "lowspeed"} <= set(need) & set(strength)


def test_english_terms_match_whole_words_only():
    assert "ev" not in concepts_of("event management")
    assert "ev" in concepts_of("EV carts") and "cart" in concepts_of("EV carts")


def test_the_vectoriser_reads_character_ngrams_and_one_weighted_term_per_concept():
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)).build_analyzer()
    text = "We operate low-speed EV carts for elderly residents"
    assert Counter(char_ngrams(text)) == Counter(reference(text.lower()))
    assert text_terms(text)[len(char_ngrams(text)):] == [CODE[c] for c in concepts_of(text)]
    vectorizer = make_vectorizer(min_df=1).fit([text, "高齢の住民のための低速モビリティ", "rice"])
    row = vectorizer.transform([text]).toarray()[0]
    assert abs((row ** 2).sum() - 1) < 1e-5
    elderly = row[vectorizer.vocabulary_[CODE["elderly"]]]
    assert elderly > 3 * row[vectorizer.vocabulary_[" lo"]]  # a concept outweighs an n-gram


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
    recall = recall_by_pair(make_vectorizer(analyzer=char_ngrams).fit(corpus))
    assert recall["ja-en"] + recall["en-ja"] < 0.2
