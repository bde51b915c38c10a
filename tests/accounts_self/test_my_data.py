"""Download my data: everything about the signed-in person, nothing of anyone else, no ballot contents."""
from __future__ import annotations

import csv
import io
import json
import zipfile

from models.accounts.mydata import my_data, my_data_json, my_data_zip


def test_the_export_holds_the_persons_own_data(people):
    with people.county.db.reader() as s:
        data = my_data(s, people.me)
    assert data["profile"]["id"] == people.me and data["profile"]["phone"] == "+989110000000"
    assert data["profile"]["has_password"] is False and "password_hash" not in data["profile"]
    [pledge] = data["pledges"]
    assert pledge["description"] == "my own words"
    states = {a["id"]: a["status"] for a in pledge["allocations"]}
    assert states == {people.accepted: "accepted", people.proposed: "proposed"}
    assert {a["project_title_fa"] for a in pledge["allocations"]} and all(a["project_id"] for a in pledge["allocations"])
    assert [n["kind"] for n in data["notifications"]] == ["allocation_proposed", "allocation_accepted"]
    assert data["notifications"][0]["params"] == {"project": "mine"}
    assert [(p["group"], p["channel"], p["frequency"]) for p in data["preferences"]] == [("decisions", "sms", "daily")]
    assert [v["channel"] for v in data["pb_votes"]] == ["online"]
    assert [x["user_agent"] for x in data["sessions"]] == ["MyBrowser/1"]
    assert {"proposals", "proposal_comments", "proposal_supports", "referrals", "chair_votes", "memberships",
            "resident_register", "messages_sent", "contribution_messages"} <= set(data)


def test_nothing_of_another_person_and_no_ballot_or_secret(people):
    with people.county.db.reader() as s:
        text = my_data_json(my_data(s, people.me))
    for foreign in ("someone else's", "theirs", "TheirBrowser", "10.2.2.2", "+989110000001", "p1@example.org"):
        assert foreign not in text
    for secret in ("scrypt$", "token_hash", "code_hash", "ballot_id", "link"):
        assert secret not in text
    # the PB participation says that the person voted; no ballot (choices) is anywhere in it
    assert "choices" not in text and "cycle_project_id" not in text


def test_the_zip_has_a_readable_csv_per_section_and_the_json(people):
    with people.county.db.reader() as s:
        data = my_data(s, people.me)
    archive = zipfile.ZipFile(io.BytesIO(my_data_zip(data)))
    names = set(archive.namelist())
    assert {"my-data.json", "profile.csv", "pledges.csv", "allocations.csv", "notifications.csv", "sessions.csv",
            "pb_votes.csv", "referrals.csv", "proposals.csv"} <= names
    assert json.loads(archive.read("my-data.json"))["profile"]["id"] == people.me
    rows = list(csv.DictReader(io.StringIO(archive.read("allocations.csv").decode("utf-8-sig"))))
    assert {r["status"] for r in rows} == {"accepted", "proposed"}
    assert {r["pledge_id"] for r in rows} == {str(people.pledge)}
