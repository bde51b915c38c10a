"""Component ids of voting without an account (/vote/resident). Imports nothing."""
from __future__ import annotations

CENSUS_CYCLE = "census-cycle"
CENSUS_CODE = "census-national-code"
CENSUS_YEAR = "census-birth-year"
CENSUS_CHOICES = "census-choices"
CENSUS_SUBMIT = "census-submit"
CENSUS_MESSAGE = "census-message"
CENSUS_SEND = "census-send-code"        # step 1: check everything and send the code to the entry's phone
CENSUS_CODE_STEP = "census-code-step"   # step 2 (hidden until a code is sent): the code and "Cast my vote"
CENSUS_OTP = "census-one-time-code"
CENSUS_SENT = "census-code-sent"
VOTE_WHO = "vote-who-may-vote"      # /vote: who may vote in the cycle shown
