"""Sentences for the error codes of issue 20's editor items: a need edited or removed, a pledge edited, a chair
election's quorum changed."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "need_changed": _l("Someone else changed this need while you were editing it; the page now shows it as it is. "
                       "Nothing was saved."),
    "need_has_decided_help": _l("This need cannot be removed: the chair has already accepted help for it "
                                "(%(count)s contribution(s), accepted or delivered). Lower its quantity or complete "
                                "the project instead."),
    "pledge_changed": _l("This offer of help changed after you opened it (matching may have proposed part of it, or "
                         "you changed it in another window). Nothing was saved; please look at it again."),
    "pledge_has_decided_help": _l("This offer of help can no longer be edited: a table has already accepted part "
                                  "of it. You can still withdraw the part that is not accepted."),
    "pledge_already_withdrawn": _l("This offer of help is withdrawn; there is nothing left to edit."),
    "pledge_below_withdrawn": _l("The new amount must be more than the part of this offer you have already "
                                 "withdrawn."),
    "quorum_locked": _l("The quorum can no longer be changed: members have started voting in this election."),
}
