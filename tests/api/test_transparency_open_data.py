"""The transparency page lists the published .pb files, the matching runs and the open data's links; /api
documents the API in Persian and in English."""
from __future__ import annotations

from dash_app.pages.shell import ids


def _layout(app, lang: str):
    from dash_app.pages.shell import transparency

    with app.test_request_context("/transparency", headers={"Cookie": f"hamyar_lang={lang}"}):
        return str(transparency.layout())


def test_transparency_links_the_pb_files_runs_api_and_bulk(api_app):
    page = _layout(api_app, "en")
    for section in (ids.TRANSPARENCY_PB_FILES, ids.TRANSPARENCY_RUNS, ids.TRANSPARENCY_OPEN_DATA):
        assert section in page
    assert "/api/v1/pb-cycles/" in page and "ballots.pb" in page
    assert "/api/v1/bulk/projects.csv" in page and "'/api'" in page
    assert "اجراهای تطبیق" in _layout(api_app, "fa")


def test_api_docs_page_in_both_languages(api):
    fa = api.get("/api?lang=fa", headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    en = api.get("/api?lang=en", headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    assert 'dir="rtl"' in fa and "دادهٔ باز همیار" in fa and "پروژه‌های منتشرشده" in fa
    assert 'dir="ltr"' in en and "Hamyar&#x27;s open data" in en and "/api/v1/projects" in en
    assert "cdn" not in (fa + en).lower() and "<script" not in fa
    for new in ("milestones", "indicators", "proposals", "referral-figures"):   # generated from the resources
        assert f"/api/v1/{new}" in en and f"/api/v1/bulk/{new}.csv" in en
    assert "بی نام پیشنهاددهنده" in fa and "without its author" in en
