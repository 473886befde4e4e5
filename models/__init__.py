"""Declarative models, one module per domain; importing this registers every table.

Every model class carries a `__console__` dict read by the generated master-data
console (labels, list columns, search, filters); see views/console.py.
"""

from flask_appbuilder.security.sqla import models as _fab_security  # noqa: F401

from models.applicants import EmailVerification, InstitutionProfile  # noqa: F401
from models.audit import AuditLog  # noqa: F401
from models.base import Model, TimestampMixin  # noqa: F401
from models.calendar import Holiday, OfficeHours  # noqa: F401
from models.case import (  # noqa: F401
    Case,
    CaseRequirement,
    CaseStatus,
    Certificate,
    CertificateCounter,
    ControlCardEntry,
    DocumentNumber,
    InspectionReport,
    RequirementScan,
)
from models.complaint import Complaint, ComplaintEvent  # noqa: F401
from models.delegation import Delegation  # noqa: F401
from models.job import ExportJob, StoredBlob  # noqa: F401
from models.notification import OutboxMessage  # noqa: F401
from models.office import Office  # noqa: F401
from models.people import Applicant, Institution, Personnel  # noqa: F401
from models.service import (  # noqa: F401
    Executor,
    FormField,
    Requirement,
    Service,
    ServiceComponent,
    ServiceExecutor,
    Step,
    step_executor,
)
from models.session import UserSessionVersion  # noqa: F401
from models.survey import SurveyFollowUp, SurveyInvitation, SurveyResponse  # noqa: F401
