"""Sentences for the error codes of the governorate's dashboard, exports and administration."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "date_range_invalid": _l("The end date must not be before the start date."),
    "table_name_taken": _l("Another table already has this name."),
    "table_archived": _l("This table is archived."),
    "table_has_open_proposals": _l("This table has %(count)s proposals awaiting its chair. Choose whether to "
                                   "withdraw them or keep them."),
    "table_not_archived": _l("This table is not archived."),
    "background_unknown": _l("Choose the member's background from the list."),
    "already_member": _l("This person is already a member of the table."),
    "member_not_found": _l("This person is not a current member of the table."),
    "cannot_change_own_account": _l("You cannot do this to your own account; ask another governorate officer."),
    "user_has_pledges": _l("This person has pledges, so the account cannot be deleted; deactivate it instead."),
    "user_has_history": _l("This account appears in the records, so it cannot be deleted; deactivate it instead."),
    "rate_not_positive": _l("The rate must be a positive whole number of rials."),
    "rate_too_large": _l("The rate is too large."),
    "rate_not_for_money": _l("Money needs no rate: it is counted as it is."),
    "rate_not_found": _l("No such rate."),
    "default_rate_required": _l("Each kind of help keeps its default rate; change it instead of removing it."),
    "election_days_invalid": _l("Voting must stay open between 1 and 90 days."),
    "export_unknown": _l("Choose what to export and the file format."),
    "system_account": _l("This is the governorate budget's system account, not a person: it cannot be "
                         "deactivated or made staff."),
}
