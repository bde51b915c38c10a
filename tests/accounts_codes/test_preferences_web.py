"""The notification choices on /account: shown, saved for the signed-in person only, refused when forged."""
from __future__ import annotations

import json

from sqlalchemy import select

from dash_app.ui import account_ids as ids
from models.orm.outbox import NotificationPreference
from tests.web.callbacks import rendered_text
from tests.web.conftest import app, client, csrf, log_in, people, web_db  # noqa: F401 (fixtures)


def _post(client, app, group, channel, frequency="immediate"):  # noqa: F811
    groups = ["decisions", "elections", "messages", "referrals", "other"]
    chan = [{"id": {"group": g, "type": ids.ACCOUNT_PREF_CHANNEL}, "property": "value",
             "value": channel if g == group else "in_app"} for g in groups]
    freq = [{"id": {"group": g, "type": ids.ACCOUNT_PREF_FREQUENCY}, "property": "value",
             "value": frequency if g == group else "immediate"} for g in groups]
    key = next(k for k in app.extensions["hamyar_dash"].callback_map if ids.ACCOUNT_PREFS_STATUS in k)
    body = {"output": key, "outputs": {"id": ids.ACCOUNT_PREFS_STATUS, "property": "children"},
            "inputs": [chan, freq],
            "state": [[{"id": c["id"], "property": "id", "value": c["id"]} for c in chan]],
            "changedPropIds": [json.dumps({"group": group, "type": ids.ACCOUNT_PREF_CHANNEL}, separators=(",", ":"),
                                          sort_keys=True) + ".value"]}
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def test_choices_are_shown_and_saved_for_oneself(app, client, people, web_db):  # noqa: F811
    log_in(client, "citizen")
    page = rendered_text(client, "/account")
    assert ids.ACCOUNT_PREFS in page and "چگونه باخبر شوید" in page
    resp = _post(client, app, "decisions", "sms_email", "daily")
    assert resp.status_code == 200, resp.data
    assert "ذخیره شد." in json.dumps(resp.get_json(), ensure_ascii=False)
    bad = _post(client, app, "decisions", "carrier-pigeon")
    assert "پیامک" in json.dumps(bad.get_json(), ensure_ascii=False)  # the refusal names the choices
    with web_db.reader() as s:
        row = s.scalars(select(NotificationPreference)).one()
        assert (row.user_id, row.group, row.channel, row.frequency) == (people.citizen, "decisions", "sms_email",
                                                                        "daily")
