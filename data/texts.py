"""Phrase banks for the synthetic ecosystem: names and strength/need sentences in ja/en.

Sentences are ``prefix + capability term + suffix + context`` with many choices of
each part, so texts vary the way real profiles do rather than repeating one template.
"""

from __future__ import annotations

STRENGTH_EN: tuple[tuple[str, str], ...] = (
    ("We offer ", "."), ("Proven track record in ", "."), ("Our team specialises in ", "."),
    ("", " expertise with field-tested deployments."), ("In-house ", " technology and engineers."),
    ("Patented ", " solutions."), ("Long experience delivering ", " projects."),
    ("Research group working on ", "."), ("Award-winning ", " know-how."),
    ("", " products already used by major clients."),
)
NEED_EN: tuple[tuple[str, str], ...] = (
    ("Looking for a partner in ", "."), ("We need ", " to solve a pressing problem."),
    ("Seeking ", " capabilities."), ("Want to pilot ", " with a partner."),
    ("Lack in-house ", " skills."), ("Searching for ", " know-how."),
    ("Interested in co-developing ", "."), ("Our customers ask for ", "; we cannot build it alone."),
)
CONTEXT_EN: tuple[str, ...] = (
    "", "", "", " Focus on regional SMEs.", " Open to joint pilots.",
    " Targeting ageing communities.", " Aimed at export markets.", " Budget secured for a pilot.",
    " Decision within this fiscal year.", " Field sites available.", " Data can be shared under NDA.",
)
STRENGTH_JA: tuple[tuple[str, str], ...] = (
    ("", "の実績があります。"), ("", "に強みを持っています。"), ("独自の", "技術を保有しています。"),
    ("", "の専門チームが在籍。"), ("", "に関する特許を取得済み。"), ("長年培った", "のノウハウ。"),
    ("", "の研究室があります。"), ("大手顧客への", "の導入実績。"),
)
NEED_JA: tuple[tuple[str, str], ...] = (
    ("", "のパートナーを探しています。"), ("", "の知見が社内に不足しています。"),
    ("", "を活用した実証を行いたい。"), ("", "に取り組める企業を募集中。"),
    ("", "の導入を検討しています。"), ("", "を共同開発したい。"),
    ("", "で地域課題を解決したい。"),
)
CONTEXT_JA: tuple[str, ...] = (
    "", "", "", "地域の中小企業向け。", "高齢化が進む地域で展開。", "海外展開も視野に。",
    "来年度の予算を確保済み。", "実証フィールドあり。", "NDA締結後にデータ共有可能。",
    "早期の事業化を目指します。",
)

COMPANY_PREFIX_JA: tuple[str, ...] = (
    "日本", "東和", "大和", "光", "みらい", "さくら", "富士", "北斗", "三葉", "青葉", "新星", "白山",
    "朝日", "中央", "瑞穂", "山陽", "東海", "北陸", "九州", "信州",
)
COMPANY_PREFIX_EN: tuple[str, ...] = (
    "Nippon", "Towa", "Yamato", "Hikari", "Mirai", "Sakura", "Fuji", "Hokuto", "Mitsuba", "Aoba",
    "Shinsei", "Hakusan", "Asahi", "Chuo", "Mizuho", "Sanyo", "Tokai", "Hokuriku", "Kyushu",
    "Shinshu",
)
DOMAIN_WORD_JA: dict[str, str] = {
    "ai_data": "データテック", "manufacturing": "精工", "mobility": "モビリティ",
    "energy": "エナジー", "health": "メディカル", "food_agri": "フーズ", "tourism": "ツーリズム",
    "education": "ラーニング", "materials": "マテリアル", "iot": "デバイス",
    "finance": "フィナンシャル", "public": "ソリューションズ", "housing": "ホーム",
}
DOMAIN_WORD_EN: dict[str, str] = {
    "ai_data": "Datatech", "manufacturing": "Precision", "mobility": "Mobility",
    "energy": "Energy", "health": "Medical", "food_agri": "Foods", "tourism": "Tourism",
    "education": "Learning", "materials": "Materials", "iot": "Devices",
    "finance": "Financial", "public": "Solutions", "housing": "Homes",
}
STARTUP_NAME: tuple[str, ...] = (
    "Nexa", "Kumo", "Sora", "Tsumugi", "Hoshi", "Midori", "Aozora", "Kaze", "Ritto", "Zenit",
    "Orbi", "Lumen", "Kite", "Mosaic", "Pivot", "Quanta", "Yui", "Hinata", "Tsubasa", "Vela",
)
COMPANY_SUFFIX_EN: tuple[str, ...] = (" Co., Ltd.", " Corporation", " Inc.", " Holdings", " K.K.")
COMPANY_SUFFIX_JA: tuple[str, ...] = (
    "株式会社", "工業株式会社", "ホールディングス", "株式会社", "産業株式会社",
)
UNIVERSITY_EN: tuple[str, ...] = (" University", " Institute of Technology", " Prefectural University")
UNIVERSITY_JA: tuple[str, ...] = ("大学", "工業大学", "県立大学")
INSTITUTE_EN: tuple[str, ...] = (" Industrial Technology Center", " Research Institute", " Science Lab")
INSTITUTE_JA: tuple[str, ...] = ("産業技術センター", "研究所", "総合研究機構")
CITY_EN: tuple[str, ...] = (
    "Chuo", "Kita", "Minami", "Higashi", "Nishi", "Midori", "Sakura", "Minato", "Yamate", "Kawabe",
    "Oka", "Hama", "Mori", "Ishi", "Kami", "Shimo",
)
CITY_JA: tuple[str, ...] = (
    "中央", "北", "南", "東", "西", "緑", "桜", "港", "山手", "川辺", "岡", "浜", "森", "石", "上", "下",
)
CITY_SUFFIX_EN: tuple[str, ...] = (" City", " Town", " Village")
CITY_SUFFIX_JA: tuple[str, ...] = ("市", "町", "村")
NPO_EN: tuple[str, ...] = (" Community Network", " Regional Forum", " Citizens' Association", " Foundation")
NPO_JA: tuple[str, ...] = ("まちづくりネットワーク", "地域フォーラム", "市民協会", "財団")
