"""Every table, imported here so that Alembic sees them all."""

from sqlalchemy import MetaData
from sqlmodel import SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

from app.models.api_token import ApiToken  # noqa: E402
from app.models.audit_event import AuditEvent  # noqa: E402
from app.models.catalogue_entry import (  # noqa: E402
    CatalogueEntry,
    CatalogueEntryCreate,
    CatalogueEntryPublic,
)
from app.models.department import Department, DepartmentCreate, DepartmentPublic  # noqa: E402
from app.models.idea import (  # noqa: E402
    Idea,
    IdeaCreate,
    IdeaPublic,
    IdeaStatusChange,
    IdeaStatusPublic,
)
from app.models.import_job import ImportJob  # noqa: E402
from app.models.login_attempt import LoginAttempt  # noqa: E402
from app.models.priority_decision import (  # noqa: E402
    PriorityDecision,
    PriorityDecisionCreate,
    PriorityDecisionPublic,
    PriorityDecisionStatusChange,
    PriorityDecisionStatusPublic,
)
from app.models.programme_setting import ProgrammeSetting  # noqa: E402
from app.models.report_cache import ReportCache  # noqa: E402
from app.models.schedule import (  # noqa: E402
    CalendarFeed,
    OccurrencePublic,
    ReminderSent,
    Schedule,
    ScheduleCreate,
    ScheduleLeader,
    SchedulePublic,
)
from app.models.sign_in import LoginChallenge, OidcLogin, RecoveryCode  # noqa: E402
from app.models.survey import (  # noqa: E402
    Survey,
    SurveyAnswerCount,
    SurveyDepartment,
    SurveyMapping,
    SurveyPublic,
    SurveyResponse,
    SurveyScoreCount,
    SurveyUpload,
)
from app.models.theme import Theme, ThemePublic  # noqa: E402
from app.models.ticket import (  # noqa: E402
    Ticket,
    TicketCategory,
    TicketExport,
    TicketExportPublic,
    TicketUpload,
)
from app.models.user import Role, User, UserCreate, UserPublic  # noqa: E402
from app.models.user_session import UserSession  # noqa: E402
from app.models.visit import (  # noqa: E402
    ACTION_FINISHED,
    Action,
    ActionCreate,
    ActionListed,
    ActionPublic,
    ActionStatusChange,
    Conversation,
    ConversationCreate,
    ConversationTheme,
    LeaderDepartment,
    Visit,
    VisitCreate,
    VisitEdit,
    VisitPublic,
)

metadata: MetaData = SQLModel.metadata

__all__ = [
    "ACTION_FINISHED",
    "Action",
    "ActionCreate",
    "ActionListed",
    "ActionPublic",
    "ActionStatusChange",
    "ApiToken",
    "AuditEvent",
    "CatalogueEntry",
    "CatalogueEntryCreate",
    "CatalogueEntryPublic",
    "Conversation",
    "ConversationCreate",
    "ConversationTheme",
    "Department",
    "DepartmentCreate",
    "DepartmentPublic",
    "Idea",
    "ImportJob",
    "IdeaCreate",
    "IdeaPublic",
    "IdeaStatusChange",
    "IdeaStatusPublic",
    "LeaderDepartment",
    "LoginAttempt",
    "LoginChallenge",
    "CalendarFeed",
    "OccurrencePublic",
    "ReminderSent",
    "Schedule",
    "ScheduleCreate",
    "ScheduleLeader",
    "SchedulePublic",
    "OidcLogin",
    "RecoveryCode",
    "PriorityDecision",
    "PriorityDecisionCreate",
    "PriorityDecisionPublic",
    "PriorityDecisionStatusChange",
    "PriorityDecisionStatusPublic",
    "ProgrammeSetting",
    "ReportCache",
    "Role",
    "Survey",
    "SurveyAnswerCount",
    "SurveyDepartment",
    "SurveyMapping",
    "SurveyPublic",
    "SurveyResponse",
    "SurveyScoreCount",
    "SurveyUpload",
    "Theme",
    "ThemePublic",
    "Ticket",
    "TicketCategory",
    "TicketExport",
    "TicketExportPublic",
    "TicketUpload",
    "User",
    "UserCreate",
    "UserPublic",
    "UserSession",
    "Visit",
    "VisitCreate",
    "VisitEdit",
    "VisitPublic",
]
