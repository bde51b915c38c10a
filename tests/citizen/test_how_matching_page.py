"""Issue 16's loose end on the public rules page: it says what docs/matching.md says about logistics items and
substitutes, project-only and project-preferred help, and equally good plans, in both languages."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def app():
    from dash_app import create_app

    return create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "how-matching"})


def _page(app, lang: str) -> str:
    from dash_app.pages.citizen import how_matching_works

    with app.test_request_context("/", headers={"Cookie": f"hamyar_lang={lang}"}):
        return str(how_matching_works.layout()).replace("\\u200c", "\u200c")  # repr escapes the ZWNJ


def test_the_page_explains_items_substitutes_and_chosen_projects(app):
    en = _page(app, "en")
    assert "a minibus for \"a vehicle for 10 people\"" in en and "a hall is never proposed for a truck" in en
    assert "only for one project" in en and "never proposed anywhere else" in en
    assert "counts 50% more" in en and "counts 0.9" in en
    assert "the proposals already waiting for a chair are kept" in en
    fa = _page(app, "fa")
    assert "مینی‌بوس" in fa and "فقط برای یک پروژه" in fa and "۵۰٪" in fa
    assert "minibus" not in fa and "only for one project" not in fa
