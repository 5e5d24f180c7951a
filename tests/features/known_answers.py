"""A bilingual known-answer set: needs and the strengths that answer them, in ja and en.

Each subject has a need and a strength written in Japanese and in English (separately, the
way two offices would write them, not as translations), so every subject gives four pairs:
JA–JA, EN–EN, JA–EN (need in Japanese, strength in English) and EN–JA. The tags of a need
and its strength often differ on purpose: the text must carry the match. Distractors are
strengths on near subjects; the benchmark adds the bundled ecosystem's strength texts too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Subject:
    name: str
    need_tag: str
    need_ja: str
    need_en: str
    strength_tag: str
    strength_ja: str
    strength_en: str


SUBJECTS: tuple[Subject, ...] = (
    Subject("lowspeed-elderly", "pub.community",
            "高齢の住民が病院や買い物に行けるよう、町内を走る低速の移動手段を導入したい。",
            "Our town needs a slow, safe way for elderly residents to get to the clinic and shops.",
            "mob.lowspeed",
            "EVカートによる低速モビリティの運行と車両の提供を行っています。",
            "We build and operate low-speed EV carts for short trips in small communities."),
    Subject("factory-defects", "mfg.quality",
            "組立ラインの不良が減らず、目視検査に頼っている品質管理を改善したい。",
            "Defects keep slipping through our assembly line; manual inspection is not enough.",
            "ai.vision",
            "カメラ画像をAIで解析し、製品の外観不良を自動で見つけます。",
            "Camera-based AI that spots surface defects on products automatically."),
    Subject("it-talent", "ed.ittalent",
            "市内企業のデジタル化を担うIT人材が足りず、育成の仕組みが必要です。",
            "The city lacks IT engineers; local firms cannot find people for digital projects.",
            "ed.edtech",
            "社会人向けのプログラミング講座とリスキリング研修を大学で開講しています。",
            "Our university runs programming courses and reskilling programmes for working adults."),
    Subject("telemedicine", "hl.digital",
            "離島の住民が本土の医師にオンラインで診てもらえる仕組みを作りたい。",
            "Patients on our islands need to see mainland doctors without the ferry trip.",
            "iot.connectivity",
            "遠隔診療システムと通信環境をセットで提供し、へき地の医療を支えます。",
            "Telemedicine platform with its own connectivity for remote clinics."),
    Subject("flood-warning", "pub.disaster",
            "大雨のたびに川の水位を職員が見回っており、洪水の早期警戒を自動化したい。",
            "Staff patrol the river at every storm; we want automatic early flood warnings.",
            "iot.sensors",
            "河川の水位センサーと防災向けの警報配信サービスを持っています。",
            "River level sensors and alerting service for disaster prevention."),
    Subject("inbound-language", "tr.inbound",
            "訪日外国人観光客が増えたが、観光案内所で外国語に対応できる人がいない。",
            "Foreign visitors have doubled and our tourist office cannot answer them in their language.",
            "ai.nlp",
            "多言語の観光案内チャットボットを自治体向けに提供しています。",
            "Multilingual chatbot that answers tourist questions around the clock."),
    Subject("farm-sensing", "fa.smartagri",
            "農家の高齢化で水田の見回りが負担になっており、センサーで管理したい。",
            "Ageing farmers can no longer walk every paddy; we need remote field monitoring.",
            "iot.sensors",
            "水田の水位や土壌を測る農業センサーとアプリを開発しています。",
            "Soil and water-level sensors for rice fields, with a farmer's app."),
    Subject("plastic-packaging", "mt.sustainable",
            "食品の包装に使うプラスチックを減らし、環境に配慮した素材に切り替えたい。",
            "We want to replace the plastic in our food packaging with something greener.",
            "mt.chemicals",
            "植物由来のバイオプラスチックで食品包装材を製造しています。",
            "Plant-based bioplastic films for food packaging."),
    Subject("hydrogen-bus", "en.hydrogen",
            "市営バスの脱炭素化に向けて、燃料電池バスと水素ステーションを検討しています。",
            "Our municipal buses must decarbonise; we are looking at fuel-cell buses and hydrogen supply.",
            "mob.autonomous",
            "水素製造から燃料電池車両への供給まで一貫して手がけています。",
            "Hydrogen production and refuelling for fuel-cell vehicles."),
    Subject("bridge-inspection", "hs.infrastructure",
            "老朽化した橋梁の点検を職員の目視に頼っており、人手が足りない。",
            "Too few inspectors for our ageing bridges; visual checks take months.",
            "ai.vision",
            "ドローンで撮影した画像から橋のひび割れをAIで検出します。",
            "Drone imagery and AI that find cracks in bridges."),
    Subject("cashless-shops", "fin.payments",
            "商店街でキャッシュレス決済を広げ、地域通貨も発行したい。",
            "Shops on our high street want cashless payment and a local currency.",
            "fin.fintech",
            "地域通貨と決済アプリを自治体と組んで運営した実績があります。",
            "We run local digital currency and payment apps with towns."),
    Subject("eldercare-watch", "hl.eldercare",
            "一人暮らしの高齢者の見守りを、介護職員の負担を増やさずに行いたい。",
            "We must check on elderly people who live alone without adding to care staff workload.",
            "iot.sensors",
            "住宅に置くセンサーで高齢者の生活の異変を知らせる見守りサービスです。",
            "Home sensors that alert families when an older person's routine changes."),
    Subject("predictive-maintenance", "mfg.maintenance",
            "工場の設備が突然故障して生産が止まる。故障を事前に予測したい。",
            "Unplanned machine breakdowns stop our plant; we want to predict failures.",
            "ai.forecast",
            "設備の振動データから故障を予測するAIを提供しています。",
            "Vibration analytics and machine learning that forecast equipment failure."),
    Subject("aquaculture", "fa.fishery",
            "漁獲量が減っており、陸上養殖で新しい水産業を始めたい。",
            "Catches are falling; we want to start land-based fish farming.",
            "iot.sensors",
            "陸上養殖の水質を監視するIoTシステムを持っています。",
            "IoT water-quality monitoring for land-based aquaculture tanks."),
    Subject("drone-delivery", "mob.logistics",
            "山間部の集落へ日用品を届ける配送手段がなく、ドローン配送を試したい。",
            "Mountain villages have no delivery service; we want to trial drones.",
            "mob.logistics",
            "ドローンによるラストワンマイル配送の実証を各地で行っています。",
            "We fly last-mile delivery drones in pilots across the country."),
    Subject("heritage-crafts", "tr.culture",
            "伝統工芸の職人が減り、ブランド化して若い世代に届けたい。",
            "Our traditional crafts are fading; we want a brand that reaches young buyers.",
            "tr.events",
            "地域の伝統工芸を海外に売り出すブランディングの実績があります。",
            "Branding and online sales for regional traditional crafts."),
    Subject("solar-storage", "en.storage",
            "公共施設の太陽光発電を災害時にも使えるよう蓄電池を導入したい。",
            "We want batteries so our public buildings' solar power works in a blackout.",
            "en.grid",
            "太陽光と蓄電池を組み合わせたエネルギー管理システムを提供します。",
            "Solar plus battery storage systems with energy management."),
    Subject("gov-forms", "pub.egov",
            "役所の紙の申請手続きをオンライン化し、住民の来庁を減らしたい。",
            "Residents still queue at city hall for paper forms; we want them online.",
            "ai.platform",
            "行政手続きの電子申請システムを多くの自治体に導入しています。",
            "Online application systems for municipal administrative procedures."),
    Subject("investment", "fin.investment",
            "研究成果を事業化するスタートアップで、成長資金を出してくれる投資家を探しています。",
            "Our startup is raising growth capital to commercialise lab results.",
            "fin.investment",
            "大学発ベンチャーへの出資を専門とするファンドです。",
            "A venture fund investing in university spin-offs."),
    Subject("student-interns", "ed.internship",
            "若手の採用が難しく、学生にインターンとして来てもらいたい。",
            "We struggle to hire young people and would like student interns.",
            "ed.research",
            "学生プロジェクトとして企業の課題に取り組むインターンシップを組んでいます。",
            "We place our students with companies for project-based internships."),
)

DISTRACTORS: tuple[str, ...] = (
    "自動運転シャトルの開発と公道での実証を行っています。",
    "Autonomous shuttle buses for airports and campuses.",
    "高齢者向けの配食サービスを展開しています。",
    "Meal delivery for elderly people at home.",
    "産業用ロボットの導入支援とライン設計を行います。",
    "Industrial robot integration for factory lines.",
    "企業向けのクラウド会計ソフトを開発しています。",
    "Cloud accounting software for small businesses.",
    "観光地のホテル運営と宿泊予約システム。",
    "Hotel management and booking systems for resorts.",
    "河川工事と道路の建設を請け負っています。",
    "Road and river construction works.",
    "農産物の直売所とECサイトの運営。",
    "Online marketplace for farm produce.",
    "住宅用の太陽光パネルの設置工事。",
    "Installation of rooftop solar panels on houses.",
    "医療機器の精密部品を製造しています。",
    "Precision parts for medical devices.",
    "保険商品の開発と引受を行います。",
    "Insurance underwriting for commercial fleets.",
    "社員研修とビジネスマナー講座を提供。",
    "Corporate soft-skills training.",
    "水産物の加工と冷凍保存の技術。",
    "Seafood processing and freezing.",
    "イベント会場の運営と音響設備のレンタル。",
    "Event venues and sound equipment rental.",
)

LANGUAGE_PAIRS = ("ja-ja", "en-en", "ja-en", "en-ja")


def pairs() -> list[tuple[str, str, str, str, str]]:
    """(language pair, need text, need tag, strength text, strength tag) of every pair."""
    out = []
    for s in SUBJECTS:
        for lp in LANGUAGE_PAIRS:
            need_lang, strength_lang = lp.split("-")
            out.append((lp, getattr(s, f"need_{need_lang}"), s.need_tag,
                        getattr(s, f"strength_{strength_lang}"), s.strength_tag))
    return out


def strength_pool(extra: list[str] = ()) -> list[str]:
    """Every subject's strengths in both languages, the distractors, then ``extra``."""
    own = [t for s in SUBJECTS for t in (s.strength_ja, s.strength_en)]
    return own + list(DISTRACTORS) + list(extra)


def recall_by_pair(vectorizer, extra: list[str] = (), k: int = 10) -> dict[str, float]:
    """Recall@k of each language pair: the need's own strength among the ``k`` strengths of
    the pool nearest to it (cosine of the fitted ``vectorizer``'s L2-normalised vectors)."""
    from sklearn.preprocessing import normalize

    pool = strength_pool(extra)
    s = normalize(vectorizer.transform(pool))
    found: dict[str, list[bool]] = {lp: [] for lp in LANGUAGE_PAIRS}
    for lp, need, _, strength, _ in pairs():
        q = normalize(vectorizer.transform([need]))
        cos = (s @ q.T).toarray().ravel()
        top = np.argsort(-cos, kind="stable")[:k]
        found[lp].append(pool.index(strength) in set(top.tolist()))
    return {lp: float(np.mean(v)) for lp, v in found.items()}
