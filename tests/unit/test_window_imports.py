"""What a window's first screen imports: the services it reads from, not the reporting
stack, which only the report and the day close need (≈ 95 ms of a counter's start)."""

from __future__ import annotations

import subprocess
import sys

import pytest

REPORTING = ("hall_app.metrics.service", "hall_app.metrics.daily",
             "hall_app.services.complaints")


def _printed_by_fresh_python(code: str) -> list[str]:
    """What `code`, run by a new interpreter (nothing imported yet), prints, word by word."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return out.stdout.split()


@pytest.mark.parametrize("module", ["hall_app.services.queries", "hall_app.services.overview",
                                    "hall_app.services.counters", "hall_app.services.tickets"])
def test_a_window_service_does_not_import_the_reporting_stack(module: str) -> None:
    code = (f"import sys, {module}\n"
            f"print(','.join(m for m in {REPORTING!r} if m in sys.modules))")
    assert _printed_by_fresh_python(code) == []


def test_the_metrics_package_still_offers_its_names() -> None:
    import hall_app.metrics as metrics
    from hall_app.metrics.service import ReportService

    assert metrics.ReportService is ReportService
    assert callable(metrics.write_csv)
    with pytest.raises(AttributeError):
        metrics.NoSuchName  # noqa: B018


def test_the_customer_screens_read_their_first_board_without_the_mapped_models(
        sqlite_url: str) -> None:
    """The display and the kiosk: services opened, the hall read, each board read once
    (with an outage declared, so its notice is read too) — and `db.models` (≈ 90 ms,
    7 MiB of a start) is still not imported. The actions import it after the paint."""
    from hall_app.config import Settings
    from hall_app.services import HallServices

    seeded = HallServices.open(Settings(database_url=sqlite_url, demo=True))
    manager = seeded.auth.login("2001", "2468")
    seeded.incidents.declare_outage(manager)
    seeded.close()
    code = ("import sys\n"
            "from hall_app.cli import preload_core_for_window\n"
            "from hall_app.config import Settings\n"
            "preload_core_for_window()\n"
            "from hall_app.services import HallServices\n"
            "from hall_app.services.calls import display_board, kiosk_board\n"
            f"services = HallServices.open(Settings(database_url={sqlite_url!r}, demo=True))\n"
            "services.set_role('display')\n"
            "board = display_board(services.ctx)\n"
            "kiosk = kiosk_board(services.ctx)\n"
            "print(board.outage is not None, len(kiosk.services) > 0,\n"
            "      'db.models' in sys.modules)\n")
    assert _printed_by_fresh_python(code) == ["True", "True", "False"]


def test_the_core_is_imported_without_collections_and_the_collector_is_on_again() -> None:
    """`preload_core_for_window` freezes what the import made (never scanned again) and
    leaves automatic collection as it found it: a headless `hall-app report` run, which
    has no GUI collector, keeps collecting."""
    code = ("import gc\n"
            "from hall_app.cli import preload_core_for_window\n"
            "preload_core_for_window()\n"
            "print(gc.isenabled(), gc.get_freeze_count() > 10000, gc.get_count()[0] < 1000)\n")
    assert _printed_by_fresh_python(code) == ["True", "True", "True"]
