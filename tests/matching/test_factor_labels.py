"""Every factor a suggestion can name reads in words, in Japanese and in English."""

from __future__ import annotations

import numpy as np

from features.pairs import FEATURES
from matching.explain import top_factors
from matching.factor_labels import FACTOR_LABELS, factor_label


def test_every_feature_has_a_label_in_both_languages():
    assert set(FACTOR_LABELS) == set(FEATURES)
    for name in FEATURES:
        en, ja = factor_label(name, "en"), factor_label(name, "ja")
        assert en.isascii() and en != name
        assert any("\u3040" <= c <= "\u9fff" for c in ja), (name, ja)


def test_factors_keep_the_raw_name_and_read_in_the_language_asked_for():
    names = ("tag_cov_ab", "kind_pair", "age_b_days")
    values, contrib = np.array([0.5, 7.0, 30.0]), np.array([0.4, -0.2, 0.1, 0.0])
    ja = top_factors(names, values, contrib, lang="ja")
    en = top_factors(names, values, contrib, lang="en")
    assert [f.name for f in ja] == [f.name for f in en] == list(names)
    assert ja[0].label == "貴組織のニーズのうち相手の能力で満たせる割合"
    assert en[0].label == "share of your needs the partner's capabilities cover"
