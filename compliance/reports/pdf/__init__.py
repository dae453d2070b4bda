"""PDF reports (reportlab): the provider dossier, the procedure report and the period report.

- ``common``: the ``Report`` builder (styles, tables, charts), formatting and timeline helpers;
- ``dossier``, ``procedure``, ``period``: one module per report.
"""

from compliance.reports.pdf.dossier import provider_dossier
from compliance.reports.pdf.period import period_report
from compliance.reports.pdf.procedure import procedure_report

__all__ = ["period_report", "procedure_report", "provider_dossier"]
