from .audit import AuditChainHead, AuditEvent
from .conditions import (
    Condition,
    ConditionAdjustment,
    ConditionCategory,
    ConditionEvaluation,
    ConditionRequirement,
    DecisionMethod,
    EvaluationOutcome,
    Metric,
    OfficerJudgement,
    ProviderAnnualFigures,
    ProviderDeclaration,
    Waiver,
    WaiverStatus,
)
from .documents import AccountabilityDocument, DocumentStatus, DocumentType
from .reports import Export, ExportKind, ExportStatus
from .signals import FraudSignal, SignalSeverity, SignalStatus

__all__ = [
    "AccountabilityDocument",
    "AuditChainHead",
    "AuditEvent",
    "Condition",
    "ConditionAdjustment",
    "ConditionCategory",
    "ConditionEvaluation",
    "ConditionRequirement",
    "DecisionMethod",
    "DocumentStatus",
    "DocumentType",
    "EvaluationOutcome",
    "Export",
    "ExportKind",
    "ExportStatus",
    "FraudSignal",
    "Metric",
    "OfficerJudgement",
    "ProviderAnnualFigures",
    "ProviderDeclaration",
    "SignalSeverity",
    "SignalStatus",
    "Waiver",
    "WaiverStatus",
]
