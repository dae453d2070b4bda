"""Reports for auditors: the Excel workbook and the PDF reports, and the exports that make them.

- ``scope``: what belongs to an authority (providers, subjects, audit events) for a period;
- ``workbook``: the streamed Excel workbook; ``pdf/``: the provider dossier, procedure report and
  period report (a module each, on the builder in ``pdf/common``);
- ``history``: how a subject stood on a past date; ``command``: what the ``export_*`` commands share;
- ``services``: requesting and running an export (stored file, checksum, audit event);
- ``selectors``: which exports a user may see; ``tasks``: the background task.
"""
