"""Imports every model so that the metadata (and Alembic) sees all tables."""
from grantportal.accounts.models import AccountToken, LoginFailure, User, UserSession  # noqa: F401
from grantportal.applications.models import Application, Attachment, BudgetLine  # noqa: F401
from grantportal.awards.models import (  # noqa: F401
    Award,
    Objection,
    ObjectionFile,
    Proposal,
    PublicCheck,
    PublicCheckPage,
    ResultsRevision,
)
from grantportal.calendar.models import CalendarDay, CalendarYear  # noqa: F401
from grantportal.calls.models import Call, CallLevel, CallStage, RequiredDocument, RubricCriterion  # noqa: F401
from grantportal.catalogue.models import Catalogue, CatalogueCategory, CatalogueItem  # noqa: F401
from grantportal.citizens.models import Citizen, SmsCode  # noqa: F401
from grantportal.core.audit import AuditEntry  # noqa: F401
from grantportal.core.audit_chain import AuditArchive, AuditCheck, AuditSeal  # noqa: F401
from grantportal.core.files import StoredFile  # noqa: F401
from grantportal.core.jobs_models import Job  # noqa: F401
from grantportal.core.notices import Notice  # noqa: F401
from grantportal.core.scheduled_runs import ScheduledRun  # noqa: F401
from grantportal.core.search import SearchEntry  # noqa: F401
from grantportal.disclosure.statistics.models import StatisticsSnapshot  # noqa: F401
from grantportal.documents.models import IssuedDocument  # noqa: F401
from grantportal.experts.models import Conflict, ExpertAffiliation, ExpertProfile  # noqa: F401
from grantportal.funding.models import Contract, MatchedFund, Payment, Recovery, Tranche  # noqa: F401
from grantportal.inspection.models import (  # noqa: F401
    Agency,
    AgencyStaff,
    Appointment,
    IndicatorScore,
    InspectionVisit,
    ThirdPartyEvaluation,
    VisitCheck,
    VisitPhoto,
)
from grantportal.monitoring.models import Evaluation, Report, ReportPhoto, ReportSpending  # noqa: F401
from grantportal.monitoring.rectification_models import (  # noqa: F401
    RectificationCase,
    RectificationEvidence,
    RectificationReport,
)
from grantportal.opendata.models import DatasetFile  # noqa: F401
from grantportal.orgs.models import (  # noqa: F401
    AnnualInspection,
    Organization,
    OrgInvitation,
    OrgMember,
    RatingRecord,
    Sanction,
)
from grantportal.pledges.models import Pledge  # noqa: F401
from grantportal.review.models import (  # noqa: F401
    Assignment,
    Draw,
    Review,
    ReviewRevision,
    ReviewRound,
    ReviewScore,
    RoundCriterion,
)
from grantportal.supervision.models import SupervisionPhoto, SupervisionReport  # noqa: F401
from grantportal.surveys.models import Survey, SurveyAnswer  # noqa: F401
from grantportal.teams.models import Team  # noqa: F401
from grantportal.votes.models import Vote, VoteEntry, VoteFlag, VoteRound  # noqa: F401
