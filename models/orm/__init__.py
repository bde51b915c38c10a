"""The ORM model layer: one schema graph (Allocation -> Need -> Project -> Table -> User), every
class a typed `Mapped[]` model. Operations on it live in the area packages beside this one.

Imports sqlalchemy only.
"""

from models.orm.audit_event import AUDITED_TABLES, AuditEvent
from models.orm.base import Base
from models.orm.codes import OneTimeCode  # noqa: F401 (mapped into Base.metadata)
from models.orm.contact import ContactConsent, ContributionMessage  # noqa: F401 (mapped into Base.metadata)
from models.orm.cores import KeyCore, KeyCoreMeeting, KeyCoreMember, KeyCoreTask  # noqa: F401 (mapped into Base.metadata)
from models.orm.form_token import FormToken
from models.orm.geo import District
from models.orm.notifications import Notification
from models.orm.organizations import Organization, OrganizationMember, OrganizationRemit  # noqa: F401 (mapped)
from models.orm.outbox import NotificationPreference, OutboxMessage  # noqa: F401 (mapped into Base.metadata)
from models.orm.password_reset import PasswordReset
from models.orm.payments import AllocationPayment, TablePayment  # noqa: F401 (mapped into Base.metadata)
from models.orm.pb import PBBallot, PBBallotChoice, PBCycle, PBCycleImport, PBCycleProject
from models.orm.people import User
from models.orm.pledges import Allocation, MatchingRun, Pledge
from models.orm.projects import Need, Project
from models.orm.proposals import (  # noqa: F401 (mapped into Base.metadata)
    CitizenProposal,
    ProposalAttachment,
    ProposalComment,
    ProposalReport,
    ProposalSupport,
)
from models.orm.referrals import Referral, ReferralAnswer, ReferralHoliday, ReferralType  # noqa: F401 (mapped)
from models.orm.residents import (  # noqa: F401 (mapped into Base.metadata; audited there)
    AssistedEntry,
    Resident,
    ResidentImport,
    ResidentVoteMarker,
    VoteEligibility,
)
from models.orm.results import (  # noqa: F401 (mapped into Base.metadata)
    HoursConfirmation,
    Indicator,
    Milestone,
    ModelPilot,
    PilotReplication,
    ProgressUpdate,
    ResultFile,
)
from models.orm.sessions import LoginThrottle, UserSession
from models.orm.skills import Skill
from models.orm.tables import (
    ChairBallot,
    ChairBallotChoice,
    ChairCandidate,
    ChairElection,
    Table,
    TableMembership,
)
from models.orm.uploads import Upload, UploadBlob  # noqa: F401 (mapped into Base.metadata)
from models.orm.valuation import ValuationRate

__all__ = [
    "Allocation", "AuditEvent", "Base", "LoginThrottle", "UserSession", "ChairBallot", "ChairBallotChoice",
    "ChairCandidate", "ChairElection", "District", "FormToken", "MatchingRun", "Need", "Notification",
    "PBBallot", "PBBallotChoice", "PBCycle", "PBCycleImport", "PBCycleProject", "PasswordReset", "Pledge",
    "Project", "Skill", "Table", "TableMembership", "User",
    "ValuationRate",
]

# users.roles_version follows every role change (a flush listener; the web trusts carried roles by it).
import models.orm.roles_version  # noqa: E402,F401

# Which models every change must be audited for (see models.audit.log).
for _cls in (User, District, Skill, Table, TableMembership, ChairElection, ChairCandidate, ChairBallot,
             Project, Need, Pledge, Allocation, MatchingRun, PBCycle, PBCycleProject, PBBallot, ValuationRate,
             PasswordReset, PBCycleImport, Upload):
    AUDITED_TABLES.add(_cls.__tablename__)
AUDITED_TABLES.update(c.__tablename__ for c in (  # issue 22: results
    Indicator, Milestone, ProgressUpdate, ResultFile, HoursConfirmation, ModelPilot, PilotReplication))
# Issue 23: how a person hears about notifications is their own audited choice; outbox messages and one-time
# codes are delivery machinery (like notifications), not audited row by row.
AUDITED_TABLES.add(NotificationPreference.__tablename__)
