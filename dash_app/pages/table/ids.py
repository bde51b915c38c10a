"""Component ids of the table pages (/tables, /tables/<id>), shared by the pages, callbacks and tests.

Imports nothing. Pattern-matching ids are dicts whose "type" is one of the *_TYPE constants.
"""
from __future__ import annotations

# /tables
TABLES_LIST = "tables-list"
COUNTY_PANEL = "tables-county-panel"
COUNTY_START = "tables-county-start"
COUNTY_INTERVAL = "tables-county-interval"
COUNTY_STATUS = "tables-county-status"
COUNTY_SCOPE = "tables-county-scope"
COUNTY_CLAIMED = "tables-county-claimed"    # hidden: the run this page claimed, for the background job
COUNTY_EXECUTED = "tables-county-executed"  # hidden: the background job's answer (the run id)

# /tables/<id>: what every section reads
TABLE_ID = "table-id"
TABLE_HEADER = "table-header"
TABLE_MEMBERS = "table-members"
TABLE_PROJECTS = "table-projects"
TABLE_DECISIONS = "table-decisions"

# Run matching (chair)
MATCH_PANEL = "table-match-panel"
MATCH_START = "table-match-start"
MATCH_INTERVAL = "table-match-interval"
MATCH_STATUS = "table-match-status"
MATCH_DONE = "table-match-done"      # hidden: id of the last run seen finished (refreshes the queue)
MATCH_CLAIMED = "table-match-claimed"    # hidden: the run this page claimed, for the background job
MATCH_EXECUTED = "table-match-executed"  # hidden: the background job's answer (the run id)

# Review queue and deliveries (chair)
REVIEW_PANEL = "table-review-panel"
REVIEW_LIST = "table-review-list"
REVIEW_ALERT = "table-review-alert"
REVIEW_PAGE = "table-review-page"
REVIEW_BULK = "table-review-bulk"
REVIEW_REFRESH = "table-review-refresh"
ACCEPT_TYPE = "table-accept"
REJECT_TYPE = "table-reject"
SELECT_TYPE = "table-select"
DELIVER_TYPE = "table-deliver"
REJECT_MODAL = "table-reject-modal"
REJECT_REASON = "table-reject-reason"
REJECT_CONFIRM = "table-reject-confirm"
REJECT_CANCEL = "table-reject-cancel"
REJECT_TARGET = "table-reject-target"
DELIVER_MODAL = "table-deliver-modal"
DELIVER_DATE = "table-deliver-date"
DELIVER_NOTE = "table-deliver-note"
DELIVER_CONFIRM = "table-deliver-confirm"
DELIVER_CANCEL = "table-deliver-cancel"
DELIVER_TARGET = "table-deliver-target"
DELIVERY_LIST = "table-delivery-list"

# Projects and needs editor (members draft, the chair publishes)
EDITOR_PANEL = "table-editor-panel"
EDITOR_ALERT = "table-editor-alert"
EDITOR_LIST = "table-editor-list"
PROJECT_EDITING = "table-project-editing"   # store: id of the project the form edits (None: a new one)
EDITOR_TOKEN = "table-editor-token"         # store: the editor's one-time form token (models.core.form_tokens)
EDITOR_FORM_ERROR = "table-editor-form-error"  # the project form's error, beside its Save button
REJECT_TARGET = "table-reject-target"       # the reject dialog: which contribution
REJECT_ERROR = "table-reject-error"         # the reject dialog's own error (not behind it)
DELIVER_ERROR = "table-deliver-error"       # the delivery dialog's own error
PROJECT_KIND = "table-project-kind"
PROJECT_TITLE = "table-project-title"
PROJECT_TITLE_EN = "table-project-title-en"
PROJECT_SUMMARY = "table-project-summary"
PROJECT_PROBLEM = "table-project-problem"
PROJECT_EVIDENCE = "table-project-evidence"
PROJECT_AFFECTED = "table-project-affected"
PROJECT_CAPACITY = "table-project-capacity"
PROJECT_HORIZON = "table-project-horizon"
PROJECT_DISTRICT = "table-project-district"
PROJECT_PRIORITY = "table-project-priority"
PROJECT_COST = "table-project-cost"
PROJECT_SAVE = "table-project-save"
PROJECT_NEW = "table-project-new"
PROBLEM_FIELDS = "table-problem-fields"
TALENT_FIELDS = "table-talent-fields"
EDIT_TYPE = "table-edit-project"
STATUS_TYPE = "table-project-status"
NEED_ADD_TYPE = "table-need-add"
NEED_KIND_TYPE = "table-need-kind"
NEED_QTY_TYPE = "table-need-qty"
NEED_DESC_TYPE = "table-need-desc"
NEED_SKILLS_TYPE = "table-need-skills"
NEED_EDIT_QTY_TYPE = "table-need-edit-qty"    # {"type", "need"}: a need's quantity, editable in place
NEED_SAVE_QTY_TYPE = "table-need-save-qty"    # {"type", "need"}: saves it

