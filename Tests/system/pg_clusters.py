"""A throwaway PostgreSQL primary and its streaming replica for the system tests (issue 19), made with
Debian's PostgreSQL binaries (initdb, pg_basebackup, pg_ctl) on loopback ports, run as the `postgres`
user when the suite runs as root. Nothing of the shared test cluster is copied.

Used only when RAVAO_TEST_POSTGRES is set (PostgreSQL tests are on).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from ravao_system import free_port

BINDIR = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)


def as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    result = subprocess.run(prefix + args, capture_output=True, text=True, timeout=180, **kwargs)
    assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


class Cluster:
    def __init__(self, root: Path, name: str):
        self.dir = root / name
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-c port={self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir}"
        as_postgres([f"{BINDIR}/pg_ctl", "-D", str(self.dir), "-o", options, "-l", str(self.dir / "server.log"), "-w", "start"])

    def stop(self) -> None:
        subprocess.run((["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])
                       + [f"{BINDIR}/pg_ctl", "-D", str(self.dir), "-m", "immediate", "stop"], capture_output=True, timeout=60)

    def sql(self, statement: str) -> str:
        result = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", self.url, "-c", statement],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()


@pytest.fixture(scope="module")
def clusters():
    """(primary, replica), both started; stopped and removed after the module."""
    if not os.environ.get("RAVAO_TEST_POSTGRES"):
        pytest.skip("PostgreSQL tests are off (RAVAO_TEST_POSTGRES is not set)")
    if not BINDIR or not shutil.which("psql"):
        pytest.fail("RAVAO_TEST_POSTGRES is set but PostgreSQL's server binaries are not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="ravao-replica-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary, replica = Cluster(root, "primary"), Cluster(root, "replica")
    try:
        as_postgres([f"{BINDIR}/initdb", "-D", str(primary.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        primary.start()
        as_postgres([f"{BINDIR}/pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                     "-D", str(replica.dir), "-R", "-X", "stream", "-c", "fast"])
        replica.start()
        assert replica.sql("SELECT pg_is_in_recovery()") == "t"
        yield primary, replica
    finally:
        replica.stop()
        primary.stop()
        shutil.rmtree(root, ignore_errors=True)


