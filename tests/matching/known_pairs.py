"""Known-answer cases for ranking: complementary pairs written as a user would write them.

Each pair answers the other's needs; inserted into the bundled ecosystem as newcomers
(no history), each must reach the other's top 5 both ways in both modes.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from data import frames as F

# (id, name, kind, region, industries, strengths, needs) with items as (tag, text).
ORGS = (
    ("ka-town", "石川県すずらん町", "municipality", "JP-17", ("government",),
     (("pub.testbed", "町内の公道を実証フィールドとして提供できます。"),),
     (("mob.lowspeed", "高齢の住民が病院や買い物に行けるよう、低速モビリティを導入したい。"),
      ("hl.eldercare", "免許を返納した高齢者の移動を支えたい。"))),
    ("ka-ev", "Hokuriku EV Carts Inc.", "startup", "JP-17", ("automotive",),
     (("mob.lowspeed", "Low-speed EV carts and slow mobility services for elderly residents."),
      ("mob.autonomous", "Self-driving shuttles for short trips in small towns.")),
     (("pub.testbed", "We need a town with public roads as a test field for our EV carts."),)),
    ("ka-ai", "Mirai Vision AI株式会社", "startup", "JP-23", ("software",),
     (("ai.vision", "カメラ画像をAIで解析し、製品の外観不良を自動で検出します。"),
      ("mfg.quality", "外観検査の自動化で不良品の流出を防ぐ品質管理を支援します。")),
     (("mfg.automation",
       "外観検査AIを量産工場の生産ラインに組み込んで実証できる製造業のパートナーを探しています。"),)),
    ("ka-factory", "Tokai Precision Parts Co., Ltd.", "company", "JP-23", ("machinery",),
     (("mfg.precision", "High-accuracy machined parts."),
      ("mfg.automation", "Automated production lines where new inspection systems can be piloted.")),
     (("mfg.quality", "Defects keep slipping through our assembly line and manual inspection "
                      "is not enough; we want automated visual inspection."),)),
    ("ka-univ", "北陸工業大学", "university", "JP-16", ("education",),
     (("ed.ittalent", "社会人向けのプログラミング講座とIT人材育成のリスキリング研修を開講しています。"),),
     (("ed.internship", "学生が自治体の課題に取り組めるインターンシップ先を探しています。"),)),
    ("ka-city", "Toyama Kita City", "municipality", "JP-16", ("government",),
     (("ed.internship", "The city hosts student projects and internships in its digital services."),),
     (("ed.ittalent", "The city lacks IT engineers; local firms need people trained for digital "
                      "projects and reskilling."),)),
)
PAIRS = (("ka-town", "ka-ev"), ("ka-ai", "ka-factory"), ("ka-univ", "ka-city"))


def frames(registered_at) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The organisations and items as snapshot frames, registered at ``registered_at``."""
    from data.taxonomy import REGION_BY_CODE

    orgs, items = [], []
    for i, (oid, name, kind, region, industries, strengths, needs) in enumerate(ORGS):
        r = REGION_BY_CODE[region]
        orgs.append({"id": oid, "name": name, "kind": kind, "region": region,
                     "industries": list(industries), "lat": r.lat, "lon": r.lon,
                     "size_band": "small", "founded": 2000, "modes": ["poc"], "nda": "mutual_nda",
                     "registered_at": registered_at + timedelta(minutes=i)})
        for side, group in (("strength", strengths), ("need", needs)):
            for pos, (tag, text) in enumerate(group):
                items.append({"org_id": oid, "side": side, "pos": pos, "tag": tag,
                              "tier": "public", "text": text})
    return (pl.DataFrame(orgs, schema=F.ORG_SCHEMA),
            pl.DataFrame(items, schema=F.ITEM_SCHEMA).select(list(F.ITEM_SCHEMA)))


def bundled_with_cases() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The bundled ecosystem (2,000 organisations, seed 7) with the cases registered last:
    organisations, items, outcomes, members."""
    from data.generator import generate, public_frame

    orgs, items, outcomes, members = generate(2000, seed=7)
    orgs = public_frame(orgs)
    extra_orgs, extra_items = frames(orgs["registered_at"].max())
    return pl.concat([orgs, extra_orgs]), pl.concat([items, extra_items]), outcomes, members
