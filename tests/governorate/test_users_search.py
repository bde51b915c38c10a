"""Telling namesakes apart on /admin (issue 20): masked phones, account numbers, districts and roles, and a
search that waits for two letters."""
from __future__ import annotations

from sqlalchemy import func, select

import models.accounts.admin as admin_ops
from dash_app.ui.people import masked_phone, roles_text
from models.orm.people import User
from models.orm.tables import Table


def test_a_phone_is_masked_in_the_readers_digits():
    assert masked_phone("+989121234567", "fa") == "\u2066۰۹۱۲***۴۵۶۷\u2069"
    assert masked_phone("+989121234567", "en") == "\u20660912***4567\u2069"
    assert masked_phone("+447700900123", "en") == "\u2066+447***0123\u2069"
    assert masked_phone(None, "fa") == "" and masked_phone("+1234", "en") == "***34"


def test_search_rows_carry_district_and_tables(demo_db):
    with demo_db.reader() as s:
        name = s.execute(select(User.name).group_by(User.name).order_by(func.count().desc(), User.name)).scalar()
        found = admin_ops.search_users(s, name, per_page=100)
        chair = s.scalar(select(User).where(User.email == "chair@hamyar.local"))
        chaired = s.scalar(select(Table).where(Table.chair_id == chair.id).order_by(Table.id))
        chair_row = admin_ops.search_users(s, "chair@hamyar.local").rows[0]
    assert len(found.rows) >= 4 and {r.name for r in found.rows} == {name}
    assert len({(r.id, r.phone) for r in found.rows}) == len(found.rows)
    assert any(r.district for r in found.rows)  # their pledges say where they are
    assert (chaired.name_fa, chaired.name_en, True) in chair_row.tables
    assert roles_text(False, chair_row.tables[:1], "en") == [f"chair of {chaired.name_en}"]


def test_the_users_list_waits_for_two_letters(app, client, people):
    from tests.web.callbacks import post_callback
    from tests.web.conftest import log_in

    log_in(client, "governorate")

    def listed(query: str) -> str:
        resp = post_callback(client, app, "adm-u-list", {"adm-u-search": query, "adm-u-page": 1}, "adm-u-search.value",
                             prop="children")
        assert resp.status_code == 200, resp.data
        return resp.get_data(as_text=True)

    everyone = listed("")
    assert listed("C") == everyone                      # one letter: the whole list, as before typing
    assert "Citizen" in listed("Ci") and "Staff" not in listed("Ci")
