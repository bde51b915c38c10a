"""Component ids of the citizen's pages (home, projects, one project, pledge, my contributions).

Imports nothing. Tests and pages read the same constants.
"""
from __future__ import annotations

# Home
HOME_TOTALS = "home-totals"
HOME_TABLES = "home-tables"
HOME_NEEDY = "home-needy"
HOME_PARTICIPANTS = "home-participants"
HOME_CTA = "home-cta"

# Project list
PROJECTS_FORM = "projects-form"
PROJECTS_TABLE = "projects-table"
PROJECTS_KIND = "projects-kind"
PROJECTS_DISTRICT = "projects-district"
PROJECTS_TYPE = "projects-type"
PROJECTS_TEXT = "projects-text"
PROJECTS_SORT = "projects-sort"
PROJECTS_SUBMIT = "projects-submit"
PROJECTS_COUNT = "projects-count"
PROJECTS_LIST = "projects-list"
PROJECTS_PAGER = "projects-pager"
PROJECTS_PAGE_NOTICE = "projects-page-notice"   # ?page=99: "there is no page 99"

# One project
PROJECT_TITLE = "project-title"
PROJECT_NEEDS = "project-needs"
PROJECT_CONTRIBUTIONS = "project-contributions"
PROJECT_PLEDGE = "project-pledge"

# Pledge form
PLEDGE_FORM = "pledge-form"
PLEDGE_KIND = "pledge-kind"
PLEDGE_KIND_HELP = "pledge-kind-help"
PLEDGE_QUANTITY = "pledge-quantity"
PLEDGE_QUANTITY_LABEL = "pledge-quantity-label"
PLEDGE_QUANTITY_ERROR = "pledge-quantity-error"
PLEDGE_UNIT = "pledge-unit"
PLEDGE_UNIT_ROW = "pledge-unit-row"
PLEDGE_PREVIEW = "pledge-preview"
PLEDGE_DESCRIPTION = "pledge-description"
PLEDGE_DESCRIPTION_ROW = "pledge-description-row"
PLEDGE_DESCRIPTION_ERROR = "pledge-description-error"
PLEDGE_SKILLS = "pledge-skills"
PLEDGE_SKILLS_ROW = "pledge-skills-row"
PLEDGE_SKILLS_ERROR = "pledge-skills-error"
PLEDGE_DISTRICT = "pledge-district"
PLEDGE_DISTRICT_ERROR = "pledge-district-error"
PLEDGE_START = "pledge-start"
PLEDGE_END = "pledge-end"
PLEDGE_START_PREVIEW = "pledge-start-preview"
PLEDGE_END_PREVIEW = "pledge-end-preview"
PLEDGE_WINDOW_ERROR = "pledge-window-error"
PLEDGE_TABLES = "pledge-tables"
PLEDGE_ONLY_TABLES = "pledge-only-tables"
PLEDGE_TABLES_ERROR = "pledge-tables-error"
PLEDGE_DIVISIBLE = "pledge-divisible"
PLEDGE_DIVISIBLE_ROW = "pledge-divisible-row"
PLEDGE_REVIEW = "pledge-review"
PLEDGE_ERROR = "pledge-error"
PLEDGE_REVIEW_PANEL = "pledge-review-panel"
PLEDGE_SUMMARY = "pledge-summary"
PLEDGE_EDIT = "pledge-edit"
PLEDGE_CONFIRM = "pledge-confirm"
PLEDGE_DONE = "pledge-done"
PLEDGE_STEP = "pledge-step"
PLEDGE_TOKEN = "pledge-token"          # the form's one-time token (models.core.form_tokens)
PLEDGE_SUMMARY_ERROR = "pledge-summary-error"  # beside the confirm button
PLEDGE_WINDOW_ROW = "pledge-window-row"
PLEDGE_BIG_ROW = "pledge-big-row"      # "do you really mean …?" above CONFIRM_MONEY_ABOVE
PLEDGE_BIG_OK = "pledge-big-ok"

# My contributions
MY_LIST = "my-list"
MY_PAGER = "my-pager"
MY_FLASH = "my-flash"
MY_WITHDRAW = "my-withdraw"              # pattern-matching: {"type": MY_WITHDRAW, "pledge": id}
MY_MODAL = "my-withdraw-modal"
MY_MODAL_BODY = "my-withdraw-modal-body"
MY_MODAL_CONFIRM = "my-withdraw-confirm"
MY_MODAL_CANCEL = "my-withdraw-cancel"
MY_TARGET = "my-withdraw-target"
MY_NOTIFICATIONS = "notifications"
MY_NOTIFICATIONS_LIST = "my-notifications-list"
MY_MARK_READ = "my-mark-read"
MY_LAST_SEEN = "my-last-seen"
# /my: paying an accepted money contribution (issue 20 item 14)
MY_PAY_REFERENCE = "my-pay-reference"    # pattern-matching: {"type": MY_PAY_REFERENCE, "alloc": id}
MY_PAY_SAVE = "my-pay-save"              # pattern-matching: {"type": MY_PAY_SAVE, "alloc": id}
# Issue 16 items 1-2: the logistics item offered, and the project chosen from a project's page.
PLEDGE_ITEM = "pledge-item"
PLEDGE_ITEM_ROW = "pledge-item-row"
PLEDGE_ITEM_ERROR = "pledge-item-error"
PLEDGE_PROJECT = "pledge-project"              # store: the chosen project's id (None: none chosen)
PLEDGE_PROJECT_MODE = "pledge-project-mode"    # "only" | "prefer"
PLEDGE_PROJECT_ROW = "pledge-project-row"
PLEDGE_PROJECT_ERROR = "pledge-project-error"
# Reaching the chair about an accepted contribution (issue 20 item 13); pattern ids {"type": ..., "alloc": id}.
MY_CONTACT_CHANNEL = "my-contact-channel"  # which contact to share: "phone" or "email"
MY_CONTACT_SHARE = "my-contact-share"
MY_CONTACT_REVOKE = "my-contact-revoke"
MY_MSG_TEXT = "my-msg-text"
MY_MSG_SEND = "my-msg-send"

# Editing a pledge (issue 20): /my/pledges/<id>/edit
PE_ID = "pledge-edit-id"                  # store: the pledge's id
PE_VERSION = "pledge-edit-version"        # store: the version the form was filled from
PE_FLASH = "pledge-edit-flash"
PE_BODY = "pledge-edit-body"
PE_QUANTITY = "pledge-edit-quantity"
PE_DISTRICT = "pledge-edit-district"
PE_START = "pledge-edit-start"
PE_END = "pledge-edit-end"
PE_NOTE = "pledge-edit-note"
PE_SAVE = "pledge-edit-save"
PE_ERROR = "pledge-edit-error"            # beside the save button
MY_EDIT = "my-edit-pledge"                # the "edit" link on a /my card
