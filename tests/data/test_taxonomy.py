from data.taxonomy import DOMAIN_IDS, PREFECTURES, TAG_IDS, TAGS
from data.themes import THEMES


def test_taxonomy_has_enough_bilingual_tags_in_every_domain():
    assert len(TAGS) >= 40
    assert len(set(TAG_IDS)) == len(TAG_IDS)
    assert {t.domain for t in TAGS} == set(DOMAIN_IDS)
    for tag in TAGS:
        assert tag.en and tag.ja and len(tag.terms_en) == len(tag.terms_ja) == 3


def test_themes_name_known_capabilities_and_needs():
    assert len(THEMES) >= 25
    for theme in THEMES:
        assert theme.capabilities and theme.answers
        assert set(theme.capabilities) <= set(TAG_IDS)
        assert set(theme.answers) <= set(TAG_IDS)


def test_all_47_prefectures():
    assert [p.code for p in PREFECTURES] == [f"JP-{i:02d}" for i in range(1, 48)]
