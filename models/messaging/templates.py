"""The texts of SMS and e-mail messages, in Persian and English, and how many SMS parts a text takes.

Imports the standard library only. A template words one kind (a notification kind, a one-time code, the daily
digest) from its params. The SMS sentence always fits one part: a Persian SMS is UCS-2, 70 characters for a
single part (67 per part of a longer one), so the variable parts (a project's title, a reason, a name) are cut
to fit (`fit`); links follow on their own lines. The e-mail says the same in full. Pages never show these: the
in-app list words notifications itself (dash_app.pages.citizen.my).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

SMS_SINGLE_UCS2, SMS_PART_UCS2 = 70, 67      # characters (UTF-16 units) of one part / of each concatenated part
SMS_SINGLE_GSM, SMS_PART_GSM = 160, 153       # septets
_GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                 "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM_EXTENDED = set("^{}\\[~]|€")  # two septets each
_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def sms_parts(text: str) -> int:
    """How many SMS parts `text` takes: GSM-7 when every character is in its alphabet, else UCS-2 (UTF-16)."""
    if not text:
        return 1
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text):
        septets = sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
        return 1 if septets <= SMS_SINGLE_GSM else math.ceil(septets / SMS_PART_GSM)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= SMS_SINGLE_UCS2 else math.ceil(units / SMS_PART_UCS2)


def digits(value: object, lang: str) -> str:
    """Persian digits in Persian."""
    return str(value).translate(_FA_DIGITS) if lang == "fa" else str(value)


def shorten(text: object, limit: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:max(1, limit - 1)].rstrip() + "…"


def fit(sentence: Callable[[str], str], value: object, limit: int = SMS_SINGLE_UCS2) -> str:
    """`sentence(v)` with `v` the longest start of `value` that keeps the whole within `limit` characters."""
    full = " ".join(str(value or "").split())
    whole = sentence(full)
    if len(whole) <= limit:
        return whole
    room = max(1, len(full) - (len(whole) - limit))
    while room > 1 and len(sentence(shorten(full, room))) > limit:
        room -= 1
    return sentence(shorten(full, room))


def _name(params: dict, key: str, lang: str) -> str:
    return str(params.get(f"{key}_{lang}") or params.get(f"{key}_fa") or params.get(f"{key}_en") or "")


@dataclass(frozen=True)
class Template:
    # (params, lang) -> the one-part SMS sentence; (params, lang) -> the e-mail's subject and body sentence
    sms: Callable[[dict, str], str]
    subject: Callable[[dict, str], str]
    body: Callable[[dict, str], str]
    path: Callable[[dict], str] = lambda _p: "/my"   # the page the message links to
    secret: bool = False                             # the text holds a one-time code


def _t(lang: str, fa: str, en: str) -> str:
    return fa if lang == "fa" else en


def _code_sms(fa: str, en: str) -> Callable[[dict, str], str]:
    # The code in Latin digits: phones offer to fill a code in from an SMS only when it is made of them.
    return lambda p, lang: _t(lang, fa, en).format(code=p["code"], minutes=digits(p.get("minutes", 2), lang))


def _code_body(p: dict, lang: str) -> str:
    return _t(lang, "کد یک‌بارمصرف شما {code} است و تا {minutes} دقیقه اعتبار دارد. آن را به هیچ‌کس ندهید؛ "
                    "همیار هرگز آن را از شما نمی‌پرسد. اگر شما درخواست نکرده‌اید، این پیام را نادیده بگیرید.",
              "Your one-time code is {code}; it is valid for {minutes} minutes. Give it to nobody: Hamyar never "
              "asks for it. If you did not ask for it, ignore this message.").format(
        code=p["code"], minutes=digits(p.get("minutes", 2), lang))


def _project_sms(fa: str, en: str) -> Callable[[dict, str], str]:
    return lambda p, lang: fit(lambda v: _t(lang, fa, en).format(project=v), _name(p, "project", lang))


def _project_body(fa: str, en: str) -> Callable[[dict, str], str]:
    return lambda p, lang: _t(lang, fa, en).format(project=_name(p, "project", lang), reason=p.get("reason") or "",
                                                   n=digits(int(p.get("count") or 0), lang))


def _rejected_sms(p: dict, lang: str) -> str:
    project = shorten(_name(p, "project", lang), 18)
    return fit(lambda v: _t(lang, "همیار: کمک شما به «{project}» پذیرفته نشد: {reason}",
                            "Hamyar: your help for \u201c{project}\u201d was declined: {reason}").format(
        project=project, reason=v), p.get("reason") or "")


def _count_sms(fa: str, en: str) -> Callable[[dict, str], str]:
    return lambda p, lang: _t(lang, fa, en).format(n=digits(int(p.get("count") or 0), lang))


def _withdrawn_sms(p: dict, lang: str) -> str:
    n = digits(int(p.get("count") or 0), lang)
    if p.get("why") == "need_removed":
        return _t(lang, "همیار: نیازی حذف شد و {n} پیشنهاد کمک شما پس گرفته شد.",
                  "Hamyar: a need was removed; {n} proposal(s) of your help withdrawn.").format(n=n)
    if p.get("why") == "pb":
        return _t(lang, "همیار: بودجهٔ مشارکتی جای {n} پیشنهاد کمک شما را گرفت.",
                  "Hamyar: participatory budgeting replaced {n} proposal(s) of your help.").format(n=n)
    return _t(lang, "همیار: {n} پیشنهاد تطبیق برای کمک شما پس گرفته شد.",
              "Hamyar: {n} matching proposal(s) for your help were withdrawn.").format(n=n)


def _withdrawn_body(p: dict, lang: str) -> str:
    n = digits(int(p.get("count") or 0), lang)
    if p.get("why") == "need_removed":
        return _t(lang, "میز نیازی را که کمک شما برایش پیشنهاد شده بود از پروژه حذف کرد؛ {n} پیشنهاد کمک شما پس گرفته "
                        "شد و آن بخش از کمکتان دوباره آزاد است و در تطبیق بعدی به کار می‌رود.",
                  "The table removed a need your help had been proposed for; {n} proposal(s) of your help were "
                  "withdrawn and that part is free again for the next matching.").format(n=n)
    if p.get("why") == "pb":
        return _t(lang, "نتایج بودجه‌ریزی مشارکتی منتشر شد و بودجهٔ فرمانداری نیاز مالی پروژه را تأمین کرد؛ "
                        "{n} پیشنهاد کمک شما پس گرفته شد و آن بخش از کمکتان دوباره آزاد است.",
                  "Participatory budgeting results were published and the governorate's budget funds the project's "
                  "financial need; {n} proposal(s) of your help were withdrawn and that part is free again.").format(n=n)
    return _t(lang, "اجرای تازهٔ تطبیق {n} پیشنهاد پیشین برای کمک شما را تکرار نکرد؛ آن بخش از کمکتان دوباره آزاد "
                    "است و در تطبیق بعدی به کار می‌رود.",
              "A newer matching run did not repeat {n} earlier proposal(s) for your help; that part is free again "
              "for the next matching.").format(n=n)


def _table_sms(fa: str, en: str) -> Callable[[dict, str], str]:
    return lambda p, lang: fit(lambda v: _t(lang, fa, en).format(table=v), _name(p, "table", lang))


def _closed_sms(p: dict, lang: str) -> str:
    table = shorten(_name(p, "table", lang), 22)
    if not p.get("winner_name"):
        return _t(lang, "همیار: انتخابات ریاست {table} بدون برگزیده پایان یافت.",
                  "Hamyar: the {table} chair election closed; nobody was elected.").format(table=table)
    return fit(lambda v: _t(lang, "همیار: {winner} رئیس {table} شد.", "Hamyar: {winner} now chairs {table}.")
               .format(winner=v, table=table), p["winner_name"])


def _closed_body(p: dict, lang: str) -> str:
    table = _name(p, "table", lang)
    if not p.get("winner_name"):
        return _t(lang, "انتخابات ریاست {table} پایان یافت و کسی برگزیده نشد (حد نصاب یا رأی کافی نبود)؛ "
                        "رئیس پیشین در جای خود می‌ماند.",
                  "The {table} chair election has closed and nobody was elected (no quorum or no approval); "
                  "the chair stays.").format(table=table)
    return _t(lang, "انتخابات ریاست {table} پایان یافت. برگزیده: {winner}.",
              "The {table} chair election has closed. Elected: {winner}.").format(table=table, winner=p["winner_name"])


def _table_path(p: dict) -> str:
    return f"/tables/{int(p['table_id'])}" if isinstance(p.get("table_id"), int) else "/tables"


def _subject_sms(fa: str, en: str) -> Callable[[dict, str], str]:
    return lambda p, lang: fit(lambda v: _t(lang, fa, en).format(subject=v), p.get("subject") or "")


def _subject_body(fa: str, en: str) -> Callable[[dict, str], str]:
    return lambda p, lang: _t(lang, fa, en).format(subject=" ".join(str(p.get("subject") or "").split()))


def _referral_path(p: dict) -> str:
    return f"/referrals/{int(p['referral_id'])}" if isinstance(p.get("referral_id"), int) else "/referrals"


TEMPLATES: dict[str, Template] = {
    "code_register": Template(
        _code_sms("همیار: کد ثبت‌نام شما {code} است. به کسی ندهید. {minutes} دقیقه اعتبار دارد.",
                  "Hamyar sign-up code: {code}. Share it with no one. Valid {minutes} min."),
        lambda p, lang: _t(lang, "کد ثبت‌نام در همیار", "Your Hamyar sign-up code"), _code_body,
        path=lambda _p: "/register", secret=True),
    "code_sign_in": Template(
        _code_sms("همیار: کد ورود شما {code} است. به کسی ندهید. {minutes} دقیقه اعتبار دارد.",
                  "Hamyar sign-in code: {code}. Share it with no one. Valid {minutes} min."),
        lambda p, lang: _t(lang, "کد ورود به همیار", "Your Hamyar sign-in code"), _code_body,
        path=lambda _p: "/login/code", secret=True),
    "code_reset": Template(
        _code_sms("همیار: کد بازیابی گذرواژه {code}. به کسی ندهید. {minutes} دقیقه اعتبار دارد.",
                  "Hamyar password code: {code}. Share it with no one. Valid {minutes} min."),
        lambda p, lang: _t(lang, "کد بازیابی گذرواژهٔ همیار", "Your Hamyar password reset code"), _code_body,
        path=lambda _p: "/forgot", secret=True),
    "code_verify": Template(
        _code_sms("همیار: کد تأیید شما {code} است. به کسی ندهید. {minutes} دقیقه اعتبار دارد.",
                  "Hamyar address code: {code}. Share it with no one. Valid {minutes} min."),
        lambda p, lang: _t(lang, "کد تأیید ایمیل در همیار", "Confirm your e-mail address for Hamyar"),
        _code_body, path=lambda _p: "/account", secret=True),
    "code_vote": Template(
        _code_sms("همیار: کد رأی شما {code} است. به کسی ندهید. {minutes} دقیقه اعتبار دارد.",
                  "Hamyar voting code: {code}. Share it with no one. Valid {minutes} min."),
        lambda p, lang: _t(lang, "کد رأی در همیار", "Your Hamyar voting code"), _code_body,
        path=lambda _p: "/vote/resident", secret=True),
    "allocation_proposed": Template(
        _count_sms("همیار: تطبیق {n} بخش از کمک شما را به پروژه‌ها پیشنهاد کرد.",
                   "Hamyar: matching proposed {n} part(s) of your help to projects."),
        lambda p, lang: _t(lang, "پیشنهاد تازهٔ تطبیق برای کمک شما", "New matching proposals for your help"),
        _project_body("تطبیق {n} بخش از کمک شما را به پروژه‌ها پیشنهاد کرد. رئیس هر میز آن را می‌پذیرد یا نمی‌پذیرد؛ "
                      "چرایی هر پیشنهاد در صفحهٔ «کمک‌های من» آمده است.",
                      "Matching proposed {n} part(s) of your help to projects. Each table's chair accepts or declines "
                      "them; why each was proposed is on the “My contributions” page.")),
    "allocation_accepted": Template(
        _project_sms("همیار: کمک شما به «{project}» پذیرفته شد.",
                     "Hamyar: your help for \u201c{project}\u201d was accepted."),
        lambda p, lang: _t(lang, "کمک شما پذیرفته شد", "Your help was accepted"),
        _project_body("رئیس میز کمک شما به پروژهٔ «{project}» را پذیرفت. سپاس از همراهی شما!",
                      "The table's chair accepted your help for “{project}”. Thank you!")),
    "allocation_rejected": Template(
        _rejected_sms,
        lambda p, lang: _t(lang, "کمک شما پذیرفته نشد", "Your help was declined"),
        _project_body("رئیس میز کمک شما به پروژهٔ «{project}» را نپذیرفت. دلیل: {reason}\nآن بخش از کمک شما دوباره "
                      "آزاد است.",
                      "The table's chair declined your help for “{project}”. Reason: {reason}\nThat part of your "
                      "help is free again.")),
    "allocation_delivered": Template(
        _project_sms("همیار: تحویل کمک شما به «{project}» ثبت شد. سپاس!",
                     "Hamyar: your help for \u201c{project}\u201d was delivered. Thanks!"),
        lambda p, lang: _t(lang, "کمک شما تحویل شد", "Your help was delivered"),
        _project_body("تحویل کمک شما به پروژهٔ «{project}» ثبت شد. سپاس از شما!",
                      "Your help for “{project}” was recorded as delivered. Thank you!")),
    "allocation_withdrawn": Template(
        _withdrawn_sms,
        lambda p, lang: _t(lang, "پیشنهادی برای کمک شما پس گرفته شد", "A proposal for your help was withdrawn"),
        _withdrawn_body),
    "pledge_lowered": Template(  # to a chair: a citizen lowered a pledge below what was proposed (issue 20)
        _count_sms("همیار: کمکی کم شد و {n} پیشنهاد در صف میز شما پس گرفته شد.",
                   "Hamyar: a pledge was lowered; {n} proposal(s) withdrawn."),
        lambda p, lang: _t(lang, "پیشنهادی در صف میز پس گرفته شد", "A proposal in your table's queue was withdrawn"),
        _project_body("شهروندی مقدار کمکش را کمتر از آنچه پیشنهاد شده بود کرد؛ {n} پیشنهاد بر نیازهای میز شما پس گرفته "
                      "شد. اجرای بعدی تطبیق جای آن را پر می‌کند.",
                      "A citizen lowered their pledge below what was proposed; {n} proposal(s) on your table's "
                      "needs were withdrawn. The next matching run fills the gap."),
        path=_table_path),
    "project_cancelled": Template(
        _project_sms("همیار: پروژهٔ «{project}» لغو شد و کمک شما آزاد است.",
                     "Hamyar: \u201c{project}\u201d was cancelled; your help is free."),
        lambda p, lang: _t(lang, "پروژه لغو شد", "A project was cancelled"),
        _project_body("پروژهٔ «{project}» لغو شد؛ بخش‌هایی از کمک شما که برای آن کنار گذاشته شده بود دوباره آزاد است.",
                      "The project “{project}” was cancelled; the parts of your help it held are free again.")),
    "contribution_message": Template(
        _project_sms("همیار: پیام تازه دربارهٔ کمک شما به «{project}».",
                     "Hamyar: a new message about your help for \u201c{project}\u201d."),
        lambda p, lang: _t(lang, "پیام تازه دربارهٔ یک کمک", "A new message about a contribution"),
        _project_body("پیام تازه‌ای دربارهٔ کمک به پروژهٔ «{project}» دارید. آن را در همیار بخوانید.",
                      "You have a new message about the help for “{project}”. Read it in Hamyar.")),
    "election_opened": Template(
        _table_sms("همیار: انتخابات ریاست {table} آغاز شد. رأی دهید.",
                   "Hamyar: the {table} chair election is open. Vote."),
        lambda p, lang: _t(lang, "انتخابات ریاست میز آغاز شد", "A chair election has opened"),
        lambda p, lang: _t(lang, "انتخابات ریاست {table} آغاز شد. خود را نامزد کنید یا به نامزدها رأی دهید.",
                           "The {table} chair election is open. Nominate yourself or approve candidates.").format(
            table=_name(p, "table", lang)),
        path=_table_path),
    "election_closed": Template(
        _closed_sms,
        lambda p, lang: _t(lang, "انتخابات ریاست میز پایان یافت", "A chair election has closed"),
        _closed_body, path=_table_path),
    # referrals (models.voice.referrals): the citizen hears of the answer and of an escalation; whoever must
    # answer hears of a new, a reopened and a late request
    "referral_answered": Template(
        _subject_sms("همیار: درخواست «{subject}» پاسخ گرفت.", "Hamyar: your request \u201c{subject}\u201d was answered."),
        lambda p, lang: _t(lang, "درخواست شما پاسخ گرفت", "Your request was answered"),
        _subject_body("درخواست شما «{subject}» پاسخ گرفت: یافته، استدلال، تصمیم، گام بعدی و مسئول آن در همیار آمده "
                      "است. می‌توانید به پاسخ امتیاز دهید و یک بار آن را بازگشایی کنید.",
                      "Your request “{subject}” was answered: the finding, reasoning, decision, next step and the "
                      "person responsible are in Hamyar. You can rate the answer and reopen it once."),
        path=_referral_path),
    "referral_escalated_citizen": Template(
        _subject_sms("همیار: درخواست «{subject}» دیر شد و به فرمانداری رفت.",
                     "Hamyar: \u201c{subject}\u201d is late; sent to the governorate."),
        lambda p, lang: _t(lang, "درخواست شما به فرمانداری ارجاع شد", "Your request went to the governorate"),
        _subject_body("درخواست شما «{subject}» در مهلت پاسخ نگرفت و به فرمانداری ارجاع شد.",
                      "Your request “{subject}” was not answered in time and has been sent to the governorate."),
        path=_referral_path),
    "referral_received": Template(
        _subject_sms("همیار: درخواست تازه «{subject}» منتظر پاسخ شماست.",
                     "Hamyar: new request \u201c{subject}\u201d awaits your answer."),
        lambda p, lang: _t(lang, "درخواست تازه برای پاسخ", "A new request to answer"),
        _subject_body("درخواست تازه‌ای با عنوان «{subject}» رسیده است؛ مهلت پاسخ در همیار آمده است.",
                      "A new request “{subject}” has arrived; its deadline is shown in Hamyar."),
        path=_referral_path),
    "referral_reopened": Template(
        _subject_sms("همیار: درخواست «{subject}» بازگشایی شد.", "Hamyar: request \u201c{subject}\u201d was reopened."),
        lambda p, lang: _t(lang, "درخواستی بازگشایی شد", "A request was reopened"),
        _subject_body("شهروند درخواست «{subject}» را بازگشایی کرد؛ مهلت تازه در همیار آمده است.",
                      "The citizen reopened the request “{subject}”; the new deadline is shown in Hamyar."),
        path=_referral_path),
    "referral_late": Template(
        _subject_sms("همیار: مهلت پاسخ به «{subject}» گذشته است.",
                     "Hamyar: the answer to \u201c{subject}\u201d is overdue."),
        lambda p, lang: _t(lang, "مهلت پاسخ گذشته است", "An answer is overdue"),
        _subject_body("مهلت پاسخ به درخواست «{subject}» گذشته است؛ اگر پاسخ ندهید به فرمانداری ارجاع می‌شود.",
                      "The answer to the request “{subject}” is overdue; unanswered, it goes to the governorate."),
        path=_referral_path),
    "referral_escalated": Template(
        _subject_sms("همیار: درخواست دیرکرده «{subject}» به شما ارجاع شد.",
                     "Hamyar: overdue request \u201c{subject}\u201d escalated to you."),
        lambda p, lang: _t(lang, "درخواستی دیرکرده به شما ارجاع شد", "An overdue request was escalated to you"),
        _subject_body("درخواست «{subject}» در مهلت پاسخ نگرفت و برای رسیدگی به شما ارجاع شد.",
                      "The request “{subject}” was not answered in time and has been escalated to you."),
        path=_referral_path),
    "digest": Template(
        _count_sms("همیار: امروز {n} اعلان تازه دارید.", "Hamyar: you have {n} new notification(s) today."),
        lambda p, lang: _t(lang, "اعلان‌های امروز شما در همیار", "Your Hamyar notifications today"),
        lambda p, lang: "\n".join(f"• {line}" for line in p.get("lines") or [])),
}


@dataclass(frozen=True)
class Rendered:
    sms: str
    subject: str
    body: str
    path: str
    secret: bool


def render(kind: str, params: dict, lang: str) -> Rendered | None:
    """The message for `kind` in `lang` ("fa" | "en"), or None when the kind has no template (it then stays
    in the app)."""
    template = TEMPLATES.get(kind)
    if template is None:
        return None
    lang = lang if lang in ("fa", "en") else "fa"
    return Rendered(template.sms(params, lang), template.subject(params, lang), template.body(params, lang),
                    template.path(params), template.secret)


def unsubscribe_line(lang: str, url: str) -> str:
    return _t(lang, "لغو این پیام‌ها: ", "Stop these messages: ") + url


def open_line(lang: str, url: str) -> str:
    return _t(lang, "در همیار: ", "In Hamyar: ") + url


__all__ = ["TEMPLATES", "Rendered", "Template", "digits", "fit", "render", "shorten", "sms_parts"]
