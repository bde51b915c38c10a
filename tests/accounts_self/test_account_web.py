"""/account's self-service over HTTP: download my data (one's own only), delete my account (confirmation word,
logged out everywhere, refusals worded), a first password within minutes of a code sign-in, and an e-mail
address that takes effect with the code sent to it."""
from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from datetime import timedelta

from sqlalchemy import select

from dash_app.ui import account_ids as ids
from models.accounts.deletion import is_deleted_account
from models.orm.outbox import OutboxMessage
from models.orm.people import User
from models.orm.sessions import UserSession
from tests.web.callbacks import post_callback, rendered_text
from tests.web.conftest import PASSWORD, app, client, csrf, log_in, people, web_db  # noqa: F401 (fixtures)


def _download(client, app, which):  # noqa: F811
    resp = post_callback(client, app, ids.ACCOUNT_DOWNLOAD, {ids.ACCOUNT_DOWNLOAD_JSON: 1, ids.ACCOUNT_DOWNLOAD_ZIP: 1},
                         f"{which}.n_clicks", prop="data")
    assert resp.status_code == 200, resp.data
    data = resp.get_json()["response"][ids.ACCOUNT_DOWNLOAD]["data"]
    return data["filename"], base64.b64decode(data["content"])


def test_download_my_data_gives_ones_own_data_as_json_and_zip(app, client, people, web_db):  # noqa: F811
    log_in(client, "citizen")
    page = rendered_text(client, "/account")
    assert ids.ACCOUNT_DOWNLOAD_JSON in page and ids.ACCOUNT_DELETE_OPEN in page
    name, content = _download(client, app, ids.ACCOUNT_DOWNLOAD_JSON)
    data = json.loads(content)
    assert name.endswith(".json") and data["profile"]["id"] == people.citizen
    assert data["profile"]["phone"] == "+989120000001" and "Staff" not in content.decode()
    assert [s["user_agent"] for s in data["sessions"]] and "gov@example.org" not in content.decode()
    name, content = _download(client, app, ids.ACCOUNT_DOWNLOAD_ZIP)
    assert name.endswith(".zip") and "profile.csv" in zipfile.ZipFile(io.BytesIO(content)).namelist()
    anonymous = app.test_client()
    resp = post_callback(anonymous, app, ids.ACCOUNT_DOWNLOAD, {ids.ACCOUNT_DOWNLOAD_JSON: 1},
                         f"{ids.ACCOUNT_DOWNLOAD_JSON}.n_clicks", prop="data")
    assert resp.status_code in (401, 403)


def test_delete_my_account_asks_for_the_word_then_erases_and_logs_out_everywhere(app, client, people, web_db):  # noqa: F811
    other_device = app.test_client()
    log_in(other_device, "citizen")
    log_in(client, "citizen")
    page = rendered_text(client, "/account")
    for words in ("همین حالا و برای همیشه پاک می‌شود", "آنچه می‌ماند و چرا", "گزارش رویدادها (ممیزی)",
                  "بازنویسی‌شدنی نیستند", "کمک بی‌نام", "رأی‌های شما شمرده‌شده می‌مانند"):   # Persian first
        assert words in page, words
    wrong = client.post("/account/delete", data={"csrf_token": csrf(client), "confirm": "yes"})
    assert wrong.status_code == 303 and "delete_error=delete_confirm_wrong" in wrong.headers["Location"]
    with web_db.reader() as s:
        assert not is_deleted_account(s.get(User, people.citizen))
    resp = client.post("/account/delete", data={"csrf_token": csrf(client), "confirm": " حذف "})
    assert resp.status_code == 303 and resp.headers["Location"] == "/login?notice=account_deleted"
    with web_db.reader() as s:
        assert is_deleted_account(s.get(User, people.citizen))
        assert s.scalars(select(UserSession).where(UserSession.user_id == people.citizen)).all() == []
    for device in (client, other_device):
        assert device.get("/account").status_code in (200, 302)
        assert "person-circle" not in rendered_text(device, "/account")   # the page is not shown any more
    assert log_in(app.test_client(), "citizen").headers["Location"].startswith("/login?error=")


