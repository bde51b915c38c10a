"""Component ids of the governorate's pages (/governorate and /admin), shared by pages and tests.

Imports nothing.
"""
from __future__ import annotations

# Dashboard: refresh the counts
GOV_REFRESH = "gov-refresh"
GOV_COUNTS = "gov-counts"

# Dashboard filters
F_DATE_FROM = "gov-f-date-from"
F_DATE_TO = "gov-f-date-to"
F_TABLE = "gov-f-table"
F_KIND = "gov-f-kind"
F_DISTRICT = "gov-f-district"
F_ERROR = "gov-f-error"
F_STORE = "gov-f-store"

# Dashboard output
HEADLINE = "gov-headline"
FIG_TABLES = "gov-fig-tables"
FIG_DISTRICTS = "gov-fig-districts"
FIG_MONTHS = "gov-fig-months"
FIG_COVERAGE = "gov-fig-coverage"
FIG_SANKEY = "gov-fig-sankey"
RUNS = "gov-runs"
GOV_ANCHOR = "gov-anchor"  # the audit log's newest anchor (issue 18)

# Exports
EX_SHEET = "gov-ex-sheet"
EX_FORMAT = "gov-ex-format"
EX_CONTACTS = "gov-ex-contacts"
EX_BUTTON = "gov-ex-button"
EX_DOWNLOAD = "gov-ex-download"
EX_MESSAGE = "gov-ex-message"

# Audit log
AU_ACTOR = "gov-au-actor"
AU_ACTION = "gov-au-action"
AU_TABLE = "gov-au-table"
AU_OBJECT = "gov-au-object"
AU_OBJECT_ID = "gov-au-object-id"
AU_DATE_FROM = "gov-au-date-from"
AU_DATE_TO = "gov-au-date-to"
AU_LIST = "gov-au-list"
AU_PAGER = "gov-au-pager"
AU_PREV = "gov-au-prev"
AU_NEXT = "gov-au-next"
AU_PAGE = "gov-au-page"
AU_ERROR = "gov-au-error"

# Administration
AD_REFRESH = "adm-refresh"                 # a store bumped after every change
AD_MESSAGE = "adm-message"
AD_TABLES = "adm-tables"
AD_T_SELECT = "adm-t-select"
AD_T_NAME_FA = "adm-t-name-fa"
AD_T_NAME_EN = "adm-t-name-en"
AD_T_DESC_FA = "adm-t-desc-fa"
AD_T_DESC_EN = "adm-t-desc-en"
AD_T_SAVE = "adm-t-save"
AD_T_ERROR = "adm-t-error"          # the table form's error, beside its Save button
AD_T_ARCHIVE = "adm-t-archive"
AD_T_UNARCHIVE = "adm-t-unarchive"
AD_ARCHIVE_MODAL = "adm-archive-modal"
AD_ARCHIVE_BODY = "adm-archive-body"
AD_ARCHIVE_CHOICE = "adm-archive-choice"
AD_ARCHIVE_CONFIRM = "adm-archive-confirm"
AD_ARCHIVE_CANCEL = "adm-archive-cancel"
AD_M_TABLE = "adm-m-table"
AD_M_LIST = "adm-m-list"
AD_M_SEARCH = "adm-m-search"
AD_M_USER = "adm-m-user"
AD_M_BACKGROUND = "adm-m-background"
AD_M_AFFILIATION = "adm-m-affiliation"
AD_M_ADD = "adm-m-add"
AD_M_REMOVE = "adm-m-remove"               # pattern-matching type: {"type": AD_M_REMOVE, "user": id}
AD_E_TABLE = "adm-e-table"
AD_E_DAYS = "adm-e-days"
AD_E_OPEN = "adm-e-open"
AD_E_LIST = "adm-e-list"
AD_U_SEARCH = "adm-u-search"
AD_U_HINT = "adm-u-hint"               # "results appear as you type, from 2 letters on"
AD_U_LIST = "adm-u-list"
AD_U_PAGE = "adm-u-page"
AD_U_PREV = "adm-u-prev"
AD_U_NEXT = "adm-u-next"
AD_U_ACTION = "adm-u-action"               # pattern-matching: {"type": AD_U_ACTION, "user": id, "do": verb}
AD_U_RESET = "adm-u-reset"                 # pattern-matching: {"type": AD_U_RESET, "user": id}
AD_U_RESET_MODAL = "adm-u-reset-modal"
AD_U_RESET_BODY = "adm-u-reset-body"
AD_U_RESET_LINK = "adm-u-reset-link"
AD_R_KIND = "adm-r-kind"
AD_R_ITEM = "adm-r-item"
AD_R_RATE = "adm-r-rate"
AD_R_SAVE = "adm-r-save"
AD_R_LIST = "adm-r-list"
AD_R_REMOVE = "adm-r-remove"               # pattern-matching: {"type": AD_R_REMOVE, "rate": id}
# /admin: where citizens pay a table's accepted money (issue 20 item 14)
AD_P_FA = "adm-pay-fa"
AD_P_EN = "adm-pay-en"
AD_P_SAVE = "adm-pay-save"
AD_P_MESSAGE = "adm-pay-message"
F_SHOW_ALL = "gov-f-show-all"   # the charts: the largest 10 (phones) or every table, district and project
# The outbox page (issue 23)
OUTBOX_TABLE = "outbox-table"
OUTBOX_FILTERS = "outbox-filters"
OUTBOX_PAGER = "outbox-pager"
