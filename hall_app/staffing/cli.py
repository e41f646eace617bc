"""`hall-app staffing plan --date D [--csv FILE] [--reps N]`: the day's staffing advice."""

from __future__ import annotations

import argparse
from pathlib import Path

from hall_app.config import Settings


def plan_main(args: argparse.Namespace, settings: Settings) -> int:
    from hall_app.services import HallServices
    from hall_app.staffing.service import StaffingService
    from hall_app.staffing.table import plan_text, write_csv

    services = HallServices.open(settings)
    try:
        plan = StaffingService(services.ctx).plan(args.date, reps=args.reps)
    finally:
        services.close()
    print(plan_text(plan))
    if args.csv:
        write_csv(plan, Path(args.csv))
        print(f"已导出CSV:{args.csv}")
    return 0
