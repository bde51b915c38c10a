"""Sentences for the error codes of issue 20's last field-test items: undoing an accept, editing a pledge, the
table editor's needs."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "undo_too_late": _l("This acceptance can no longer be undone: it is more than %(minutes)s minutes old."),
    "undo_depends": _l("This acceptance can no longer be undone: the citizen has already reported a payment, "
                       "shared a contact or exchanged messages about it."),
    "undo_not_a_chair_accept": _l("This contribution was not accepted by a chair (participatory budgeting funded "
                                  "it), so there is nothing to undo."),
}
