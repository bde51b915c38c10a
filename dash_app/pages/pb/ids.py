"""Component ids of participatory budgeting: the citizen's ballot (/vote) and the governorate's cycles (/admin/pb).

Imports nothing. Tests and pages read the same constants.
"""
from __future__ import annotations

# /vote
VOTE_CYCLE = "vote-cycle"              # Store: {"cycle_id", "rule", "k", "budget", "costs": {pid: cost}}
VOTE_CHOICES = "vote-choices"          # Checklist of project ids
VOTE_COUNTER = "vote-counter"          # "2 of 3 chosen" or the budget used
VOTE_BUDGET_BAR = "vote-budget-bar"
VOTE_SUBMIT = "vote-submit"
VOTE_MESSAGE = "vote-message"
VOTE_MINE = "vote-mine"                # the citizen's own saved ballot
VOTE_RESULTS = "vote-results"
VOTE_EMPTY = "vote-empty"
VOTE_COUNTDOWN = "vote-countdown"      # time left until voting closes (or opens)
VOTE_TICK = "vote-tick"                # Interval refreshing the countdown

# /pb/station: a polling officer enters paper ballots and assisted votes
PAPER_CYCLE = "paper-cycle"            # Store: {"cycle_id"}
PAPER_NUMBER = "paper-number"
PAPER_CHOICES = "paper-choices"
PAPER_ASSISTED = "paper-assisted"      # the assisted citizen's phone or e-mail (empty: a paper ballot)
PAPER_SUBMIT = "paper-submit"
PAPER_MESSAGE = "paper-message"
PAPER_COUNT = "paper-count"

# /admin/pb
PB_COUNT_START = "pb-count-start"      # count the cycle (its rule and the two compared) in the background
PB_COUNT_STATUS = "pb-count-status"
PB_COUNT_INTERVAL = "pb-count-interval"
PB_COUNT_CLAIMED = "pb-count-claimed"  # hidden: the claimed count's id starts the background job
PB_COUNT_EXECUTED = "pb-count-executed"
PB_COUNT_SEEN = "pb-count-seen"        # Store: the finished count the page has shown
PB_OFFICER_LOGIN = "pb-officer-login"
PB_OFFICER_STATION = "pb-officer-station"
PB_OFFICER_DISTRICT = "pb-officer-district"
PB_OFFICER_ASSIGN = "pb-officer-assign"
PB_OFFICER_MESSAGE = "pb-officer-message"
PB_REFRESH = "pb-refresh"
PB_MESSAGE = "pb-message"
PB_LIST = "pb-list"
PB_SELECT = "pb-select"
PB_DETAIL = "pb-detail"
PB_ADVANCE = "pb-advance"              # ConfirmDialogProvider (submit_n_clicks)
PB_ADVANCE_BUTTON = "pb-advance-button"
PB_ADVANCE_TO = "pb-advance-to"        # Store: the phase the button moves to
PB_PUBLISH = "pb-publish"              # ConfirmDialogProvider
PB_PUBLISH_BUTTON = "pb-publish-button"
PB_ACTIONS = "pb-actions"
PB_RULE_A = "pb-rule-a"
PB_RULE_B = "pb-rule-b"
PB_COMPARE = "pb-compare"
PB_CHART = "pb-chart"
PB_EXPORT = "pb-export"
PB_DOWNLOAD = "pb-download"
PB_NAME_FA = "pb-name-fa"
PB_NAME_EN = "pb-name-en"
PB_BUDGET = "pb-budget"
PB_UNIT = "pb-unit"
PB_PROJECTS = "pb-projects"
PB_BALLOT_RULE = "pb-ballot-rule"
PB_K = "pb-k"
PB_K_ROW = "pb-k-row"
PB_COUNTING_RULE = "pb-counting-rule"
PB_CREATE = "pb-create"
PB_CREATE_MESSAGE = "pb-create-message"
PB_UPLOAD = "pb-upload"
PB_IMPORT_RULE = "pb-import-rule"
PB_IMPORT_MESSAGE = "pb-import-message"
PB_EXPLAINED = "pb-explained"          # every project of the count with the sentence of why
PB_OPENS = "pb-opens"                  # voting dates on the cycle form (Jalali or Gregorian)
PB_CLOSES = "pb-closes"
PB_HEADINGS = "pb-headings"            # the district budgets section of the cycle form
PB_HEADING = "pb-heading"              # pattern id {"type": PB_HEADING, "district": id}: a district's budget
