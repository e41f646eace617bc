"""The duty manager's hall inspection (巡检, seed 002): the checklist data and its rules.

checklist   load and validate resources/inspection/checklist.toml (times, areas, items)
rules       the round / item state machine (pure)

The service is `hall_app.services.inspection.InspectionService`.
"""

from hall_app.inspection.checklist import Area, Checklist, ChecklistItem, load_checklist

__all__ = ["Area", "Checklist", "ChecklistItem", "load_checklist"]
