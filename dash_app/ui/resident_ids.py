"""Component ids of the citizen's resident-register page (/resident). Imports nothing."""
from __future__ import annotations

RES_CODE = "res-national-code"
RES_YEAR = "res-birth-year"
RES_SUBMIT = "res-submit"
RES_MESSAGE = "res-message"
RES_STATUS = "res-status"
