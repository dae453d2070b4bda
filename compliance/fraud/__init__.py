"""Fraud signals from production data: import of allocation and declaration lines
(``importer``), pseudonymisation of client identifiers (``pseudonym``), the set-based rules
(``rules``) and their run (``engine``), the signal's state machine and follow-up (``services``),
and a generator of synthetic production data (``generator``)."""
