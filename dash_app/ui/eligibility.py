"""Who may vote, in words (issue 23): the vote pages, the register page and the census form say it the same way.

Imports dash_app.i18n, dash_app.ui.names and models (the rule of a cycle or an election).
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from dash_app.i18n import _, format_number
from dash_app.ui.names import name_in
from models.core.residency import Rule, rule_for
from models.orm.geo import District


def rule_sentence(session: Session, rule: Rule, lang: str, *, election: bool = False) -> str:
    """"Who may vote: …" for a rule (an election's always starts from the table's current members)."""
    if rule.residency == "any":
        who = _("the table's current members") if election else _("anyone signed in")
    else:
        place = ""
        if rule.residency == "district" and rule.district_id is not None:
            d = session.get(District, rule.district_id)
            place = name_in(lang, d.name_fa, d.name_en) if d is not None else ""
        if election:
            who = _("the table's current members who are residents of %(place)s in the register",
                    place=place) if place else _("the table's current members who are in the county's resident "
                                                 "register")
        else:
            who = _("residents of %(place)s in the county's resident register", place=place) if place else \
                _("residents in the county's resident register")
    if rule.min_age is not None:
        return _("Who may vote: %(who)s, aged %(age)s or over this year.", who=who,
                 age=format_number(rule.min_age, lang))
    return _("Who may vote: %(who)s.", who=who)


def cycle_sentence(session: Session, cycle_id: int, lang: str) -> str:
    return rule_sentence(session, rule_for(session, cycle_id=cycle_id), lang)


def election_sentence(session: Session, election_id: int, lang: str) -> str:
    return rule_sentence(session, rule_for(session, election_id=election_id), lang, election=True)


__all__ = ["cycle_sentence", "election_sentence", "rule_sentence"]


def census_enabled() -> bool:
    """Whether this deployment offers voting without an account (dash_app.settings: HAMYAR_CENSUS_VOTING)."""
    from flask import current_app

    from dash_app.settings import settings_of

    return settings_of(current_app).census_voting
