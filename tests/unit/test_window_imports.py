"""What a window's first screen imports: the services it reads from, not the reporting
stack, which only the report and the day close need (≈ 95 ms of a counter's start)."""

from __future__ import annotations

import subprocess
import sys

import pytest

REPORTING = ("hall_app.metrics.service", "hall_app.metrics.daily",
             "hall_app.services.complaints")


@pytest.mark.parametrize("module", ["hall_app.services.queries", "hall_app.services.overview",
                                    "hall_app.services.counters", "hall_app.services.tickets"])
def test_a_window_service_does_not_import_the_reporting_stack(module: str) -> None:
    code = (f"import sys, {module}\n"
            f"print(','.join(m for m in {REPORTING!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_the_metrics_package_still_offers_its_names() -> None:
    import hall_app.metrics as metrics
    from hall_app.metrics.service import ReportService

    assert metrics.ReportService is ReportService
    assert callable(metrics.write_csv)
    with pytest.raises(AttributeError):
        metrics.NoSuchName  # noqa: B018
