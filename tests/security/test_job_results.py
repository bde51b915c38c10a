"""Issue 18 item 15: whoever can write the jobs folder cannot run code in the web process.

Dash's DiskcacheManager reads each job's result from a diskcache folder, and plain diskcache unpickles
what it finds there. These tests plant a malicious pickle (its unpickling creates a marker file) in the
jobs folder of a real app, under the key of a real export job that has finished, and poll the job as
the browser does: nothing runs, the planted value is never delivered, and a legitimate result still is.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import diskcache
import pytest

from dash_app.job_results import SignedDisk, UnsignedResult, results_key, signed_cache, signed_disk
from dash_app.ui import governorate_ids as gid
from tests.web.conftest import csrf, log_in, make_people


class Planted:
    """Unpickling this runs code: it creates the marker file (what an attacker's payload would do)."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def _plant(folder: Path, key: str, marker: Path) -> None:
    plain = diskcache.Cache(str(folder))  # the default Disk: pickles, as an attacker's script would
    plain.set(key, Planted(marker))
    plain.close()


def test_a_planted_pickle_is_never_unpickled(tmp_path):
    folder, marker = tmp_path / "jobs", tmp_path / "pwned"
    cache = signed_cache(str(folder), "a secret key of this deployment")
    cache.set("legit", {"response": [1, 2, 3]})
    assert cache.get("legit") == {"response": [1, 2, 3]}
    _plant(folder, "planted", marker)
    plain = diskcache.Cache(str(folder))
    plain.set("raw-text", "x" * 10)
    plain.set("raw-number", 7)
    plain.set("planted-big", Planted(marker), tag=None)
    plain.close()
    for key in ("planted", "raw-text", "raw-number", "planted-big"):
        assert cache.get(key) is None, key
        assert cache.get(key, "missing") == "missing"
    assert not marker.exists()
    # A value signed with another deployment's key is refused too.
    other = signed_cache(str(folder), "another deployment's secret key")
    other.set("theirs", {"a": 1})
    assert cache.get("theirs") is None and other.get("theirs") == {"a": 1}
    # Keys must be plain (diskcache pickles any other key) and a planted key is never unpickled.
    with pytest.raises(TypeError):
        cache.set(("tuple", "key"), 1)
    with pytest.raises(UnsignedResult):
        signed_disk(results_key("k"))(str(folder)).get(b"\x80\x04K\x01.", False)


def test_large_results_on_file_are_signed_too(tmp_path):
    folder, marker = tmp_path / "jobs", tmp_path / "pwned"
    cache = signed_cache(str(folder), "a secret key of this deployment")
    big = {"content": "x" * 200_000}
    cache.set("big", big)
    assert cache.get("big") == big
    files = [p for p in folder.rglob("*.val")]
    assert files, "a large value is kept in a file"
    payload = Planted(marker)
    import pickle

    for f in files:  # overwrite the value file itself with a pickle
        f.write_bytes(pickle.dumps(payload))
    assert cache.get("big") is None and not marker.exists()


def test_the_key_is_not_written_to_the_folder(tmp_path):
    folder = tmp_path / "jobs"
    secret = "the deployment's secret key 0123456789"
    cache = signed_cache(str(folder), secret)
    cache.set("k", 1)
    cache.close()
    key = results_key(secret)
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert key not in data and secret.encode() not in data and key.hex().encode() not in data, path
    assert issubclass(signed_disk(key), SignedDisk)


def _end_id(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html,
                                re.S).group(1))["end_id"]


def _export_body(value=1):
    audit = [{"id": c, "property": "value", "value": None} for c in (
        gid.AU_ACTOR, gid.AU_ACTION, gid.AU_TABLE, gid.AU_OBJECT, gid.AU_OBJECT_ID, gid.AU_DATE_FROM, gid.AU_DATE_TO)]
    return {"output": f"..{gid.EX_DOWNLOAD}.data...{gid.EX_MESSAGE}.children..",
            "outputs": [{"id": gid.EX_DOWNLOAD, "property": "data"}, {"id": gid.EX_MESSAGE, "property": "children"}],
            "inputs": [{"id": gid.EX_BUTTON, "property": "n_clicks", "value": value}],
            "state": [{"id": gid.EX_SHEET, "property": "value", "value": "allocations"},
                      {"id": gid.EX_FORMAT, "property": "value", "value": "csv"},
                      {"id": gid.EX_CONTACTS, "property": "value", "value": []},
                      {"id": gid.F_STORE, "property": "data", "value": None}, *audit],
            "changedPropIds": [f"{gid.EX_BUTTON}.n_clicks"]}


def _result_keys(folder: Path) -> list[str]:
    plain = diskcache.Cache(str(folder))
    try:
        return [k for k in plain.iterkeys() if isinstance(k, str) and not k.endswith(("-progress", "-set_props"))
                and not k.startswith("__dash")]
    finally:
        plain.close()


def test_a_pickle_planted_in_the_jobs_folder_of_a_running_app_does_not_run(web_db, tmp_path):
    from dash_app import create_app

    make_people(web_db)
    folder, marker = tmp_path / "jobs", tmp_path / "pwned"
    app = create_app({"TESTING": True, "DATABASE_URL": web_db.url, "SECRET_KEY": "job-results",
                      "HAMYAR_BACKGROUND": "diskcache", "HAMYAR_JOBS_FOLDER": str(folder)})
    try:
        gov = app.test_client()
        log_in(gov, "governorate")
        end_id = _end_id(gov)

        def start():
            resp = gov.post(f"/_dash-update-component?endId={end_id}", json=_export_body(),
                            headers={"X-CSRFToken": csrf(gov)})
            assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
            h = resp.get_json()
            return f"?endId={end_id}&cacheKey={h['cacheKey']}&job={h['job']}"

        def poll(query):
            body = {**_export_body(), "inputs": [{**i, "value": None} for i in _export_body()["inputs"]]}
            return gov.post(f"/_dash-update-component{query}", json=body, headers={"X-CSRFToken": csrf(gov)})

        query = start()
        deadline = time.monotonic() + 60
        while not _result_keys(folder) and time.monotonic() < deadline:
            time.sleep(0.1)
        keys = _result_keys(folder)
        assert keys, "the export job wrote its result"
        time.sleep(0.3)  # the job process has written and exits
        for key in keys:
            _plant(folder, key, marker)
        for _ in range(5):
            resp = poll(query)
            assert resp.status_code in (200, 204), resp.status_code
            assert "response" not in (resp.get_json(silent=True) or {})  # the planted value is never delivered
            time.sleep(0.1)
        assert not marker.exists(), "the planted pickle ran in the web process"

        # A legitimate job still delivers its (signed) result.
        query = start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            resp = poll(query)
            if resp.status_code == 200 and "response" in (resp.get_json(silent=True) or {}):
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the export did not answer")
        assert resp.get_json()["response"][gid.EX_DOWNLOAD]["data"]["filename"].endswith(".csv")
        assert not marker.exists() and not os.path.exists(str(marker))
    finally:
        app.extensions["hamyar_db"].dispose()
