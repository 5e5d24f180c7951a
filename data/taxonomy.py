"""Capability taxonomy: tags grouped in domains, industries, and the regions Kyoso knows.

Pure data. Each capability tag carries Japanese and English names and a few
phrasings of the capability, which the generator uses for varied texts and the
matcher uses to read free text against the tags.
"""

from __future__ import annotations

from typing import Literal

import msgspec


class Tag(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    domain: str
    en: str
    ja: str
    terms_en: tuple[str, ...]
    terms_ja: tuple[str, ...]


class Domain(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    en: str
    ja: str


DOMAINS: tuple[Domain, ...] = (
    Domain(id="ai_data", en="AI and data", ja="AI・データ"),
    Domain(id="manufacturing", en="Manufacturing", ja="ものづくり"),
    Domain(id="mobility", en="Mobility", ja="モビリティ"),
    Domain(id="energy", en="Energy", ja="エネルギー"),
    Domain(id="health", en="Health and care", ja="ヘルスケア・介護"),
    Domain(id="food_agri", en="Food and agriculture", ja="食・農業"),
    Domain(id="tourism", en="Tourism and culture", ja="観光・文化"),
    Domain(id="education", en="Education and talent", ja="教育・人材"),
    Domain(id="materials", en="Materials", ja="素材"),
    Domain(id="iot", en="IoT and devices", ja="IoT・デバイス"),
    Domain(id="finance", en="Finance", ja="金融"),
    Domain(id="public", en="Public services", ja="公共サービス"),
    Domain(id="housing", en="Housing and construction", ja="住まい・建設"),
)


def _t(id_: str, domain: str, en: str, ja: str, terms_en: tuple[str, ...], terms_ja: tuple[str, ...]) -> Tag:
    return Tag(id=id_, domain=domain, en=en, ja=ja, terms_en=terms_en, terms_ja=terms_ja)


TAGS: tuple[Tag, ...] = (
    # AI and data
    _t("ai.vision", "ai_data", "Computer vision", "画像認識",
       ("image recognition", "visual inspection AI", "camera-based detection"),
       ("画像認識", "AI外観検査", "カメラ映像解析")),
    _t("ai.nlp", "ai_data", "Language AI", "自然言語処理",
       ("natural language processing", "chatbots and text mining", "document understanding"),
       ("自然言語処理", "チャットボット", "文書解析")),
    _t("ai.forecast", "ai_data", "Demand forecasting", "需要予測",
       ("demand forecasting", "time-series prediction", "predictive analytics"),
       ("需要予測", "時系列予測", "予測分析")),
    _t("ai.platform", "ai_data", "Data platforms", "データ基盤",
       ("data platform engineering", "data integration and governance", "cloud data lakes"),
       ("データ基盤構築", "データ連携", "クラウドデータ活用")),
    # Manufacturing
    _t("mfg.quality", "manufacturing", "Quality control", "品質管理",
       ("quality control", "defect reduction", "inspection processes"),
       ("品質管理", "不良削減", "検査工程")),
    _t("mfg.automation", "manufacturing", "Factory automation", "工場自動化",
       ("factory automation", "industrial robotics", "smart factory lines"),
       ("工場自動化", "産業用ロボット", "スマートファクトリー")),
    _t("mfg.precision", "manufacturing", "Precision machining", "精密加工",
       ("precision machining", "micro fabrication", "high-accuracy parts"),
       ("精密加工", "微細加工", "高精度部品")),
    _t("mfg.maintenance", "manufacturing", "Predictive maintenance", "予知保全",
       ("predictive maintenance", "equipment condition monitoring", "failure prediction"),
       ("予知保全", "設備状態監視", "故障予測")),
    # Mobility
    _t("mob.autonomous", "mobility", "Autonomous driving", "自動運転",
       ("autonomous driving", "self-driving shuttles", "driver assistance"),
       ("自動運転", "自動運転シャトル", "運転支援")),
    _t("mob.lowspeed", "mobility", "Low-speed mobility", "低速モビリティ",
       ("low-speed mobility", "personal mobility vehicles", "green slow mobility"),
       ("低速モビリティ", "パーソナルモビリティ", "グリーンスローモビリティ")),
    _t("mob.maas", "mobility", "MaaS", "MaaS",
       ("mobility as a service", "on-demand transport", "integrated route planning"),
       ("MaaS", "オンデマンド交通", "経路検索連携")),
    _t("mob.logistics", "mobility", "Logistics", "物流",
       ("last-mile logistics", "delivery optimisation", "drone delivery"),
       ("ラストワンマイル物流", "配送最適化", "ドローン配送")),
    # Energy
    _t("en.renewable", "energy", "Renewable energy", "再生可能エネルギー",
       ("solar and wind power", "renewable generation", "offshore wind"),
       ("太陽光・風力発電", "再生可能エネルギー", "洋上風力")),
    _t("en.storage", "energy", "Energy storage", "蓄電",
       ("battery storage", "energy storage systems", "second-life batteries"),
       ("蓄電池", "エネルギー貯蔵", "リユース電池")),
    _t("en.hydrogen", "energy", "Hydrogen", "水素",
       ("hydrogen production", "fuel cells", "hydrogen supply chains"),
       ("水素製造", "燃料電池", "水素サプライチェーン")),
    _t("en.grid", "energy", "Smart grid", "スマートグリッド",
       ("smart grid control", "demand response", "virtual power plants"),
       ("スマートグリッド", "デマンドレスポンス", "仮想発電所")),
    # Health
    _t("hl.diagnostics", "health", "Diagnostics", "診断",
       ("medical diagnostics", "AI-assisted diagnosis", "point-of-care testing"),
       ("医療診断", "AI画像診断", "簡易検査")),
    _t("hl.eldercare", "health", "Elderly care", "高齢者ケア",
       ("elderly care services", "care robotics", "watch-over services"),
       ("高齢者介護", "介護ロボット", "見守りサービス")),
    _t("hl.digital", "health", "Digital health", "デジタルヘルス",
       ("digital health apps", "telemedicine", "health data"),
       ("ヘルスケアアプリ", "遠隔医療", "健康データ")),
    _t("hl.drug", "health", "Drug discovery", "創薬",
       ("drug discovery", "biomarker research", "clinical trials"),
       ("創薬", "バイオマーカー研究", "臨床試験")),
    # Food and agriculture
    _t("fa.smartagri", "food_agri", "Smart agriculture", "スマート農業",
       ("smart agriculture", "precision farming", "agricultural sensors"),
       ("スマート農業", "精密農業", "農業センサー")),
    _t("fa.foodtech", "food_agri", "Food technology", "フードテック",
       ("food technology", "alternative proteins", "food processing"),
       ("フードテック", "代替たんぱく質", "食品加工")),
    _t("fa.beverage", "food_agri", "Beverage service", "飲料サービス",
       ("beverage service", "drink subscriptions", "water servers"),
       ("飲料サービス", "ドリンク定期便", "ウォーターサーバー")),
    _t("fa.fishery", "food_agri", "Fishery and aquaculture", "水産・養殖",
       ("aquaculture", "fishery resource management", "land-based fish farming"),
       ("養殖", "水産資源管理", "陸上養殖")),
    # Tourism
    _t("tr.inbound", "tourism", "Inbound tourism", "インバウンド観光",
       ("inbound tourism", "multilingual visitor services", "travel demand"),
       ("インバウンド観光", "多言語観光案内", "観光需要")),
    _t("tr.airport", "tourism", "Airport operations", "空港運営",
       ("airport operations", "passenger flow", "ground handling"),
       ("空港運営", "旅客動線", "グランドハンドリング")),
    _t("tr.culture", "tourism", "Culture and heritage", "文化・地域資源",
       ("cultural heritage", "local crafts", "regional branding"),
       ("文化財活用", "伝統工芸", "地域ブランディング")),
    _t("tr.events", "tourism", "Events and hospitality", "イベント・宿泊",
       ("event management", "hospitality", "accommodation services"),
       ("イベント運営", "おもてなし", "宿泊サービス")),
    # Education and talent
    _t("ed.ittalent", "education", "IT talent", "IT人材育成",
       ("IT talent development", "programming education", "reskilling"),
       ("IT人材育成", "プログラミング教育", "リスキリング")),
    _t("ed.research", "education", "Joint research", "共同研究",
       ("joint research", "academic expertise", "research facilities"),
       ("共同研究", "学術的知見", "研究設備")),
    _t("ed.internship", "education", "Internships", "インターンシップ",
       ("internships", "student projects", "recruiting young talent"),
       ("インターンシップ", "学生プロジェクト", "若手人材の採用")),
    _t("ed.edtech", "education", "EdTech", "EdTech",
       ("education technology", "online learning", "learning analytics"),
       ("教育テック", "オンライン学習", "学習データ分析")),
    # Materials
    _t("mt.sustainable", "materials", "Sustainable materials", "サステナブル素材",
       ("sustainable materials", "bio-based plastics", "plant-based packaging"),
       ("サステナブル素材", "バイオプラスチック", "植物由来パッケージ")),
    _t("mt.recycling", "materials", "Recycling", "リサイクル",
       ("recycling technology", "circular economy", "waste upcycling"),
       ("リサイクル技術", "サーキュラーエコノミー", "アップサイクル")),
    _t("mt.composites", "materials", "Advanced composites", "複合材料",
       ("carbon fibre composites", "lightweight materials", "advanced ceramics"),
       ("炭素繊維複合材", "軽量素材", "ファインセラミックス")),
    _t("mt.chemicals", "materials", "Functional chemicals", "機能性化学",
       ("functional chemicals", "coatings", "specialty polymers"),
       ("機能性化学品", "コーティング", "高機能樹脂")),
    # IoT and devices
    _t("iot.sensors", "iot", "Sensors", "センサー",
       ("sensor devices", "environmental sensing", "wearable sensors"),
       ("センサーデバイス", "環境センシング", "ウェアラブルセンサー")),
    _t("iot.connectivity", "iot", "Connectivity", "通信",
       ("5G and LPWA connectivity", "wireless networks", "edge connectivity"),
       ("5G・LPWA通信", "無線ネットワーク", "エッジ通信")),
    _t("iot.embedded", "iot", "Embedded systems", "組込みシステム",
       ("embedded systems", "firmware development", "edge devices"),
       ("組込みシステム", "ファームウェア開発", "エッジデバイス")),
    _t("iot.smarthome", "iot", "Smart home", "スマートホーム",
       ("smart home devices", "connected appliances", "home energy management"),
       ("スマートホーム", "コネクテッド家電", "HEMS")),
    # Finance
    _t("fin.payments", "finance", "Payments", "決済",
       ("cashless payments", "payment platforms", "local digital currency"),
       ("キャッシュレス決済", "決済基盤", "地域通貨")),
    _t("fin.investment", "finance", "Investment", "投資",
       ("venture investment", "growth capital", "crowdfunding"),
       ("ベンチャー投資", "成長資金", "クラウドファンディング")),
    _t("fin.insurance", "finance", "Insurance", "保険",
       ("insurance products", "risk assessment", "insurtech"),
       ("保険商品", "リスク評価", "インシュアテック")),
    _t("fin.fintech", "finance", "Fintech", "フィンテック",
       ("financial technology", "credit scoring", "accounting automation"),
       ("フィンテック", "与信スコアリング", "会計自動化")),
    # Public services
    _t("pub.disaster", "public", "Disaster resilience", "防災",
       ("disaster prevention", "emergency response", "resilient infrastructure"),
       ("防災", "災害対応", "強靭なインフラ")),
    _t("pub.egov", "public", "Digital government", "行政DX",
       ("digital government services", "administrative DX", "open data"),
       ("行政DX", "電子申請", "オープンデータ")),
    _t("pub.community", "public", "Community revitalisation", "地域活性化",
       ("community revitalisation", "depopulation measures", "local employment"),
       ("地域活性化", "過疎対策", "地域雇用")),
    _t("pub.testbed", "public", "Public testbeds", "実証フィールド",
       ("public testbeds", "demonstration sites", "regulatory sandboxes"),
       ("実証フィールド", "実証実験の場", "規制のサンドボックス")),
    # Housing and construction
    _t("hs.housing", "housing", "Housing", "住宅",
       ("housing construction", "prefabricated homes", "home renovation"),
       ("住宅建設", "プレハブ住宅", "リノベーション")),
    _t("hs.infrastructure", "housing", "Infrastructure inspection", "インフラ点検",
       ("infrastructure inspection", "bridge monitoring", "construction DX"),
       ("インフラ点検", "橋梁モニタリング", "建設DX")),
)

TAG_IDS: tuple[str, ...] = tuple(t.id for t in TAGS)
TAG_INDEX: dict[str, int] = {t: i for i, t in enumerate(TAG_IDS)}
TAG_BY_ID: dict[str, Tag] = {t.id: t for t in TAGS}
DOMAIN_IDS: tuple[str, ...] = tuple(d.id for d in DOMAINS)

# msgspec validates membership through a Literal built from the catalogue.
TagId = Literal[TAG_IDS]  # type: ignore[valid-type]

INDUSTRIES: tuple[str, ...] = (
    "automotive", "electronics", "machinery", "chemicals", "food", "beverage",
    "agriculture", "construction", "real_estate", "energy", "utilities", "telecom",
    "software", "internet", "finance", "insurance", "healthcare", "pharma",
    "logistics", "transport", "retail", "tourism", "education", "research",
    "government", "media", "materials", "aerospace",
)
IndustryId = Literal[INDUSTRIES]  # type: ignore[valid-type]


class Region(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    en: str
    ja: str
    lat: float
    lon: float


def _p(n: int, en: str, ja: str, lat: float, lon: float) -> Region:
    return Region(code=f"JP-{n:02d}", en=en, ja=ja, lat=lat, lon=lon)


PREFECTURES: tuple[Region, ...] = (
    _p(1, "Hokkaido", "北海道", 43.06, 141.35), _p(2, "Aomori", "青森県", 40.82, 140.74),
    _p(3, "Iwate", "岩手県", 39.70, 141.15), _p(4, "Miyagi", "宮城県", 38.27, 140.87),
    _p(5, "Akita", "秋田県", 39.72, 140.10), _p(6, "Yamagata", "山形県", 38.24, 140.36),
    _p(7, "Fukushima", "福島県", 37.75, 140.47), _p(8, "Ibaraki", "茨城県", 36.34, 140.45),
    _p(9, "Tochigi", "栃木県", 36.57, 139.88), _p(10, "Gunma", "群馬県", 36.39, 139.06),
    _p(11, "Saitama", "埼玉県", 35.86, 139.65), _p(12, "Chiba", "千葉県", 35.61, 140.12),
    _p(13, "Tokyo", "東京都", 35.69, 139.69), _p(14, "Kanagawa", "神奈川県", 35.45, 139.64),
    _p(15, "Niigata", "新潟県", 37.90, 139.02), _p(16, "Toyama", "富山県", 36.70, 137.21),
    _p(17, "Ishikawa", "石川県", 36.59, 136.63), _p(18, "Fukui", "福井県", 36.07, 136.22),
    _p(19, "Yamanashi", "山梨県", 35.66, 138.57), _p(20, "Nagano", "長野県", 36.65, 138.18),
    _p(21, "Gifu", "岐阜県", 35.39, 136.72), _p(22, "Shizuoka", "静岡県", 34.98, 138.38),
    _p(23, "Aichi", "愛知県", 35.18, 136.91), _p(24, "Mie", "三重県", 34.73, 136.51),
    _p(25, "Shiga", "滋賀県", 35.00, 135.87), _p(26, "Kyoto", "京都府", 35.02, 135.76),
    _p(27, "Osaka", "大阪府", 34.69, 135.52), _p(28, "Hyogo", "兵庫県", 34.69, 135.18),
    _p(29, "Nara", "奈良県", 34.69, 135.83), _p(30, "Wakayama", "和歌山県", 34.23, 135.17),
    _p(31, "Tottori", "鳥取県", 35.50, 134.24), _p(32, "Shimane", "島根県", 35.47, 133.05),
    _p(33, "Okayama", "岡山県", 34.66, 133.93), _p(34, "Hiroshima", "広島県", 34.40, 132.46),
    _p(35, "Yamaguchi", "山口県", 34.19, 131.47), _p(36, "Tokushima", "徳島県", 34.07, 134.56),
    _p(37, "Kagawa", "香川県", 34.34, 134.04), _p(38, "Ehime", "愛媛県", 33.84, 132.77),
    _p(39, "Kochi", "高知県", 33.56, 133.53), _p(40, "Fukuoka", "福岡県", 33.61, 130.42),
    _p(41, "Saga", "佐賀県", 33.25, 130.30), _p(42, "Nagasaki", "長崎県", 32.74, 129.87),
    _p(43, "Kumamoto", "熊本県", 32.79, 130.74), _p(44, "Oita", "大分県", 33.24, 131.61),
    _p(45, "Miyazaki", "宮崎県", 31.91, 131.42), _p(46, "Kagoshima", "鹿児島県", 31.56, 130.56),
    _p(47, "Okinawa", "沖縄県", 26.21, 127.68),
)

FOREIGN_REGIONS: tuple[Region, ...] = (
    Region(code="US", en="United States", ja="アメリカ", lat=37.4, lon=-122.1),
    Region(code="DE", en="Germany", ja="ドイツ", lat=52.5, lon=13.4),
    Region(code="FR", en="France", ja="フランス", lat=48.9, lon=2.35),
    Region(code="GB", en="United Kingdom", ja="イギリス", lat=51.5, lon=-0.13),
    Region(code="FI", en="Finland", ja="フィンランド", lat=60.2, lon=24.9),
    Region(code="IL", en="Israel", ja="イスラエル", lat=32.1, lon=34.8),
    Region(code="SG", en="Singapore", ja="シンガポール", lat=1.35, lon=103.8),
    Region(code="KR", en="South Korea", ja="韓国", lat=37.57, lon=126.98),
    Region(code="TW", en="Taiwan", ja="台湾", lat=25.03, lon=121.57),
    Region(code="IN", en="India", ja="インド", lat=12.97, lon=77.59),
)

REGIONS: tuple[Region, ...] = PREFECTURES + FOREIGN_REGIONS
REGION_BY_CODE: dict[str, Region] = {r.code: r for r in REGIONS}
