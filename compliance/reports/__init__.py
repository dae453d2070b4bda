"""Reports for auditors: the Excel workbook and the PDF reports, and the exports that make them.

- ``scope``: what belongs to an authority (providers, subjects, audit events) for a period;
- ``workbook``: the streamed Excel workbook; ``pdf``: the provider dossier, procedure report and
  period report;
- ``services``: requesting and running an export (stored file, checksum, audit event);
- ``selectors``: which exports a user may see; ``tasks``: the background task.
"""
