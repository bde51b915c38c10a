"""The governorate's /outbox page (the demo reads messages there) and who may see it; codes masked unless the
transport is the development one."""
from __future__ import annotations

from models.messaging import outbox
from tests.web.callbacks import rendered_text
from tests.web.conftest import app, client, log_in, people, web_db  # noqa: F401 (fixtures)


def _messages(db):
    with db.unit_of_work() as s:
        outbox.queue(s, channel="sms", recipient="+989121234567", kind="code_sign_in", secret=True,
                     text="همیار: کد ورود شما 482913 است.")
        outbox.queue(s, channel="email", recipient="a@amol.example", kind="allocation_accepted", subject="پذیرفته شد",
                     text="کمک شما پذیرفته شد.")


def test_the_outbox_page_lists_messages_for_the_governorate_only(app, client, people, web_db):  # noqa: F811
    _messages(web_db)
    log_in(client, "citizen")
    assert "outbox-table" not in rendered_text(client, "/outbox")
    client.post("/logout", data={"csrf_token": client.get_cookie("_csrf_token").value})
    log_in(client, "governorate")
    page = rendered_text(client, "/outbox")
    assert "outbox-table" in page and "482913" in page and "کمک شما پذیرفته شد." in page  # dev transport: shown
    assert "در صف" in page and "+۹۸۹۱۲۱۲۳۴۵۶۷" in page
    assert "482913" not in rendered_text(client, "/outbox?status=sent")


def test_codes_are_masked_when_messages_really_leave(web_db, people):  # noqa: F811
    from dash_app import create_app

    server = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "test",
                         "HAMYAR_EMAIL_TRANSPORT": "smtp", "HAMYAR_SMTP_HOST": "127.0.0.1"})
    try:
        _messages(web_db)
        c = server.test_client()
        log_in(c, "governorate")
        page = rendered_text(c, "/outbox")
        assert "482913" not in page and "کد یک‌بارمصرف دارد" in page and "کمک شما پذیرفته شد." in page
    finally:
        server.extensions["hamyar_db"].dispose()
