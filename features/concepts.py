"""Shared concepts for Japanese and English text: a bilingual glossary over the taxonomy.

Character n-grams share nothing across scripts ("低速モビリティ" and "low-speed mobility"
have no n-gram in common). Each capability tag of the taxonomy (its names and phrasings
in both languages) and each entry of a domain glossary is a concept; a text is read for
the terms of every concept it mentions, and each concept found adds a private-use code
term beside the text's n-grams, so the one character n-gram vectoriser sees a
shared term whatever the language. Pure and deterministic: no tokenizer, nothing downloaded.
"""

from __future__ import annotations

from data.taxonomy import TAGS

# Concept words: (id, English terms, Japanese terms). English terms match at word starts
# (plural "s"/"es" allowed); Japanese terms match anywhere.
GLOSSARY: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("elderly", ("elderly", "senior", "older people", "older residents", "ageing", "aging",
                 "aged"), ("高齢", "シニア", "お年寄り", "老人")),
    ("care", ("care", "caregiver", "nursing"), ("介護", "ケア", "看護")),
    ("watch", ("watch-over", "monitoring of residents", "check on"), ("見守り",)),
    ("mobility", ("mobility", "transport", "transportation", "getting around", "commute"),
     ("モビリティ", "移動", "交通", "足の確保")),
    ("lowspeed", ("low-speed", "low speed", "slow mobility", "slow-moving"),
     ("低速", "グリーンスロー", "スローモビリティ")),
    ("ev", ("ev", "electric vehicle", "electric car", "battery-electric"),
     ("電気自動車", "ev", "電動車")),
    ("cart", ("cart", "golf cart", "buggy"), ("カート",)),
    ("vehicle", ("vehicle", "car", "shuttle", "bus"), ("車両", "車", "シャトル", "バス")),
    ("autonomous", ("autonomous", "self-driving", "driverless"), ("自動運転", "無人運転")),
    ("ondemand", ("on-demand", "ride sharing", "ride-hailing"), ("オンデマンド", "乗合", "相乗り")),
    ("resident", ("resident", "citizen", "community members", "locals"), ("住民", "市民", "町民")),
    ("rural", ("rural", "depopulated", "remote area", "mountain village", "countryside"),
     ("過疎", "中山間", "地方", "へき地", "山間部", "離島")),
    ("town", ("town", "city", "municipality", "village"), ("自治体", "市町村", "まち")),
    ("quality", ("quality", "defect", "defects", "faulty"), ("品質", "不良", "欠陥")),
    ("inspection", ("inspection", "inspect", "check"), ("検査", "点検", "外観")),
    ("vision", ("computer vision", "image recognition", "image analysis", "camera"),
     ("画像認識", "画像解析", "画像", "カメラ")),
    ("ai", ("ai", "artificial intelligence", "machine learning", "deep learning"),
     ("ai", "人工知能", "機械学習", "深層学習")),
    ("factory", ("factory", "plant", "production line", "manufacturing"),
     ("工場", "製造", "生産ライン", "ものづくり")),
    ("maintenance", ("maintenance", "breakdown", "failure"), ("保全", "故障", "保守")),
    ("robot", ("robot", "robotics"), ("ロボット",)),
    ("talent", ("talent", "engineer", "workforce", "skills", "people for"),
     ("人材", "エンジニア", "技術者", "担い手")),
    ("it", ("it", "digital", "software", "programming", "developer"),
     ("it", "デジタル", "ソフトウェア", "プログラミング", "情報")),
    ("education", ("education", "training", "course", "teaching", "reskilling", "curriculum"),
     ("教育", "育成", "研修", "講座", "リスキリング", "カリキュラム")),
    ("university", ("university", "academic", "students", "campus", "professor"),
     ("大学", "学生", "学術", "教員", "キャンパス")),
    ("research", ("research", "joint research", "laboratory", "lab"), ("研究", "ラボ")),
    ("internship", ("internship", "intern"), ("インターン",)),
    ("hire", ("hire", "hiring", "recruit", "recruiting", "employment", "jobs"),
     ("採用", "雇用", "就職", "求人")),
    ("energy", ("energy", "power", "electricity"), ("エネルギー", "電力", "電気")),
    ("solar", ("solar", "photovoltaic"), ("太陽光",)),
    ("wind", ("wind power", "wind turbine", "offshore wind"), ("風力",)),
    ("battery", ("battery", "batteries", "storage"), ("蓄電", "電池", "バッテリー")),
    ("hydrogen", ("hydrogen", "fuel cell"), ("水素", "燃料電池")),
    ("grid", ("grid", "demand response", "power plant"), ("グリッド", "デマンドレスポンス", "発電所")),
    ("health", ("health", "medical", "healthcare", "clinic", "hospital", "patient"),
     ("健康", "医療", "病院", "診療所", "患者", "ヘルスケア")),
    ("telemedicine", ("telemedicine", "remote consultation", "online consultation",
                      "telehealth"), ("遠隔医療", "オンライン診療", "遠隔診療")),
    ("diagnosis", ("diagnosis", "diagnostics", "screening", "testing"), ("診断", "検診", "検査")),
    ("drug", ("drug", "pharmaceutical", "medicine", "clinical trial"), ("創薬", "医薬", "薬", "治験")),
    ("farm", ("farm", "farmer", "farming", "agriculture", "agricultural", "crop", "harvest"),
     ("農業", "農家", "農作物", "収穫", "営農", "農")),
    ("food", ("food", "meal", "ingredient"), ("食品", "食", "食材")),
    ("protein", ("protein", "plant-based meat", "alternative meat"), ("たんぱく", "タンパク", "代替肉")),
    ("fish", ("fish", "fishery", "aquaculture", "seafood"), ("水産", "漁業", "養殖", "魚")),
    ("beverage", ("beverage", "drink", "water server"), ("飲料", "ドリンク", "ウォーターサーバー")),
    ("tourism", ("tourism", "tourist", "visitor", "travel", "sightseeing"),
     ("観光", "旅行", "訪日", "来訪者")),
    ("inbound", ("inbound", "foreign visitors", "overseas visitors"), ("インバウンド", "訪日外国人")),
    ("multilingual", ("multilingual", "translation", "foreign language"),
     ("多言語", "翻訳", "外国語")),
    ("airport", ("airport", "passenger", "terminal"), ("空港", "旅客", "ターミナル")),
    ("heritage", ("heritage", "craft", "crafts", "tradition", "traditional", "culture"),
     ("文化", "伝統", "工芸", "遺産")),
    ("event", ("event", "festival", "hospitality", "hotel", "accommodation"),
     ("イベント", "祭り", "宿泊", "旅館", "ホテル", "おもてなし")),
    ("material", ("material", "materials"), ("素材", "材料")),
    ("recycling", ("recycling", "recycle", "circular", "upcycling", "waste"),
     ("リサイクル", "循環", "廃棄物", "アップサイクル", "再資源化")),
    ("plastic", ("plastic", "bioplastic", "packaging"), ("プラスチック", "樹脂", "包装", "パッケージ")),
    ("sustainable", ("sustainable", "sustainability", "eco-friendly", "green", "decarbonisation",
                     "decarbonization", "carbon neutral"),
     ("サステナブル", "持続可能", "環境配慮", "脱炭素", "カーボンニュートラル")),
    ("composite", ("composite", "carbon fibre", "carbon fiber", "lightweight"),
     ("複合材", "炭素繊維", "軽量")),
    ("chemical", ("chemical", "coating", "polymer"), ("化学", "コーティング", "ポリマー")),
    ("sensor", ("sensor", "sensing", "iot"), ("センサー", "センシング", "iot")),
    ("network", ("5g", "lpwa", "wireless", "network", "connectivity"),
     ("5g", "lpwa", "無線", "通信", "ネットワーク")),
    ("embedded", ("embedded", "firmware", "edge device"), ("組込み", "組み込み", "ファームウェア")),
    ("home", ("home", "house", "housing", "residential"), ("住宅", "住まい", "家庭")),
    ("payment", ("payment", "cashless", "wallet"), ("決済", "キャッシュレス", "支払")),
    ("currency", ("local currency", "digital currency", "points"), ("地域通貨", "ポイント")),
    ("investment", ("investment", "investor", "funding", "capital", "venture"),
     ("投資", "出資", "資金", "ファンド", "ベンチャー")),
    ("insurance", ("insurance", "insurer"), ("保険",)),
    ("finance", ("finance", "financial", "fintech", "credit", "accounting"),
     ("金融", "フィンテック", "与信", "会計")),
    ("disaster", ("disaster", "flood", "earthquake", "evacuation", "emergency"),
     ("防災", "災害", "洪水", "地震", "避難", "減災")),
    ("government", ("government", "administrative", "public service", "e-government"),
     ("行政", "役所", "役場", "電子申請", "公共")),
    ("opendata", ("open data",), ("オープンデータ",)),
    ("revitalise", ("revitalisation", "revitalization", "revitalise", "revitalize", "regional"),
     ("活性化", "地域", "地方創生", "まちづくり")),
    ("testbed", ("testbed", "test bed", "test field", "demonstration", "pilot", "field trial",
                 "sandbox", "public road"),
     ("実証", "フィールド", "サンドボックス", "テストベッド", "公道")),
    ("infrastructure", ("infrastructure", "bridge", "road", "tunnel"),
     ("インフラ", "橋梁", "橋", "道路", "トンネル")),
    ("drone", ("drone", "uav"), ("ドローン",)),
    ("delivery", ("delivery", "logistics", "last-mile", "last mile", "shipping"),
     ("配送", "物流", "配達", "ラストワンマイル")),
    ("forecast", ("forecast", "forecasting", "prediction", "predictive"), ("予測",)),
    ("data", ("data", "analytics", "database"), ("データ", "分析")),
    ("platform", ("platform", "cloud"), ("基盤", "プラットフォーム", "クラウド")),
    ("language", ("language", "chatbot", "text mining", "document"),
     ("言語", "チャットボット", "テキスト", "文書")),
    ("precision", ("precision", "machining", "micro fabrication"), ("精密", "加工", "切削")),
    ("construction", ("construction", "building"), ("建設", "建築", "施工")),
    ("shortage", ("shortage", "lack", "shortfall", "too few", "cannot find"),
     ("不足", "人手不足", "足りない", "足りず")),
    ("river", ("river", "water level", "water-level"), ("河川", "川", "水位")),
    ("alert", ("alert", "alerting", "warning", "early warning"), ("警報", "警戒", "通知", "知らせ")),
    ("retail", ("shop", "shopping", "store", "high street", "retail"),
     ("買い物", "商店", "店舗", "小売")),
    ("island", ("island", "ferry"), ("離島", "島")),
    ("doctor", ("doctor", "physician"), ("医師", "医者")),
    ("rice", ("rice", "paddy", "paddies"), ("水田", "田んぼ", "稲作", "米")),
    ("alone", ("live alone", "lives alone", "living alone"), ("一人暮らし", "独居")),
    ("crack", ("crack", "damage"), ("ひび割れ", "損傷")),
    ("young", ("young", "youth", "next generation"), ("若手", "若い", "若者", "次世代")),
    ("brand", ("brand", "branding", "marketing"), ("ブランド", "販路")),
    ("spinoff", ("spin-off", "spinoff", "spin-out", "commercialise", "commercialize"),
     ("大学発", "事業化", "スピンオフ")),
    ("blackout", ("blackout", "outage", "power cut"), ("停電", "災害時")),
    ("online", ("online", "paper forms", "digitise", "digitize"), ("オンライン", "電子化", "紙")),
    ("vibration", ("vibration",), ("振動",)),
)

