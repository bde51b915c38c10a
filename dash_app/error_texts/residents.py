"""Sentences for the error codes of the resident register, who may vote and assisted use (issue 23)."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    # the register file
    "register_file_empty": _l("The file has no residents in it."),
    "register_file_not_utf8": _l("The file could not be read as text: save it as CSV (UTF-8) or as an Excel "
                                 "workbook (.xlsx)."),
    "register_file_unreadable": _l("The Excel file could not be opened; save it again as .xlsx and retry."),
    "register_file_too_large": _l("The file is larger than %(maximum_mb)s MB."),
    "register_too_many_rows": _l("The file has more than %(maximum)s rows."),
    "register_column_missing": _l("The first row must name the columns national_code, name, district and "
                                  "birth_year (or کد ملی، نام، بخش، سال تولد); “%(column)s” is missing."),
    "register_rows_invalid": _l("%(count)s problems were found, so nothing was imported. Correct the file and "
                                "import it again."),
    "register_national_code_invalid": _l("Line %(line)s: “%(value)s” is not a valid national code (ten digits, "
                                         "the last one a check digit)."),
    "register_duplicate": _l("Line %(line)s: this national code is already on line %(first_line)s."),
    "register_name_missing": _l("Line %(line)s: the name is empty."),
    "register_district_unknown": _l("Line %(line)s: no district, city or rural district is called “%(value)s”."),
    "register_district_ambiguous": _l("Line %(line)s: more than one place is called “%(value)s”; write its code "
                                      "instead."),
    "register_birth_year_invalid": _l("Line %(line)s: “%(value)s” is not a Jalali birth year (four digits such as "
                                      "1360, not after this year)."),
    # claiming an entry
    "national_code_invalid": _l("This is not a valid national code: ten digits, the last one a check digit."),
    "birth_year_invalid": _l("Enter the year of birth in the Jalali calendar, for example 1360."),
    "resident_not_matched": _l("No one in the resident register has this national code and year of birth. "
                               "Check both; if they are right, ask the governorate to correct the register."),
    "resident_claimed_by_other": _l("This national code is already linked to another account. One person may "
                                    "vote with one account only; if that account is not yours, contact the "
                                    "governorate."),
    "resident_already_yours": _l("Your account is already linked to an entry in the resident register."),
    "resident_phone_not_verified": _l("Verify your mobile number first; then link your account to the register."),
    # who may vote
    "vote_residents_only": _l("Only residents in the county's register may vote here. Link your account to the "
                              "register on the “Resident register” page first."),
    "vote_district_only": _l("Only residents of one district may vote here, and the register lists you in "
                             "another place."),
    "vote_too_young": _l("Only residents aged %(minimum)s or over this year may vote here."),
    "national_code_already_voted": _l("This national code has already voted here. Each person votes once, "
                                      "whichever account or form they use."),
    "census_vote_not_offered": _l("Voting without an account is offered only where the vote is for residents "
                                  "of the register."),
    "census_no_phone": _l("Your register entry has no confirmed mobile number to send the voting code to. Sign "
                          "up with your mobile number and link your account to the register, or vote at a polling "
                          "station."),
    "eligibility_residency_unknown": _l("Choose who may vote from the list."),
    "eligibility_district_required": _l("Choose the district whose residents may vote."),
    "eligibility_age_invalid": _l("The minimum age must be a whole number from 1 to %(maximum)s."),
    "eligibility_age_needs_register": _l("A minimum age needs the register: choose residents of the county or of "
                                         "a district."),
    "eligibility_after_first_ballot": _l("Who may vote can no longer change: ballots have been cast, or voting "
                                         "is over."),
    # assisted use
    "assisted_helpers_only": _l("Only governorate staff and table members may register residents or enter "
                                "their pledges."),
    "assisted_form_number_invalid": _l("Enter the number printed on the signed paper form (letters, digits, - "
                                       "and /)."),
    "assisted_form_number_used": _l("Form %(form_number)s has already been entered."),
    "assisted_resident_only": _l("This account is not linked to the resident register; register the resident "
                                 "first."),
}
