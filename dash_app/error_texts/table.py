"""Sentences for the error codes of the table journey: matching runs and bulk decisions."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "matching_already_running": _l("A matching run for this scope is already in progress; wait for it to finish."),
    "matching_queue_unavailable": _l("The matching run could not be started: the job queue is not answering. "
                                     "Nothing was changed; try again in a minute."),
    "run_not_found": _l("No such matching run."),
    "run_not_running": _l("This matching run has already ended."),
    "selection_empty": _l("Select at least one proposal."),
    "selection_too_large": _l("Select at most %(maximum)s proposals at once."),
    # Chair elections (issue 20 item 6)
    "quorum_not_met": _l("The election cannot be closed yet: only %(voted)s of %(members)s members have voted, "
                         "and the quorum is %(needed)s. Wait, or extend the election."),
    "quorum_out_of_range": _l("The quorum is a share of the members from %(minimum)s to %(maximum)s percent: "
                              "please type a whole number in that range."),
    "extension_not_later": _l("The new closing time must be later than the current one."),
}
