"""The audit trail's API: its serializers (also used by every resource's ``/events`` and ``/as-of``) and
the read-only ``/audit-events`` viewset. Importing this package imports neither, so that ``api.*`` can
use the serializers without a cycle through the viewset."""
