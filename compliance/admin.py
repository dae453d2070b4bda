"""The compliance admin is the admin of its sub-packages; each registers its own models."""

from compliance.conditions import admin as conditions_admin  # noqa: F401
from compliance.documents import admin as documents_admin  # noqa: F401
from compliance.fraud import admin as fraud_admin  # noqa: F401
from compliance.reports import admin as reports_admin  # noqa: F401
