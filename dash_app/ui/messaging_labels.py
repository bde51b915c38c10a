"""Words for notification groups, the ways of hearing about them, and outbox statuses and kinds (issue 23).

Imports dash_app.i18n only.
"""
from __future__ import annotations

from dash_app.i18n import _l

GROUP_LABEL = {
    "decisions": _l("What becomes of my help (proposals, decisions, deliveries)"),
    "elections": _l("Chair elections of my tables"),
    "messages": _l("Messages about my contributions"),
    "referrals": _l("Referrals and their answers"),
    "other": _l("Everything else"),
}
CHANNEL_LABEL = {
    "off": _l("Off"), "in_app": _l("In the app only"), "sms": _l("SMS"), "email": _l("E-mail"),
    "sms_email": _l("SMS and e-mail"),
}
FREQUENCY_LABEL = {"immediate": _l("At once"), "daily": _l("Once a day (digest)")}
STATUS_LABEL = {
    "queued": _l("Queued"), "sending": _l("Sending"), "sent": _l("Sent"), "failed": _l("Failed, will retry"),
    "dead": _l("Given up"),
}
MEDIUM_LABEL = {"sms": _l("SMS"), "email": _l("E-mail")}


def notification_group_label(group: str) -> str:
    return str(GROUP_LABEL.get(group, GROUP_LABEL["other"]))
