"""The core and the database layer never load Qt (they run headless and in tests)."""

from __future__ import annotations

import subprocess
import sys


def test_core_and_db_import_without_pyside6():
    code = (
        "import sys, hall_app, db, hall_app.cli, hall_app.services, hall_app.scripts, "
        "hall_app.demo.seed, hall_app.demo.simulate, db.models, db.queue, db.changes, "
        "hall_app.feeds, hall_app.services.ratings, hall_app.services.ratings.bind_cli, "
        "hall_app.metrics.satisfaction, hall_app.metrics.satisfaction_tables\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
