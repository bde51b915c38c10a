"""The chair's view of why (issue 16 item 7): beside each proposal in the review queue, why this pledge (its
kind, the item or the substitute, shared skills, district, the citizen's choice of this project or table, the
project's weight and rank), and on request the next-best pledges for the same need.

A section of the table area (it registers no route); imports dash, dbc, models (runs.explain) and dash_app.
table_review calls `use` with the page's explanations before it renders the items, and `block` in each item.
"""
from __future__ import annotations

from contextvars import ContextVar

from dash import MATCH, Input, Output, State, html

from dash_app.auth import CHAIR, require, secured_callback
from dash_app.db import get_db
from dash_app.i18n import _, current_language, format_number, format_percent
from dash_app.layout import icon
from dash_app.pages.table import ids
from dash_app.ui.labels import kind_label
from dash_app.ui.names import name_in
from dash_app.ui.quantities import quantity_text
from dash_app.ui.reasons import reason_text, weight_text
from models.core.errors import NotFound, PermissionDenied
from models.orm.pledges import Allocation
from models.projects.browse import skill_choices
from models.runs.explain import explain, next_best

_PAGE: ContextVar[dict | None] = ContextVar("hamyar_why_page", default=None)
ALTERNATIVES = 3


def prepare(session, table_id: int, page) -> dict:
    """The explanations of a page of the queue (models.runs.explain), keyed by allocation id."""
    return explain(session, table_id, [i.allocation_id for g in page.groups for i in g.items])


def use(explained: dict) -> None:
    _PAGE.set(explained)


def _district(code: str | None) -> str | None:
    return {"same district": _("same district"), "near district": _("nearby district"),
            "far district": _("far district")}.get(code or "")


def parts(why, lang: str, skill_names: dict[str, str]) -> list[str]:
    """Why, as short phrases in the reader's language, most telling first."""
    out = [_("%(kind)s help", kind=kind_label(why.kind))]
    if why.item and why.wanted:
        if why.substitute:
            out.append(_("%(item)s, accepted instead of %(wanted)s", item=name_in(lang, *why.item),
                         wanted=name_in(lang, *why.wanted)))
        else:
            out.append(_("the item asked for: %(item)s", item=name_in(lang, *why.item)))
    for slug in why.skills:
        out.append(_("skill: %(skill)s", skill=skill_names.get(slug, slug)))
    if why.chose_project == "only":
        out.append(_("given only to this project"))
    elif why.chose_project == "preferred":
        out.append(_("the citizen chose this project"))
    if why.preferred_table:
        out.append(_("the citizen's preferred table"))
    if (district := _district(why.district)) is not None:
        out.append(district)
    if why.weight:
        out.append(weight_text(why.weight) or "")
    if why.rank:
        out.append(_("project %(rank)s of %(n)s in this table", rank=format_number(why.rank),
                     n=format_number(why.ranked)))
    return [p for p in out if p]


def block(item, lang: str, skill_names: dict[str, str]):
    """The "why" line of one proposal and its "next-best" button (None when the page has no explanation)."""
    why = (_PAGE.get() or {}).get(item.allocation_id)
    if why is None:
        return None
    return html.Div([
        html.P([html.Span(_("Why this proposal:"), className="fw-semibold me-1 ms-1"),
                " · ".join(parts(why, lang, skill_names))], className="small mb-1", **{"data-why": "1"}),
        html.Button([icon("list-ol", "me-1"), _("Next-best pledges for this need")],
                    id={"type": ids.WHY_TYPE, "alloc": item.allocation_id}, n_clicks=0, type="button",
                    className="btn btn-link btn-sm p-0"),
        html.Div(id={"type": ids.WHY_BODY_TYPE, "alloc": item.allocation_id}, **{"aria-live": "polite"}),
    ], className="mt-1")


def _alternatives(rows, kind: str, lang: str, skill_names: dict[str, str]):
    if not rows:
        return html.P(_("No other pledge could serve this need now."), className="small text-body-secondary mb-0")
    items = []
    for r in rows:
        who = r.citizen_name or _("a citizen")
        words = [w for w in (reason_text(x, skill_names) for x in r.reasons) if w]
        bits = [_("%(who)s: %(free)s free", who=who, free=quantity_text(kind, r.free, lang)),
                _("%(pct)s as good", pct=format_percent(r.relative))]
        if r.proposed_elsewhere:
            bits.append(_("%(q)s proposed to other needs", q=quantity_text(kind, r.proposed_elsewhere, lang)))
        items.append(html.Li([" · ".join(bits), html.Br(), html.Span(" · ".join(words), className="text-body-secondary")],
                             className="small", **{"data-alternative": str(r.pledge_id)}))
    return html.Ol(items, className="mb-0 ps-3", style={"listStyleType": "persian"} if lang == "fa" else {})


@secured_callback(Output({"type": ids.WHY_BODY_TYPE, "alloc": MATCH}, "children"),
                  Input({"type": ids.WHY_TYPE, "alloc": MATCH}, "n_clicks"), State(ids.TABLE_ID, "data"),
                  roles={CHAIR}, table_from=State(ids.TABLE_ID, "data"), prevent_initial_call=True)
def show_alternatives(n_clicks, table_id):
    """The next-best pledges for the need of the pressed proposal (the proposal's own pledge left out)."""
    require({CHAIR}, table_id)
    from dash import ctx

    trigger = ctx.triggered_id if isinstance(ctx.triggered_id, dict) else {}
    alloc_id = trigger.get("alloc")
    if not n_clicks or isinstance(alloc_id, bool) or not isinstance(alloc_id, int):
        return None
    lang = current_language()
    with get_db().reader() as s:
        alloc = s.get(Allocation, alloc_id)
        if alloc is None:
            raise PermissionDenied("not_chair_of_table")
        try:
            rows = next_best(s, table_id, alloc.need_id, ALTERNATIVES, exclude_pledges=(alloc.pledge_id,))
        except NotFound:
            raise PermissionDenied("not_chair_of_table") from None  # another table's proposal: forged
        kind = alloc.need.kind.value
        names = {c.slug: c.name(lang) for c in skill_choices(s)}
    return html.Div([html.P(_("Next-best pledges for this need:"), className="small fw-semibold mb-1 mt-1"),
                     _alternatives(rows, kind, lang, names)], **{"data-alternatives": str(len(rows))})


__all__ = ["block", "parts", "prepare", "use"]
