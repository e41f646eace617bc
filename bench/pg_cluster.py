"""Throwaway PostgreSQL clusters on loopback ports, ready for logical replication.

Used by the district's end-to-end test and bench/district.py:

    base = cluster_base()                          # a /tmp folder the server user can enter
    cluster = Cluster(base / "hall1", 55501).start()
    url = cluster.create_database("hall")        # postgresql+psycopg://postgres@…/hall
    cluster.stop(); cluster.start()               # a district outage and its end
    cluster.destroy()

`initdb` refuses to run as root, so as root every server command runs as `postgres`
(like .ci/start_pg.sh). `binaries()` is None when PostgreSQL is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

SETTINGS = {
    "wal_level": "logical",
    "max_replication_slots": "16",
    "max_wal_senders": "16",
    "max_logical_replication_workers": "16",
    "max_worker_processes": "24",
    "max_connections": "100",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "32MB",
    "listen_addresses": "127.0.0.1",
    "wal_retrieve_retry_interval": "1s",
}


def binaries() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                        key=lambda p: [int(x) for x in p.parent.name.split(".") if x.isdigit()])
    for path in reversed(candidates):
        if (path / "initdb").exists() and (path / "pg_ctl").exists():
            return path
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def cluster_base(prefix: str = "hall-district-") -> Path:
    """A fresh folder for clusters, which the server user (postgres) can reach."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path


def _as_server_user() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class Cluster:
    def __init__(self, directory: Path, port: int, extra: dict[str, str] | None = None) -> None:
        self.dir = directory
        self.port = port
        self.settings = {**SETTINGS, **(extra or {})}
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL binaries not found")
        self.bin = bin_dir

    def _run(self, *args: str) -> None:
        done = subprocess.run([*_as_server_user(), *args], capture_output=True, text=True,
                              timeout=120)
        if done.returncode:
            raise RuntimeError(f"{Path(args[0]).name} failed ({done.returncode}): "
                               f"{(done.stderr or done.stdout).strip()[-500:]}")

    def start(self) -> Cluster:
        if not (self.dir / "PG_VERSION").exists():
            self.dir.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.dir, "postgres", "postgres")
            self._run(str(self.bin / "initdb"), "-D", str(self.dir), "-U", "postgres",
                      "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
        options = " ".join(f"-c {k}={v}" for k, v in self.settings.items())
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir), "-l",
                  str(self.dir / "server.log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.dir} {options}", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        if (self.dir / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database: str = "postgres", user: str = "postgres",
            password: str | None = None) -> str:
        auth = f"{user}:{password}" if password else user
        return f"postgresql+psycopg://{auth}@127.0.0.1:{self.port}/{database}"

    def conninfo(self, database: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} dbname={database} user=postgres"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
