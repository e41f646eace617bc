"""Hall administration: hall data, services, counters, staff, priority rule, thresholds.

Every edit takes the acting `Actor`, checks `Permission.ADMIN_CONFIG`, validates (a
`ValidationError` whose `field` names the input the Chinese message belongs beside),
applies the change in one unit of work, writes one `audit_log` row per changed field
(who, when, old → new) and sends the "config" change notice. Reads need
`Permission.VIEW_CONFIG` (duty managers may look, not edit) and return frozen dataclasses.

Nothing a ticket references is ever deleted: services and counters are deactivated.
Deactivating one that still has waiting customers needs a decision (`waiting=`):
"finish" (a service stops issuing, its queue is still called) or "transfer" (tickets
move to another service, or pinned tickets go back to the common queue). A change that
would leave a waiting ticket with no active counter able to call it is refused.

`AdminService` is the one entry point (`HallServices.admin`); its parts live beside it:
`models` (read models, edit requests, `NeedsDecision`), `base` (audit trail, stranding
check), `reads` (snapshot, preview), `hall` (hall, rule, thresholds), `service_types`,
`counters` and `staff`.
"""

from hall_app.services.admin.base import CONFIG_TOPIC
from hall_app.services.admin.counters import CounterAdmin
from hall_app.services.admin.hall import HallAdmin
from hall_app.services.admin.models import (
    THRESHOLD_LIMITS,
    VOICE_STATIONS,
    WEEKDAY_LABELS,
    AdminSnapshot,
    AuditEntry,
    CounterEdit,
    CounterRow,
    DayHours,
    HallEdit,
    HallSettings,
    NeedsDecision,
    PreviewLine,
    ServiceEdit,
    ServiceRow,
    StaffEdit,
    StaffRow,
    ThresholdSettings,
)
from hall_app.services.admin.reads import AdminReads
from hall_app.services.admin.service_types import ServiceTypeAdmin
from hall_app.services.admin.staff import StaffAdmin


class AdminService(AdminReads, HallAdmin, ServiceTypeAdmin, CounterAdmin, StaffAdmin):
    """Every admin read and edit on one object: `AdminService(ctx)`."""


__all__ = [
    "CONFIG_TOPIC", "THRESHOLD_LIMITS", "VOICE_STATIONS", "WEEKDAY_LABELS", "AdminService",
    "AdminSnapshot", "AuditEntry", "CounterEdit", "CounterRow", "DayHours", "HallEdit",
    "HallSettings", "NeedsDecision", "PreviewLine", "ServiceEdit", "ServiceRow", "StaffEdit",
    "StaffRow", "ThresholdSettings",
]
