"""Sentences for the error codes of participatory budgeting: cycles, ballots, counting, .pb files."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    # creating a cycle
    "budget_not_integer": _l("Enter the budget as a whole number."),
    "budget_not_positive": _l("The budget must be more than zero."),
    "budget_too_large": _l("The budget is too large."),
    "pb_ballot_rule_unknown": _l("Choose a ballot rule from the list."),
    "pb_counting_rule_unknown": _l("Choose a counting rule from the list."),
    "pb_projects_required": _l("Choose at least one project for the ballot."),
    "pb_project_repeated": _l("A project appears twice; each project can be chosen only once."),
    "pb_max_approvals_invalid": _l("The number of projects a citizen may choose must be between 1 and "
                                   "%(maximum)s."),
    "pb_max_approvals_for_knapsack": _l("A budget ballot has no project limit: leave the number of projects empty."),
    "pb_voting_window_inverted": _l("Voting must close after it opens."),
    "pb_project_not_eligible": _l("One of the chosen projects cannot be on the ballot: only open or in-progress "
                                  "projects can."),
    "pb_project_fully_covered": _l("One of the chosen projects has no uncovered financial need left, so it "
                                   "cannot be on the ballot."),
    # phases
    "pb_cycle_not_found": _l("No such budgeting cycle."),
    "pb_phase_unknown": _l("Choose a phase from the list."),
    "pb_publish_to_finish": _l("Results are reached only by publishing them."),
    "pb_phase_not_next": _l("The cycle has already moved on; reload the page to see its current phase."),
    "pb_cycle_imported": _l("An imported election can only be counted and exported, not opened for voting or "
                            "published."),
    # ballots
    "pb_voting_closed": _l("Voting is not open for this cycle."),
    "pb_ballot_invalid": _l("The ballot could not be read; reload the page and choose again."),
    "pb_ballot_empty": _l("Choose at least one project."),
    "pb_project_not_on_ballot": _l("One of the chosen projects is not on this ballot."),
    "pb_too_many_projects": _l("You chose %(chosen)s projects; you may choose at most %(maximum)s."),
    "pb_over_budget": _l("The projects you chose cost more than the budget; remove some until they fit."),
    # counting and results
    "pb_not_tallying": _l("The votes can be counted only after voting has closed."),
    "pb_results_not_published": _l("The results of this cycle have not been published yet."),
    # .pb files
    "pb_file_empty": _l("Choose a .pb file to import."),
    "pb_file_too_large": _l("The file is too large to import."),
    "pb_file_invalid": _l("The file is not a valid .pb file (line %(line)s): %(message)s"),
    "pb_file_budget_unusable": _l("The file's budget is missing, not a whole number or too large."),
    "pb_file_no_projects": _l("The file has no projects."),
    # district budgets (issue 17 item 4)
    "pb_heading_invalid": _l("A district budget could not be read; reload the page and try again."),
    "pb_heading_budget_invalid": _l("Each district budget must be a whole amount above zero."),
    "pb_heading_repeated": _l("A district has two budgets; give each district one."),
    "pb_headings_sum": _l("The district budgets and the county-wide budget add up to %(total)s, not the cycle's "
                          "budget of %(budget)s."),
    "pb_heading_district_unknown": _l("That district is not one of this cycle's budgets."),
    "pb_project_no_heading": _l("A project belongs to no district budget and there is no county-wide budget for it."),
    "pb_two_districts": _l("You can vote in the county-wide budget and in one district's only: choose the projects "
                           "of a single district."),
    "pb_heading_required": _l("Choose which budget of the cycle to export."),
    # polling stations (issue 17 item 5)
    "pb_results_published": _l("The results of this cycle are published; nothing more can be entered."),
    "pb_station_invalid": _l("Enter the polling station's name (at most %(maximum)s characters)."),
    "pb_ballot_number_invalid": _l("Enter the ballot number printed on the form (letters, digits, - or /)."),
    "pb_not_officer": _l("Only a polling officer of this cycle can enter its ballots."),
    "pb_ballot_number_used": _l("Ballot number %(ballot_number)s has already been entered; a ballot counts once."),
    "pb_already_voted": _l("This citizen already has a ballot in this cycle."),
    "pb_ballot_entered_at_station": _l("Your ballot was entered at a polling station and cannot be changed online."),
    # counting in the background
    "pb_count_running": _l("This cycle is being counted already; its progress is shown below."),
    "pb_count_first": _l("Count the votes first (the ballots changed since the last count, or it used another "
                         "rule)."),
}
