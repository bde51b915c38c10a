"""What the table page and /admin both show before a chair election is closed (issue 20 item 6).

Imports dash and dash_app only.
"""
from __future__ import annotations

from dash import html

from dash_app.i18n import _, error_message, format_number
from models.tables.elections import ClosePreview

HIDDEN = {"display": "none"}  # for elements without a Bootstrap display class (d-flex would override it)


def preview_sentences(preview: ClosePreview) -> list:
    """The confirmation's sentences: the turnout against the quorum, then who would become chair."""
    t = preview.turnout
    parts = [html.P(_("%(voted)s of %(members)s members have voted; the quorum is %(needed)s (%(percent)s%% of the "
                      "members).", voted=format_number(t.voted), members=format_number(t.members),
                      needed=format_number(t.needed), percent=format_number(t.quorum_percent)),
                    **{"data-turnout": f"{t.voted}/{t.members}/{t.needed}"})]
    if not t.quorum_met:
        parts.append(html.P(error_message("quorum_not_met", voted=t.voted, members=t.members, needed=t.needed),
                            className="text-danger fw-semibold", **{"data-quorum": "not-met"}))
    elif preview.leader_name:
        parts.append(html.P(_("If you close it now, %(name)s becomes chair with %(n)s approvals.",
                              name=preview.leader_name, n=format_number(preview.leader_approvals)),
                            className="fw-semibold", **{"data-quorum": "met"}))
    else:
        parts.append(html.P(_("Nobody has been approved yet: if you close it now, the table keeps its chair."),
                            className="fw-semibold", **{"data-quorum": "met"}))
    return parts
