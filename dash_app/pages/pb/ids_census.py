"""Component ids of voting without an account (/vote/resident). Imports nothing."""
from __future__ import annotations

CENSUS_CYCLE = "census-cycle"
CENSUS_CODE = "census-national-code"
CENSUS_YEAR = "census-birth-year"
CENSUS_CHOICES = "census-choices"
CENSUS_SUBMIT = "census-submit"
CENSUS_MESSAGE = "census-message"
VOTE_WHO = "vote-who-may-vote"      # /vote: who may vote in the cycle shown
