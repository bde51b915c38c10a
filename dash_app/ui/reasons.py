"""The solver's reasons for a proposal, in the reader's words: the one formatter of every page.

Imports matching (`parse_reason`) and dash_app.i18n. A reason is split with
`matching.parse_reason` (docs/matching.md#reason-codes); `pb_cycle` is the reason a published PB
cycle writes on what it funds. Reasons written by older runs and demo databases (`priority:8`,
`preferred_table`) are read too. A reason this module cannot word is left out rather than shown raw.
"""
from __future__ import annotations

from dash_app.i18n import _, _l, format_number
from matching import parse_reason

PB_CYCLE = "pb_cycle"

#: (the chair's wording, the citizen's wording) of the reasons without an argument.
_PLAIN = {
    "same district": (_l("same district"), _l("in your own district")),
    "near district": (_l("nearby district"), _l("near where you are")),
    "far district": (_l("far district"), _l("farther from where you are")),
    "preferred table": (_l("the citizen's preferred table"), _l("a table you prefer")),
    "preferred project": (_l("the project the citizen chose"), _l("the project you chose")),
    PB_CYCLE: (_l("funded by a participatory budgeting cycle"), _l("funded by a participatory budgeting cycle")),
}


def _current_form(reason: str) -> str:
    """An older reason string in the solver's scheme: "priority:8" -> "priority 8", "preferred_table" -> ..."""
    text = reason.strip()
    if text == PB_CYCLE:
        return text
    text = text.replace("_", " ")
    if text.startswith("priority:"):
        return "priority " + text[len("priority:"):].strip()
    if text.startswith("skill:") and not text.startswith("skill: "):
        return "skill: " + text[len("skill:"):].strip()
    return text


_CATALOGUE: dict[str, tuple[str, str]] = {}


def _catalogue_names(slug: str) -> dict[str, str]:
    """slug -> name in the reader's language, from the logistics catalogue (read again when a slug is new)."""
    from dash_app.i18n import current_language

    if slug not in _CATALOGUE:
        try:
            from dash_app.db import get_db
            from models.projects.items import item_choices

            with get_db().reader() as s:
                _CATALOGUE.update({c.slug: (c.name_fa, c.name_en) for c in item_choices(s, include_retired=True)})
        except Exception:  # noqa: BLE001 - outside a request (no database): the slug is shown as words
            return {}
    lang = current_language()
    return {k: (fa if lang == "fa" else en) for k, (fa, en) in _CATALOGUE.items()}


def weight_text(value: object) -> str | None:
    """A project's weight (priority x (1 + PB support), up to 20) as the app shows it: «اولویت وزنی ۸»."""
    try:
        number = float(str(value))
    except ValueError:
        return None
    shown = format_number(number, decimals=None if number == int(number) else 1)
    return _("weighted priority %(p)s", p=shown)


def reason_text(reason: object, skills: dict[str, str] | None = None, *, for_citizen: bool = False,
                items: dict[str, str] | None = None) -> str | None:
    """One reason in words, or None when it cannot be worded. `skills` maps a skill's slug to its name in the
    reader's language; `for_citizen` words it for the pledge's citizen ("your skill", "a table you prefer")."""
    if not isinstance(reason, str) or not reason.strip():
        return None
    code, argument = parse_reason(_current_form(reason))
    if code == "skill" and argument:
        name = (skills or {}).get(argument, argument.replace("_", " ").replace("-", " "))
        return _("your skill: %(skill)s", skill=name) if for_citizen else _("skill: %(skill)s", skill=name)
    if code in ("item", "substitute") and argument:  # logistics: the catalogue item (issue 16 item 1)
        name = (items or _catalogue_names(argument)).get(argument, argument.replace("-", " "))
        if code == "item":
            return _("your item: %(item)s", item=name) if for_citizen else _("the item asked for: %(item)s", item=name)
        return _("%(item)s, accepted instead", item=name)
    if code == "priority":
        return weight_text(argument) if argument else None
    if code in _PLAIN:
        return str(_PLAIN[code][1 if for_citizen else 0])
    return None


__all__ = ["PB_CYCLE", "reason_text", "weight_text"]
