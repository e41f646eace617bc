"""HallServices builds each service on first use: a window imports only what it calls."""

from __future__ import annotations

import threading

from hall_app.config import Settings
from hall_app.services import HallServices
from hall_app.services.context import ServiceContext


def test_services_are_built_on_first_use_once_and_warm_builds_them(tmp_path):
    from db.engine import Database

    database = Database(f"sqlite+pysqlite:///{tmp_path / 'hall.db'}")
    services = HallServices(ServiceContext(database, Settings(database_url=database.url)))
    try:
        assert "tickets" not in vars(services) and "complaints" not in vars(services)
        tickets = services.tickets
        assert services.tickets is tickets  # built once
        assert services.tickets.forecast is services.forecast  # shared, as before
        assert "complaints" not in vars(services)
        services.warm("complaints", "overview")
        assert {"complaints", "overview"} <= set(vars(services))
        # Many threads at once still get one instance.
        seen: list[object] = []
        threads = [threading.Thread(target=lambda: seen.append(services.admin))
                   for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len({id(x) for x in seen}) == 1
    finally:
        services.close()
