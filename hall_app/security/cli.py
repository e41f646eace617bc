"""`hall-app audit verify` and `hall-app privacy purge`.

`audit verify` recomputes the hall's hash chains and seals (`hall_app.security.history`)
and prints `ok` or the first broken link (table, key, time, what is wrong); exit code 0
when intact, 1 when not. When intact it then seals what was written since the last seal.

`privacy purge` anonymises the complaints past their retention (`security.
complaint_retention_months`, or `--months`; a shorter period than configured needs an
administrator's login, `--staff`).
"""

from __future__ import annotations

from typing import Any

from hall_app.config import Settings
from hall_app.domain.roles import Permission


def _context(settings: Settings):  # type: ignore[no-untyped-def]
    from db.engine import Database
    from db.migrate import upgrade
    from hall_app.services.context import ServiceContext

    database = Database(settings.database_url)
    upgrade(database)
    return ServiceContext(database, settings)


def audit_verify_main(args: Any, settings: Settings) -> int:
    from hall_app.security.history import seal_history, verify_history

    ctx = _context(settings)
    try:
        with ctx.read() as s:
            report = verify_history(s, ctx.hall.id, ctx.hall.code, ctx.hall.tz)
        if report.ok:
            with ctx.write() as s:
                seal = seal_history(s, ctx.hall.id, ctx.now())
            if seal is not None:
                report.seals, report.last_seal_hash = seal.seq, seal.seal_hash
        print(report.summary())
        return 0 if report.ok else 1
    finally:
        ctx.db.dispose()


def privacy_purge_main(args: Any, settings: Settings) -> int:
    from hall_app.config_io import _admin_login
    from hall_app.security.privacy import purge_complaints

    ctx = _context(settings)
    try:
        configured = settings.security.complaint_retention_months
        months = getattr(args, "months", None) or configured
        staff_id = None
        if months < configured:
            actor = _admin_login(ctx.db, settings, ctx.hall.code, getattr(args, "staff", None))
            staff_id = actor.staff_id
            with ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
                result = purge_complaints(s, ctx.hall.id, ctx.now(), months, staff_id)
        else:
            with ctx.write() as s:
                result = purge_complaints(s, ctx.hall.id, ctx.now(), months)
        print(result.summary(ctx.hall.code))
        return 0
    finally:
        ctx.db.dispose()