CODE_BASE = 0xE000  # Unicode private-use area: no real text holds these characters
TAG_CONCEPTS: tuple[str, ...] = tuple(f"tag:{t.id}" for t in TAGS)
CONCEPTS: tuple[str, ...] = TAG_CONCEPTS + tuple(g[0] for g in GLOSSARY)
CODE: dict[str, str] = {c: chr(CODE_BASE + i) for i, c in enumerate(CONCEPTS)}
# A concept found is one term of this weight (times its idf), so a shared concept weighs
# about as much as a shared phrase of a dozen characters: one column, not dozens, keeps
# the vectors as sparse as the text's own n-grams.
CONCEPT_WEIGHT = 5.8


def is_concept_term(term: str) -> bool:
    return len(term) == 1 and CODE_BASE <= ord(term) < CODE_BASE + len(CONCEPTS)


def _lexicon() -> dict[str, dict[str, set[str]]]:
    """First character → term → concepts it names (terms lower-cased)."""
    terms: dict[str, set[str]] = {}

    def add(term: str, concept: str) -> None:
        term = term.lower().strip()
        if term:
            terms.setdefault(term, set()).add(concept)

    for tag in TAGS:
        for term in (tag.en, tag.ja, *tag.terms_en, *tag.terms_ja):
            add(term, f"tag:{tag.id}")
    for concept, en, ja in GLOSSARY:
        for term in (*en, *ja):
            add(term, concept)
    by_first: dict[str, dict[str, set[str]]] = {}
    for term, concepts in terms.items():
        by_first.setdefault(term[0], {})[term] = concepts
    return by_first


_LEXICON = _lexicon()


def _ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def concepts_of(text: str) -> list[str]:
    """The concepts a text mentions, in order of first mention."""
    low = text.lower()
    found: dict[str, None] = {}
    n = len(low)
    for i, ch in enumerate(low):
        terms = _LEXICON.get(ch)
        if not terms:
            continue
        if _ascii_word(ch) and i > 0 and _ascii_word(low[i - 1]):
            continue  # English terms start at a word boundary
        for term, concepts in terms.items():
            if not low.startswith(term, i):
                continue
            end = i + len(term)
            if _ascii_word(term[-1]):
                rest = low[end:end + 3]
                tail = next((s for s in ("es", "s", "") if rest.startswith(s)), "")
                if end + len(tail) < n and _ascii_word(low[end + len(tail)]):
                    continue  # "ev" is not "event"
            for concept in sorted(concepts):
                found.setdefault(concept, None)
    return list(found)


def concept_terms(concepts: list[str]) -> list[str]:
    """The concepts as terms for the vectoriser: one code character each."""
    return [CODE[c] for c in concepts]
