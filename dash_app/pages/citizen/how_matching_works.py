"""How matching works: the rules of docs/matching.md in plain words, from the catalogue.

Imports dash and dash_app. The numbers (0.85, 0.7, 0.25, 0.5, 0.5, 0.9) are the solver's default parameters.
"""
from __future__ import annotations

from dash import html

from dash_app.auth import ANYONE
from dash_app.i18n import _, _l, format_number, format_percent
from dash_app.layout import icon, page
from dash_app.render_cache import cached_render

# The default parameters of the solver (docs/matching.md "params").
NEAR_FACTOR, FAR_FACTOR, PREFERRED_BONUS, SKILL_FLOOR = 0.85, 0.7, 0.25, 0.5
PROJECT_BONUS, SUBSTITUTE_FACTOR = 0.5, 0.9


def _section(title: str, *children, icon_name: str) -> html.Section:
    return html.Section([html.H2([icon(icon_name, "me-2"), title], className="h4 mt-4"), *children])


@page(__name__, path="/how-matching-works", title=_l("How matching works"), roles={ANYONE}, nav=True, menu="results",
      order=90, icon="diagram-3")
def layout(**_kw):
    return cached_render(__name__, None, _article)  # the same for everyone of a language


def _article():
    return html.Article([
        html.H1(_("How matching works"), className="h2"),
        html.P(_("Hamyar's matching rules are public, so that a citizen, a table chair and an auditor can "
                 "all see why a pledge went where it went."), className="lead"),
        _section(
            _("What is matched"),
            # money in toman, as every screen shows it (the solver counts rials; the page never says so)
            html.P(_("A project needs help of one of four kinds: money (in toman), logistics (in unit-days, "
                     "such as a pickup truck for a day), design (in expert hours) and execution (in "
                     "person-hours). A citizen's pledge offers one kind of help and a quantity. Matching "
                     "proposes how much of each pledge goes to each need.")),
            icon_name="puzzle",
        ),
        _section(
            _("Which pledge can serve which need"),
            html.P(_("A pledge can serve a need only when all of these hold:")),
            html.Ul([
                html.Li(_("it offers the same kind of help;")),
                html.Li(_("the pair was not rejected before: a rejected pledge is never proposed to the "
                          "same need again;")),
                html.Li(_("if the citizen chose \"only these tables\", the need belongs to one of them;")),
                html.Li(_("if the citizen gave the help only for one project, the need belongs to that project: "
                          "such help waits for its project and is never proposed anywhere else;")),
                html.Li(_("for equipment and spaces, the pledge offers the item the need asks for (a pickup "
                          "truck, a hall, a generator, …) or an item the need accepts instead, such as a "
                          "minibus for \"a vehicle for 10 people\"; a hall is never proposed for a truck;")),
                html.Li(_("when both give dates, the pledge's availability overlaps the need's time window;")),
                html.Li(_("when the need asks for skills, the pledge offers at least one of them (skills "
                          "are asked for and offered only for design and volunteer work).")),
            ]),
            icon_name="check2-square",
        ),
        _section(
            _("How good a match is"),
            html.P(_("Each possible pair gets a fit, the product of these parts:")),
            html.Ul([
                html.Li(_("Place: money and design travel, so place does not matter for them. For logistics "
                          "and execution, the same district counts in full, a neighbouring one %(near)s, and "
                          "a farther one %(far)s.", near=format_number(NEAR_FACTOR),
                          far=format_number(FAR_FACTOR))),
                html.Li(_("Preference: a table the citizen prefers adds %(bonus)s.",
                          bonus=format_percent(PREFERRED_BONUS))),
                html.Li(_("Chosen project: help given for a project, first for it and then for others, "
                          "counts %(bonus)s more on that project's needs.",
                          bonus=format_percent(PROJECT_BONUS))),
                html.Li(_("Item: an item the need accepts instead of the one it asks for counts %(factor)s.",
                          factor=format_number(SUBSTITUTE_FACTOR))),
                html.Li(_("Skills: the more of the need's skills the pledge offers, the better; with none of "
                          "them listed, a need that asks for no skill counts in full.")),
            ]),
            html.P(_("A quantity given to a need is worth the project's priority times the fit times the "
                     "share of the need it covers. So a fully covered need of priority 8 is worth 8, and "
                     "small needs are not drowned by large ones. The priority comes from the table chair's "
                     "1 to 10 and from citizens' support in participatory budgeting.")),
            icon_name="speedometer2",
        ),
        _section(
            _("The best plan, not a first-come queue"),
            html.P(_("The solver chooses the quantities that give the greatest total worth, while no "
                     "pledge gives more than it offered and no need receives more than it asks. A pledge "
                     "marked divisible may be split across needs; a whole pledge goes entire to one need "
                     "or waits.")),
            html.P(_("The answer is exact: tests compare it with an independent exact method. The same "
                     "data always gives the same answer.")),
            html.P(_("When several plans are equally good, the proposals already waiting for a chair are "
                     "kept; among the rest, the solver always takes the same plan for the same data, however "
                     "busy the server is.")),
            icon_name="bullseye",
        ),
        _section(
            _("Decisions stick"),
            html.P(_("A table chair accepts or rejects each proposal. Accepted and delivered help stays "
                     "where it is and uses up its share in later rounds; a rejected pair is never proposed "
                     "again; running matching again with nothing changed proposes the same thing.")),
            icon_name="pin-angle",
        ),
        _section(
            _("Every proposal says why"),
            html.P(_("Each proposal carries reasons anyone can read, such as \"same district\", \"skill: "
                     "carpentry\", \"your preferred table\" or \"priority 8/10\".")),
            icon_name="chat-square-text",
        ),
    ])
