"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, a Unix socket, stopped at the end.

Why a cluster of our own: the tests must run in CI from a clean clone, where
no server is running, and must never touch a database someone else uses.
The server listens only on a socket inside its own folder (no TCP port), and
runs as an unprivileged user when the tests run as root (PostgreSQL refuses
to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def find_binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, or None when PostgreSQL is not installed."""
    candidates = [Path(p).parent for p in (shutil.which("initdb"), shutil.which("pg_ctl")) if p]
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if all((folder / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


#: A role the cluster asks for a password (``scram-sha-256``); tests create it as they need it.
PASSWORD_ROLE = "mit_passwort"

HOW_TO_GET = (
    "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; install them "
    "(Debian: apt-get install postgresql) to run the PostgreSQL half of the storage tests"
)


@dataclass
class Cluster:
    folder: Path
    bin: Path
    user: str | None  # the unprivileged user the server runs as, when started by root

    @property
    def socket_dir(self) -> str:
        return str(self.folder)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)

    def start(self) -> None:
        data = self.folder / "data"
        done = self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr[-2000:]}")
        # one role must give a password (for the wrong-password test); every other role is trusted
        hba = data / "pg_hba.conf"
        self._run(
            "sh",
            "-c",
            f"printf 'local all {PASSWORD_ROLE} scram-sha-256\\n' | cat - {hba} > {hba}.new && mv {hba}.new {hba}",
        )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories={self.socket_dir} -c fsync=off"
            " -c max_connections=300 -c full_page_writes=off -c synchronous_commit=off"
        )
        done = self._run(
            str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"
        )
        if done.returncode:
            log = (self.folder / "log").read_text(errors="replace") if (self.folder / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stderr[-2000:]} {log[-2000:]}")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host={self.socket_dir} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster:
    """Start a new cluster; raises RuntimeError (or returns None via find_binaries) when it cannot."""
    binaries = find_binaries()
    if binaries is None:
        raise FileNotFoundError(HOW_TO_GET)
    folder = Path(tempfile.mkdtemp(prefix="qtpg", dir="/tmp"))  # short: socket paths are limited to 107 bytes
    user = None
    if os.geteuid() == 0:
        user = "postgres" if _user_exists("postgres") else "nobody"
        info = pwd.getpwnam(user)
        os.chown(folder, info.pw_uid, info.pw_gid)
    cluster = Cluster(folder, binaries, user)
    try:
        cluster.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return cluster


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