def test_the_last_officer_is_told_why_they_cannot_delete(app, client, people, web_db):  # noqa: F811
    log_in(client, "governorate")
    page = rendered_text(client, "/account")
    assert "تنها کارمند فعال فرمانداری" in page and ids.ACCOUNT_DELETE_OPEN not in page
    resp = client.post("/account/delete", data={"csrf_token": csrf(client), "confirm": "delete"})
    assert "delete_error=last_governorate_staff" in resp.headers["Location"]
    with web_db.reader() as s:
        assert not is_deleted_account(s.get(User, people.governorate))


def _no_password(web_db, uid):  # noqa: F811
    with web_db.unit_of_work() as s:
        user = s.get(User, uid)
        user.password_hash = ""
        from models.audit.log import record
        record(s, None, "test.no_password", user)


def _shift(web_db, uid, by):  # noqa: F811
    with web_db.unit_of_work() as s:
        for row in s.scalars(select(UserSession).where(UserSession.user_id == uid)):
            row.created_at = row.created_at + by


def test_a_first_password_needs_a_fresh_sign_in(app, client, people, web_db):  # noqa: F811
    log_in(client, "citizen")
    _no_password(web_db, people.citizen)
    page = rendered_text(client, "/account")
    assert "تعیین گذرواژه" in page and "account-current" not in page
    _shift(web_db, people.citizen, timedelta(minutes=-11))   # signed in 11 minutes ago: proves nothing now
    new = "a fresh passphrase 9"
    stale = client.post("/account/password", data={"csrf_token": csrf(client), "password": new, "password2": new})
    assert "error=first_password_stale" in stale.headers["Location"]
    assert "دوباره با کد وارد شوید" in rendered_text(client, "/account?error=first_password_stale")
    _shift(web_db, people.citizen, timedelta(minutes=10))    # a minute ago
    done = client.post("/account/password", data={"csrf_token": csrf(client), "password": new, "password2": new})
    assert "notice=password_changed" in done.headers["Location"]
    assert log_in(app.test_client(), "citizen", password=new).headers["Location"] == "/"


def _code(web_db) -> tuple[str, OutboxMessage]:  # noqa: F811
    with web_db.reader() as s:
        msg = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        s.expunge(msg)
    return re.search(r"\b(\d{6})\b", msg.text).group(1), msg


def test_an_e_mail_address_takes_effect_with_the_code_sent_to_it(app, client, people, web_db):  # noqa: F811
    log_in(client, "citizen")
    taken = client.post("/account/email", data={"csrf_token": csrf(client), "email": "gov@example.org"})
    assert "email_error=login_taken" in taken.headers["Location"]
    bad = client.post("/account/email", data={"csrf_token": csrf(client), "email": "09121112222"})
    assert "email_error=email_invalid" in bad.headers["Location"]
    sent = client.post("/account/email", data={"csrf_token": csrf(client), "email": "Citizen@Amol.example"})
    assert "email_step=code" in sent.headers["Location"]
    code, msg = _code(web_db)
    assert (msg.channel, msg.recipient, msg.kind, msg.secret) == ("email", "citizen@amol.example", "code_verify", True)
    assert "citizen@amol.example" in rendered_text(client, "/account?email_step=code")
    wrong = client.post("/account/email/confirm", data={"csrf_token": csrf(client),
                                                         "code": "000000" if code != "000000" else "111111"})
    assert "email_error=code_wrong" in wrong.headers["Location"]
    with web_db.reader() as s:
        assert s.get(User, people.citizen).email is None
    done = client.post("/account/email/confirm", data={"csrf_token": csrf(client), "code": code})
    assert "notice=email_confirmed" in done.headers["Location"]
    with web_db.reader() as s:
        user = s.get(User, people.citizen)
        assert user.email == "citizen@amol.example" and user.email_verified_at is not None
    assert "تأییدشده" in rendered_text(client, "/account")


def test_the_login_line_writes_a_phone_in_the_languages_digits(client, people):  # noqa: F811
    log_in(client, "citizen")  # signed up with a phone only
    client.post("/language", data={"csrf_token": csrf(client), "lang": "fa"})
    page = rendered_text(client, "/account")
    assert "+۹۸۹۱۲۰۰۰۰۰۰۱" in page and "+989120000001" not in page
    client.post("/language", data={"csrf_token": csrf(client), "lang": "en"})
    assert "+989120000001" in rendered_text(client, "/account")
