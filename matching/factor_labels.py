"""Readable labels of the ranker's features, in Japanese and English.

A suggestion's factors keep the raw feature name (it is data: a client may key on it) and
carry one of these labels beside it, in the language the request asked for. "You" is the
asking organisation, "the partner" the suggested one, as the reasons read.
"""

from __future__ import annotations

from data.records import Lang

# feature name -> (English, Japanese)
FACTOR_LABELS: dict[str, tuple[str, str]] = {
    "text_fit_ab": ("how well the partner's strengths answer your needs (text)",
                    "相手の強みが貴組織のニーズに応える度合い（文章）"),
    "text_fit_ba": ("how well your strengths answer the partner's needs (text)",
                    "貴組織の強みが相手のニーズに応える度合い（文章）"),
    "text_sim_strengths": ("how alike your strengths are (text)", "強み同士の似ている度合い（文章）"),
    "text_sim_needs": ("how alike your needs are (text)", "ニーズ同士の似ている度合い（文章）"),
    "tag_cov_ab": ("share of your needs the partner's capabilities cover",
                   "貴組織のニーズのうち相手の能力で満たせる割合"),
    "tag_cov_ba": ("share of the partner's needs your capabilities cover",
                   "相手のニーズのうち貴組織の能力で満たせる割合"),
    "domain_cov_ab": ("share of your needs' fields the partner works in",
                      "貴組織のニーズの分野のうち相手が手がける割合"),
    "domain_cov_ba": ("share of the partner's needs' fields you work in",
                      "相手のニーズの分野のうち貴組織が手がける割合"),
    "tag_overlap": ("capabilities you both have", "両者に共通する能力"),
    "theme_fit": ("how well the pair covers a co-creation theme", "両者で共創テーマを担える度合い"),
    "theme_activity_b": ("the partner's activity in the theme asked for",
                         "指定テーマでの相手の活動"),
    "theme_activity_a": ("your activity in the theme asked for", "指定テーマでの貴組織の活動"),
    "theme_profile_sim": ("how alike the themes you have worked on are",
                          "これまで取り組んだテーマの近さ"),
    "repeat": ("past work together", "過去の共同の実績"),
    "prior_declines": ("earlier introductions of the pair that were declined",
                       "このペアの過去の紹介の辞退"),
    "common_neighbours": ("partners you have in common", "共通の連携先の数"),
    "adamic_adar": ("partners in common, the rarer the more telling",
                    "共通の連携先（少数の相手ほど重視）"),
    "resource_allocation": ("partners in common, weighed by how selective they are",
                            "共通の連携先（相手の連携の少なさで重み付け）"),
    "two_hop": ("links through partners of your partners", "連携先の連携先を通じたつながり"),
    "ppr": ("how close the partner is in the collaboration network",
            "連携ネットワーク上での相手の近さ"),
    "degree_a": ("how many partners you have worked with", "貴組織のこれまでの連携先の数"),
    "degree_b": ("how many partners the partner has worked with", "相手のこれまでの連携先の数"),
    "activity_b": ("the partner's recent activity in introductions", "紹介での相手の最近の活動"),
    "recent_b": ("the partner's introductions in the last year", "相手の過去1年の紹介件数"),
    "success_b": ("the partner's contracts and launches so far", "相手のこれまでの契約・事業化の件数"),
    "leads_b": ("successful projects the partner led", "相手が主導して成功した案件"),
    "age_b_days": ("how long the partner has been registered", "相手の登録からの日数"),
    "kind_a": ("your kind of organisation", "貴組織の種別"),
    "kind_b": ("the partner's kind of organisation", "相手の組織種別"),
    "kind_pair": ("the pairing of your kinds (e.g. university and city)",
                  "組織種別の組み合わせ（例：大学×自治体）"),
    "same_region": ("in the same prefecture or country", "同じ都道府県・国"),
    "distance_km": ("distance between you", "両者の距離"),
    "industry_distance": ("how different your industries are", "業種の違い"),
    "size_gap": ("difference in size", "規模の差"),
    "nda_friction": ("a strict NDA stance meets an open one", "NDA方針の食い違い（厳格と公開）"),
    "nda_pair": ("the pairing of your NDA stances", "NDA方針の組み合わせ"),
    "nda_declines_a": ("your declines over NDA terms with partners like this one",
                       "同様の相手とのNDA条件による貴組織の辞退"),
    "nda_declines_b": ("the partner's declines over NDA terms with organisations like yours",
                       "貴組織と同様の相手とのNDA条件による相手の辞退"),
    "pair_declines": ("declines between the two of you", "両者間の辞退"),
}


def factor_label(name: str, lang: Lang = "en") -> str:
    """The readable label of a feature in ``lang``; the raw name for one without a label."""
    labels = FACTOR_LABELS.get(name)
    if labels is None:
        return name
    return labels[1] if lang == "ja" else labels[0]
