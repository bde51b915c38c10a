"""Component ids of the citizen proposal pages (issue 21 items 1-3, 6); `ids_referrals.py` beside it is the
referrals'."""

P_ID = "prop-id"
P_FLASH = "prop-flash"
P_BODY = "prop-body"
SUPPORT = "prop-support"
EVIDENCE_BODY = "prop-evidence-body"
EVIDENCE_FILES = "prop-evidence-files"
EVIDENCE_TOKENS = "prop-evidence-tokens"
EVIDENCE_SEND = "prop-evidence-send"
COMMENT_BODY = "prop-comment-body"
COMMENT_SEND = "prop-comment-send"
DX_CAUSE = "prop-dx-cause"
DX_SCALE = "prop-dx-scale"
DX_OPTIONS = "prop-dx-options"
DX_SEND = "prop-dx-send"
DECISION = "prop-decision"
DECISION_TEXT = "prop-decision-text"
DECISION_FORWARD = "prop-decision-forward"
DECISION_MERGE = "prop-decision-merge"
DECISION_HORIZON = "prop-decision-horizon"
DECISION_SEND = "prop-decision-send"

NEW_KIND = "prop-new-kind"
NEW_TABLE = "prop-new-table"
NEW_DISTRICT = "prop-new-district"
NEW_PLACE = "prop-new-place"
NEW_TITLE = "prop-new-title"
NEW_BODY = "prop-new-body"
NEW_AFFECTED = "prop-new-affected"
NEW_SINCE = "prop-new-since"
NEW_SERVES = "prop-new-serves"
NEW_DURATION = "prop-new-duration"
NEW_FILES = "prop-new-files"
NEW_TOKENS = "prop-new-tokens"
NEW_SEND = "prop-new-send"
NEW_RESULT = "prop-new-result"
NEW_FORM = "prop-new-form"

# the chair's adopt fields (shown when the decision is "adopt")
DECISION_ADOPT = "prop-decision-adopt"            # the fieldset
DECISION_OTHER = "prop-decision-other"            # forward / merge / horizon: shown for their decision only
DECISION_FORWARD_WRAP = "prop-decision-forward-wrap"
DECISION_MERGE_WRAP = "prop-decision-merge-wrap"
ADOPT_TITLE = "prop-adopt-title"
ADOPT_COST = "prop-adopt-cost"
ADOPT_LEAD = "prop-adopt-lead"
ADOPT_CORE = "prop-adopt-core"

# moderation: {"type": ..., "target": 0 for the proposal itself, else the comment's id}
REPORT_REASON = "prop-report-reason"
REPORT_SEND = "prop-report-send"
HIDE_REASON = "prop-hide-reason"
HIDE_SEND = "prop-hide-send"

# the queues: a table's (/triage/<id>) and the governorate's "don't know" ones (/triage)
TRIAGE_FLASH = "triage-flash"
TRIAGE_BODY = "triage-body"
TRIAGE_LIST = "triage-list"
TRIAGE_PAGER = "triage-pager"
TRIAGE_PAGE = "triage-page"                      # store: the page of the routing queue shown
TRIAGE_REPORTED = "triage-reported"
ROUTE_TABLE = "triage-route-table"                # {"type": ..., "proposal": id}
ROUTE_SEND = "triage-route-send"
