"""The console's words in Japanese and English, and which language a visitor gets."""

from __future__ import annotations

from data.records import Lang
from service.api.matching_routes import pick_lang

LANGS: tuple[Lang, ...] = ("ja", "en")

WORDS: dict[str, tuple[str, str]] = {  # key: (ja, en)
    "title": ("Kyoso コンソール", "Kyoso console"),
    "signin": ("サインイン", "Sign in"),
    "signout": ("サインアウト", "Sign out"),
    "api_key": ("API キー", "API key"),
    "signin_help": ("発行された API キーでサインインします。キーはページに表示されません。",
                    "Sign in with the API key you were given. The key is never shown in a page."),
    "home": ("ホーム", "Home"),
    "profile": ("プロフィール", "Profile"),
    "suggestions": ("提案", "Suggestions"),
    "inbox": ("受信箱", "Inbox"),
    "pipeline": ("パイプライン", "Pipeline"),
    "digest": ("今日やること", "Digest"),
    "kpis": ("KPI", "KPIs"),
    "fit": ("ペアの相性", "Pair fit"),
    "consortia": ("コンソーシアム", "Consortia"),
    "models": ("モデル", "Models"),
    "docs": ("API ドキュメント", "API docs"),
    "strengths": ("強み", "Strengths"),
    "needs": ("ニーズ", "Needs"),
    "tag": ("タグ", "Tag"),
    "text": ("内容", "Text"),
    "tier": ("開示範囲", "Disclosure tier"),
    "remove": ("削除", "Remove"),
    "add": ("追加", "Add"),
    "save": ("保存", "Save"),
    "saved": ("保存しました。", "Saved."),
    "mode": ("モード", "Mode"),
    "kind": ("種別", "Kind"),
    "region": ("地域", "Region"),
    "theme": ("テーマ", "Theme"),
    "any": ("指定なし", "Any"),
    "new_only": ("これまで接点のない相手のみ", "Only organisations you have had no contact with"),
    "new_only_hint": ("紹介や成果の記録がまだない相手に絞ります。",
                      "Leaves out every organisation with an introduction or a recorded outcome with you."),
    "show": ("表示", "Show"),
    "score": ("スコア", "Score"),
    "forward": ("こちら→相手", "Us → them"),
    "backward": ("相手→こちら", "Them → us"),
    "reasons": ("理由", "Reasons"),
    "themes": ("テーマ", "Themes"),
    "request_intro": ("紹介を依頼", "Request an introduction"),
    "message": ("メッセージ", "Message"),
    "requested": ("紹介を依頼しました。", "Introduction requested."),
    "asked": ("紹介を依頼済み（回答待ち）", "Introduction requested: awaiting their answer"),
    "asked_you": ("相手から紹介の依頼が届いています。", "They have asked to be introduced to you."),
    "answer_in_inbox": ("受信箱で回答する", "Answer in your inbox"),
    "introduced": ("紹介が成立しています", "Introduced: both sides agreed"),
    "awaiting": ("回答待ちの依頼", "Requests awaiting your answer"),
    "sent": ("送った依頼", "Requests you sent"),
    "accept": ("承諾", "Accept"),
    "decline": ("辞退", "Decline"),
    "reason": ("理由", "Reason"),
    "note": ("メモ", "Note"),
    "accepted": ("承諾しました。", "Accepted."),
    "declined": ("辞退しました。", "Declined."),
    "status": ("状態", "Status"),
    "partner": ("相手", "Partner"),
    "stage": ("段階", "Stage"),
    "next_contact": ("次回連絡", "Next contact"),
    "stalled": ("停滞", "Stalled"),
    "none": ("ありません。", "Nothing here."),
    "organization": ("組織", "Organisation"),
    "other": ("相手の組織名", "The other organisation's name"),
    "other_hint": ("名前の一部でも探せます（組織 ID も可）。",
                   "Part of the name will do (or the organisation's id)."),
    "pick_one": ("該当する組織を選んでください", "Pick the organisation you mean"),
    "need_text": ("ニーズ（自由記述）", "Need (free text)"),
    "size": ("人数", "Team size"),
    "find": ("探す", "Find"),
    "train": ("学習を開始", "Start training"),
    "train_note": ("学習したモデルは、昇格ルール（現行モデル以上かつ最良のベースライン超え）を"
                   "満たすときだけ自動で本番になります。",
                   "A trained version goes live by itself only if it passes the promotion rule (at least the"
                   " live model and above the best baseline)."),
    "jobs": ("学習ジョブ", "Training jobs"),
    "job": ("ジョブ", "Job"),
    "jobs_finished": ("学習ジョブが終わりました。", "The training jobs have finished."),
    "reload_models": ("モデルの一覧を更新する", "Show the models as they are now"),
    "version": ("バージョン", "Version"),
    "live": ("稼働中", "Live"),
    "promote": ("昇格", "Promote"),
    "rollback": ("ロールバック", "Roll back"),
    "force": ("ルールを無視して昇格", "Promote despite the rule"),
    "confirm": ("確認しました", "I confirm"),
    "verdict": ("判定", "Verdict"),
    "history": ("履歴", "History"),
    "baselines": ("ベースライン", "Baselines"),
    "exposure": ("露出", "Exposure"),
    "funnel": ("ファネル", "Funnel"),
    "error": ("入力に問題があります", "There is a problem with the input"),
    "field": ("項目", "Field"),
    "language": ("言語", "Language"),
    "no_session": ("サインインしてください。", "Please sign in."),
    "bad_key": ("API キーが無効です。", "That API key is unknown or revoked."),
    "forbidden": ("このページはこのキーでは開けません。", "This key may not open this page."),
    "main": ("本文へ移動", "Skip to content"),
    "visible_items": ("閲覧できる項目", "Items you may see"),
}


_BY_LANG = {lang: {k: v[i] for k, v in WORDS.items()} for i, lang in enumerate(LANGS)}


def words(lang: Lang) -> dict[str, str]:
    """Every word of the console in one language (built once per language)."""
    return _BY_LANG[lang]


def console_lang(chosen: str | None, accept_language: str | None) -> Lang:
    """The language the visitor chose (kept in a cookie), else the API's Accept-Language rule."""
    return chosen if chosen in LANGS else pick_lang(None, accept_language)  # type: ignore[return-value]
