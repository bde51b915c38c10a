"""Results explained per project (issue 17 item 2), shared by /vote and /admin/pb.

Imports dash, dash_app (i18n, ui) and the names of models.pb.explain. A result row is a
models.pb.explain.ProjectExplanation.as_dict(); each reason becomes one sentence in the reader's
language, with its money in toman and its figures in the reader's digits.
"""
from __future__ import annotations

import math

from dash import dcc, html

from dash_app.i18n import _, _l, format_money, format_number, format_percent
from models.pb import explain as ex

STAGE_LABEL = {
    ex.EQUAL_SHARES: _l("equal shares"),
    ex.COMPLETION: _l("completion"),
    ex.GREEDY: _l("by votes"),
    ex.RULE: _l("chosen by the rule"),
}
STAGE_BADGE = {ex.EQUAL_SHARES: "text-bg-success", ex.COMPLETION: "text-bg-info", ex.GREEDY: "text-bg-success",
               ex.RULE: "text-bg-success"}


def support_percent(value: float, lang: str) -> str:
    """Effective support as a whole percent, rounded down below 100 % (99.9 % is not "100 %": not funded)."""
    return format_percent(value if value >= 1 else math.floor(value * 100) / 100, lang)


def _m(value, lang: str) -> str:
    return format_money(int(round(value or 0)), lang)


def sentence(x: dict, names: dict[str, str], lang: str) -> str:
    """The reason of one explanation row, as a sentence."""
    reason = x.get("reason")
    cost = _m(x.get("cost"), lang)
    support = support_percent(x["effective_support"], lang) if x.get("effective_support") is not None else "—"
    left = _m(x.get("supporters_left"), lang)
    turn = _m(x.get("left_at_turn"), lang)
    votes = format_number(x.get("votes") or 0, lang)
    if reason == ex.FUNDED_EQUAL_SHARES and not x.get("paid_all"):
        return _("Funded by equal shares: its %(n)s supporters paid at most %(price)s each.", n=votes,
                 price=_m(x.get("price_per_voter"), lang))
    if reason == ex.FUNDED_EQUAL_SHARES:
        return _("Funded by equal shares: its %(n)s supporters paid at most %(price)s each "
                 "(%(drained)s of them all they had left).", n=votes, price=_m(x.get("price_per_voter"), lang),
                 drained=format_number(x.get("paid_all") or 0, lang))
    if reason == ex.FUNDED_COMPLETION:
        return _("Funded in the completion: equal shares left %(left)s unspent, which goes to the projects with "
                 "the most votes that still fit; this one did.", left=turn)
    if reason == ex.FUNDED_COMPLETION_FEW_VOTES:
        if not x.get("votes"):
            return _("Funded with no votes: equal shares left %(left)s unspent, which goes to the projects with the "
                     "most votes that still fit, and at the end even to projects nobody chose.", left=turn)
        return _("Funded with few votes (%(share)s of the ballots): equal shares left %(left)s unspent, which goes "
                 "to the projects with the most votes that still fit.",
                 share=format_percent(x.get("share") or 0, lang), left=turn)
    if reason == ex.FUNDED_GREEDY:
        return _("Funded: taken in order of votes while it still fit (%(left)s was left when its turn came).",
                 left=turn)
    if reason == ex.FUNDED_RULE:
        return _("Chosen by the counting rule.")
    if reason == ex.OVER_BUDGET:
        return _("It costs more than the whole budget, so no rule can fund it.")
    if reason == ex.NO_VOTES:
        return _("Nobody voted for it.")
    if reason == ex.SHARES_RAN_OUT:
        blocker = names.get(x.get("blocked_by") or "", x.get("blocked_by") or "—")
        text = _("Not funded: its supporters' shares ran out after paying for «%(blocker)s»; they had %(left)s "
                 "left of the %(cost)s it costs (effective support %(support)s).",
                 blocker=blocker, left=left, cost=cost, support=support)
        if (x.get("effective_support") or 0) >= ex.NEARLY:
            text = _("Nearly funded.") + " " + text
        return text
    if reason == ex.TOO_FEW_SUPPORTERS:
        return _("Not funded: the shares of its %(n)s supporters add up to only %(left)s of the %(cost)s it costs "
                 "(effective support %(support)s).", n=votes, left=left, cost=cost, support=support)
    if reason == ex.DID_NOT_FIT:
        return _("Not funded: when its turn came only %(left)s was left, less than its cost of %(cost)s.",
                 left=turn, cost=cost)
    return _("Not chosen by the counting rule.")


def stage_badge(x: dict | None):
    if not x or not x.get("stage"):
        return None
    badge = html.Span(str(STAGE_LABEL[x["stage"]]), className=f"badge {STAGE_BADGE[x['stage']]} ms-1")
    if x.get("few_votes"):
        return [badge, html.Span(_("few votes"), className="badge text-bg-warning ms-1")]
    return badge


def results_table(rows: list[tuple[str, str, int | float, int, bool, dict | None]], names: dict[str, str],
                  n_ballots: int, lang: str, link: bool = True, table_id: str | None = None) -> html.Div:
    """Every project: name (linked), cost, votes, share, effective support, and the sentence of why.

    rows: (key, label, cost, votes, funded, explanation or None)."""
    body = []
    for key, label, cost, votes, funded, x in rows:
        name = dcc.Link(label, href=f"/projects/{key}") if link else label
        marks = [html.Span(_("funded"), className="badge text-bg-success ms-1")] if funded else []
        if x and x.get("stage"):
            marks.append(stage_badge(x))
        effective = x.get("effective_support") if x else None
        body.append(html.Tr([
            html.Td(html.Div([name, *marks]), className="border-bottom-0" if x else None),
            html.Td(_m(cost, lang), className="text-nowrap"),
            html.Td(format_number(votes, lang)),
            html.Td(format_percent(votes / n_ballots, lang) if n_ballots else "—"),
            html.Td(support_percent(effective, lang) if effective is not None else "—"),
        ], className="pb-result"))
        if x:   # the sentence of why, the table's whole width, under its project
            body.append(html.Tr(html.Td(sentence(x, names, lang), colSpan=5,
                                        className="small text-body-secondary pt-0 pb-why")))
    return html.Div(html.Table([
        html.Thead(html.Tr([html.Th(_("Project"), scope="col"), html.Th(_("Cost"), scope="col"),
                            html.Th(_("Votes"), scope="col"), html.Th(_("Share"), scope="col"),
                            html.Th(_("Effective support"), scope="col")])),
        html.Tbody(body)], className="table table-sm align-middle", **({"id": table_id} if table_id else {})),
        className="table-responsive")


__all__ = ["STAGE_LABEL", "results_table", "sentence", "stage_badge"]