# Chair election
ELECTION_PANEL = "table-election-panel"
ELECTION_BODY = "table-election-body"
ELECTION_ALERT = "table-election-alert"
ELECTION_NOMINATE = "table-election-nominate"
ELECTION_BALLOT = "table-election-ballot"
ELECTION_VOTE = "table-election-vote"
ELECTION_DAYS = "table-election-days"
ELECTION_OPEN = "table-election-open"
ELECTION_CLOSE = "table-election-close"
GOTO_TYPE = "table-review-goto"
# The chair's "accepted, awaiting delivery" list: paging, search, bulk "mark delivered", money received.
DELIVERY_BODY = "table-delivery-body"
DELIVERY_SEARCH = "table-delivery-search"
DELIVERY_BULK = "table-delivery-bulk"
DELIVERY_ALL = "table-delivery-all"
DELIVERY_SELECT_TYPE = "table-delivery-select"
DELIVERY_GOTO_TYPE = "table-delivery-goto"
PAYMENT_CONFIRM_TYPE = "table-payment-confirm"
# Issue 16 items 6-7: the run's confirmation, automatic matching, the chair's view of why.
MATCH_CONFIRM = "table-match-confirm"        # "run anyway" under a run's warning
AUTO_PANEL = "table-auto-panel"
AUTO_SWITCH = "table-auto-switch"
AUTO_MINUTES = "table-auto-minutes"
AUTO_SAVE = "table-auto-save"
AUTO_STATUS = "table-auto-status"
WHY_TYPE = "table-why-alternatives"          # {"type": WHY_TYPE, "need": id}: the next-best pledges for a need
WHY_BODY_TYPE = "table-why-body"
NEED_ITEM_TYPE = "table-need-item"           # logistics: the catalogue item a new need asks for
NEED_ACCEPTS_TYPE = "table-need-accepts"     # ... and the items it accepts instead
# Issue 20 item 13: the accepted list's shared contact and messages ({"type": ..., "alloc": id}).
CONTACT_MSG_TEXT_TYPE = "table-contact-msg-text"
CONTACT_MSG_SEND_TYPE = "table-contact-msg-send"
# Issue 20 field fixes: undoing an accept, "select all" and the bulk-accept confirmation.
UNDO_TYPE = "table-undo-accept"              # {"type", "alloc", "v", "at": "alert" | "list"}
REVIEW_ALL = "table-review-all"
REVIEW_BULK_ASK = "table-review-bulk-ask"    # opens the confirmation; its "accept" button is REVIEW_BULK
REVIEW_BULK_MODAL = "table-review-bulk-modal"
REVIEW_BULK_TEXT = "table-review-bulk-text"
REVIEW_BULK_CANCEL = "table-review-bulk-cancel"
# Issue 20, the editor's minor items: a need's window, its edit and removal; the add-need form collapsed on phones.
NEED_START_TYPE = "table-need-start"         # {"type", "project"}: the new need's window, from (Jalali or ISO)
NEED_END_TYPE = "table-need-end"             # ... to
NEED_EDIT_DESC_TYPE = "table-need-edit-desc"     # {"type", "need"}: an existing need's description
NEED_EDIT_SKILLS_TYPE = "table-need-edit-skills"  # ... its skills
NEED_EDIT_START_TYPE = "table-need-edit-start"    # ... its window
NEED_EDIT_END_TYPE = "table-need-edit-end"
NEED_UPDATE_TYPE = "table-need-update"       # {"type", "need", "v"}: saves them (v: the version shown)
NEED_REMOVE_TYPE = "table-need-remove"       # {"type", "need", "v"}: a ConfirmDialogProvider removing the need


def need_form_id(project_id: int) -> str:
    """The collapsible add-need form under a project (a plain id: Bootstrap's collapse targets it)."""
    return f"table-need-form-{project_id}"


def need_field_id(field: str, project_id: int) -> str:
    """The wrapper of one field of a project's add-need form: where its error is shown and what it marks."""
    return f"table-need-{field}-{project_id}"


def need_edit_id(need_id: int) -> str:
    return f"table-need-edit-{need_id}"

TABLE_PROPOSALS = "table-proposals"       # the link to the citizen proposals to the table (issue 21)
# Issue 19 item 3: a single accept is answered in place (set_props), not by drawing both lists again.
REVIEW_ITEM_TYPE = "table-review-item"       # {"type", "alloc"}: a proposal's row in the queue
REVIEW_COUNT = "table-review-count"          # holds "n proposals await your decision" (data-pending)
DELIVERY_COUNT = "table-delivery-count"      # holds the accepted list's count (DELIVERY_LIST, data-awaiting)
DELIVERY_RECENT = "table-delivery-recent"    # the accepted list's entries added since it was drawn, newest first
