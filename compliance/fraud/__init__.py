"""Fraud signals from production data: import of allocation and declaration lines (``importer``, its
PostgreSQL fast lane ``fastlane``, the file's ``columns`` and the checks of one row in ``lines``),
pseudonymisation of client identifiers (``pseudonym``), the set-based rules (the ``rules`` package, a
module per rule family) and their run (``engine``), the signal's state machine and follow-up
(``services``). Synthetic production data comes from ``devtools.production_generator``."""
