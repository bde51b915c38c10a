"""Hamyar's data model and the domain operations on it.

Imports sqlalchemy and `matching`; never dash, flask or anything web.
"""
from models.base import Base
from models.db import Database, database_url_from_env, data_folder
from models.enums import (
    AllocationStatus,
    HelpKind,
    PledgeStatus,
    ProjectKind,
    ProjectStatus,
)
from models.people import User
from models.geo import District
from models.tables import ChairBallot, ChairBallotChoice, ChairCandidate, ChairElection, Table, TableMembership
from models.skills import Skill
from models.projects import Need, Project
from models.pledges import Allocation, MatchingRun, Pledge
from models.pb import PBBallot, PBBallotChoice, PBCycle, PBCycleProject
from models.notifications import Notification
from models.valuation import ValuationRate
from models.pb_cycles import PBCycleImport  # its table must be in the metadata
from models.password_reset import PasswordReset
from models.audit import AUDITED_TABLES, AuditEvent, record

__all__ = [
    "Allocation", "AllocationStatus", "AuditEvent", "Base", "ChairBallot", "ChairBallotChoice",
    "ChairCandidate", "ChairElection", "Database", "District", "HelpKind", "MatchingRun", "Need", "Notification",
    "PBBallot", "PBBallotChoice", "PBCycle", "PBCycleImport", "PBCycleProject", "PasswordReset", "Pledge",
    "PledgeStatus", "Project", "ProjectKind", "ProjectStatus", "Skill", "Table", "TableMembership", "User",
    "ValuationRate", "data_folder", "database_url_from_env", "record",
]

# Which models every change must be audited for (see models.audit).
for _cls in (User, District, Skill, Table, TableMembership, ChairElection, ChairCandidate, ChairBallot,
             Project, Need, Pledge, Allocation, MatchingRun, PBCycle, PBCycleProject, PBBallot, ValuationRate,
             PasswordReset):
    AUDITED_TABLES.add(_cls.__tablename__)
