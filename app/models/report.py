"""The bias report's JSON (contract section 4) as the API describes it."""

from pydantic import BaseModel, ConfigDict


class FlagPublic(BaseModel):
    code: str
    severity: str
    evidence: str


class ReportDepartment(BaseModel):
    # The report may grow keys (the contract adds, never renames): they pass through.
    model_config = ConfigDict(extra="allow")

    department: str
    division: str | None
    headcount: int
    responses: int
    rated: int  # complete responses that gave a rating: the people behind the survey score
    partials: int
    response_rate: float | None
    response_rate_ci: list[float] | None
    suppressed: bool
    suppressed_reason: str | None
    survey_score: float | None
    survey_score_ci: list[float] | None
    early_score: float | None
    late_score: float | None
    visits: int
    conversations: int
    last_visit: str | None
    observed_score: float | None
    stated_score: float | None
    gap: float | None
    flags: list[FlagPublic]
    not_enough_evidence: list[str]
    # How many more conversations would settle whether the survey reads rosier than what
    # leaders see (null when settled, out of reach, or the survey figures are hidden).
    conversations_needed: int | None = None
    # What a walk of about four conversations would teach: the drop in the chance of a
    # wrong call about the department, times its headcount.
    walk_value: float | None = None
    # The service desk's side over the survey round's period (null without a ticket export
    # covering it; the SLA share and resolution time also under k tickets).
    tickets: int | None = None
    tickets_per_100: float | None = None
    sla_met: float | None = None
    median_resolution_hours: float | None = None
    heard_not_ticketed: list[str] = []  # themes heard in person that no ticket raised


class ReportOverall(BaseModel):
    model_config = ConfigDict(extra="allow")

    headcount: int
    responses: int
    partials: int
    response_rate: float | None
    r_indicator: float | None
    survey_score: float | None
    observed_score: float | None


class ReportPublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    survey: str
    as_of: str
    min_group_size: int
    overall: ReportOverall
    departments: list[ReportDepartment]


class SurveyImportPublic(BaseModel):
    """What a survey import did."""

    survey: str
    status: str
    format: str
    responses: int
    partials: int
    previews: int
    # Partial responses that stopped before the department question: left out.
    partials_without_department: int = 0
    round_date: str | None
    departments: dict[str, dict[str, int]]
    skipped: list[dict[str, object]]
    ratings: list[dict[str, str]] = []  # each column taken: id, question, scale, note
    # Responses another round already held, left out (`new_responses_only`).
    earlier_left_out: int = 0
    left_out: list[dict[str, str]] = []  # each candidate left out: id, question, why
    warnings: list[str] = []


class TicketImportPublic(BaseModel):
    """What a ticket import did."""

    name: str
    status: str
    format: str
    tickets: int
    period_start: str | None
    period_end: str | None
    repeated: int  # rows that repeated a ticket number: each ticket counted once
    columns: dict[str, str]  # field -> the column it was read from
    departments: dict[str, int]
    new_categories: list[str]
    skipped: list[dict[str, object]]
