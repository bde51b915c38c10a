"""Pieces the pledge form (/pledge) and the pledge editor (/my/pledges/<id>/edit) share.

Imports dash_app.i18n only.
"""
from __future__ import annotations


def district_options(districts, lang: str) -> list[dict]:
    """Amol's districts for a drop-down: a district by its name, a city or rural district with its district's."""
    parents = {d.id: d for d in districts}
    options = []
    for d in districts:
        if d.level == "district":
            label = d.name(lang)
        else:
            parent = parents.get(d.parent_id)
            label = f"{d.name(lang)} ({parent.name(lang)})" if parent else d.name(lang)
        options.append({"label": label, "value": d.id})
    return options


__all__ = ["district_options"]
