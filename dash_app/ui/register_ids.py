"""Component ids of the resident register page (/governorate/register), shared by the page and its tests.

Imports nothing.
"""
from __future__ import annotations

REG_UPLOAD = "reg-upload"
REG_RESULT = "reg-result"
REG_SUMMARY = "reg-summary"
REG_IMPORTS = "reg-imports"
RULE_SCOPE = "reg-rule-scope"
RULE_RESIDENCY = "reg-rule-residency"
RULE_DISTRICT = "reg-rule-district"
RULE_MIN_AGE = "reg-rule-min-age"
RULE_SAVE = "reg-rule-save"
RULE_MESSAGE = "reg-rule-message"
RULE_LIST = "reg-rule-list"

# /assist: registering a resident without a smartphone and entering a pledge for them
AS_CODE = "assist-national-code"
AS_YEAR = "assist-birth-year"
AS_NAME = "assist-name"
AS_PHONE = "assist-phone"
AS_FORM = "assist-form-number"
AS_REGISTER = "assist-register"
AS_REGISTER_MESSAGE = "assist-register-message"
AP_CODE = "assist-pledge-national-code"
AP_YEAR = "assist-pledge-birth-year"
AP_FORM = "assist-pledge-form-number"
AP_KIND = "assist-pledge-kind"
AP_AMOUNT = "assist-pledge-amount"
AP_SUBMIT = "assist-pledge-submit"
AP_MESSAGE = "assist-pledge-message"
