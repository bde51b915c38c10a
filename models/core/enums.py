"""The constrained values of the domain: kinds of help, project kinds and the status machines.

Imports nothing but the standard library.
"""
from __future__ import annotations

import enum


class HelpKind(enum.StrEnum):
    FINANCIAL = "financial"
    LOGISTICS = "logistics"
    DESIGN = "design"
    EXECUTION = "execution"


# The unit each kind is counted in; the catalogue translates these keys.
UNIT_OF_KIND = {
    HelpKind.FINANCIAL: "rial",
    HelpKind.LOGISTICS: "unit_day",
    HelpKind.DESIGN: "hour",
    HelpKind.EXECUTION: "person_hour",
}


class ProjectKind(enum.StrEnum):
    PROBLEM = "problem"
    TALENT = "talent"


class Horizon(enum.StrEnum):
    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"


class ProjectStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class PledgeStatus(enum.StrEnum):
    OPEN = "open"
    PARTLY_ALLOCATED = "partly_allocated"
    ALLOCATED = "allocated"
    DELIVERED = "delivered"
    WITHDRAWN = "withdrawn"


class AllocationStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DELIVERED = "delivered"
    REJECTED = "rejected"
    # A proposal that a later matching run replaced, or whose pledge or project went away.
    WITHDRAWN = "withdrawn"


# Allocations that hold a pledge's and a need's capacity.
ACTIVE_ALLOCATION = (AllocationStatus.PROPOSED, AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED)
# Allocations that are decided and bind later matching runs.
FIXED_ALLOCATION = (AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED)


class MemberBackground(enum.StrEnum):
    AGENCY = "agency"          # agency manager or expert
    ACADEMIC = "academic"
    FIELD = "field"            # field actor
    ACTIVIST = "activist"      # social activist
    GOVERNOR = "governor"      # the governor or an agency head


class ElectionStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class RunScope(enum.StrEnum):
    COUNTY = "county"
    TABLE = "table"


class PBPhase(enum.StrEnum):
    PROPOSAL = "proposal"
    VOTING = "voting"
    TALLYING = "tallying"
    RESULTS = "results"


class PBBallotRule(enum.StrEnum):
    APPROVAL = "approval"
    KNAPSACK = "knapsack"


class PBCountingRule(enum.StrEnum):
    MES_ADD1_GREEDY = "mes-add1-greedy"
    MES_ADD1 = "mes-add1"
    MES = "mes"
    GREEDY = "greedy"
    # models.pb.rules.EXTRA_RULES (migration 0006 widens the column to 32 characters)
    GREEDY_CARDINALITY = "greedy-cardinality"
    MES_CARDINALITY = "mes-cardinality"
    MES_CARDINALITY_ADD1 = "mes-cardinality-add1"
    MES_CARDINALITY_ADD1_GREEDY = "mes-cardinality-add1-greedy"
    PHRAGMEN = "phragmen"
    MAX_WELFARE = "max-welfare"


class DistrictLevel(enum.StrEnum):
    COUNTY = "county"
    DISTRICT = "district"
    CITY = "city"
    RURAL = "rural"
