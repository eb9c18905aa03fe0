"""A real PostgreSQL server for tests: one throwaway cluster per test session, made with `initdb`
in a temporary folder and started with `pg_ctl` on 127.0.0.1 (a free port); each test gets a
fresh database made from a template (`CREATE DATABASE ... TEMPLATE ...`).

`initdb` refuses to run as root: as root, the server's commands run as the unprivileged
`postgres` system user (`runuser -u postgres`), which owns the folder. Connections over TCP
need the password (SCRAM); the socket folder is trusted (only the server's user reaches it).

Skipped with a clear reason only when the PostgreSQL binaries are absent (`.ci/run` installs
Debian's `postgresql`).
"""

from __future__ import annotations

import itertools
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

USER = "relance"
# Stops the server and deletes its folder once its stdin reaches end of file: when the test
# session closes the pipe, or when the test process dies in any way (killed, a timeout). A
# throwaway cluster never outlives its session on a shared machine.
_WATCHDOG = """
import shutil, subprocess, sys
sys.stdin.buffer.read()
subprocess.run(sys.argv[2:], capture_output=True, timeout=120, cwd=sys.argv[1])
shutil.rmtree(sys.argv[1], ignore_errors=True)
"""
SCHEMA_TEMPLATE = "relance_schema"  # the current relance schema, versions recorded
EMPTY_TEMPLATE = "template0"  # nothing in it: for `relance migrate --to`


def postgres_bin_dir() -> Path | None:
    """The folder holding `initdb` and `pg_ctl` (Debian keeps them off the PATH), newest first."""
    found = shutil.which("pg_ctl")
    if found and Path(found).with_name("initdb").exists():
        return Path(found).parent
    roots = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    return next((p for p in roots if (p / "initdb").exists() and (p / "pg_ctl").exists()), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_user() -> str | None:
    """The system user the server runs as: `postgres` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise RuntimeError(
            "running as root and no `postgres` system user: initdb refuses root"
        ) from exc
    return "postgres"


@dataclass
class PostgresCluster:
    bin_dir: Path
    root: Path
    port: int
    password: str
    run_as: str | None
    watchdog: subprocess.Popen[bytes] | None = None
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str, *, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"postgresql://{USER}:{secret}@127.0.0.1:{self.port}/{database}"

    def _command(self, *args: str) -> list[str]:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        return [*prefix, *args]

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._command(str(self.bin_dir / tool), *args),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            cwd=str(self.root),
        )

    def admin(self, sql: str) -> None:
        """Run a statement in the `postgres` database (autocommit: CREATE/DROP DATABASE)."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def new_database(self, template: str) -> str:
        name = f"t{os.getpid()}_{next(self._names)}"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop_command(self) -> list[str]:
        pg_ctl = str(self.bin_dir / "pg_ctl")
        return self._command(pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        if self.watchdog is not None and self.watchdog.stdin is not None:
            self.watchdog.stdin.close()  # the watchdog stops the server
            self.watchdog.wait(timeout=150)
        else:
            cwd = str(self.root)
            subprocess.run(self.stop_command(), capture_output=True, timeout=120, cwd=cwd)
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster(
    bin_dir: Path, prepare_template: Callable[[str], None] | None = None
) -> PostgresCluster:
    """initdb + start on a free port. `prepare_template(url)` fills the schema template."""
    run_as = _server_user()
    root = Path(tempfile.mkdtemp(prefix="relance-pg-"))
    if run_as:
        entry = pwd.getpwnam(run_as)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    password = secrets.token_urlsafe(16)
    cluster = PostgresCluster(bin_dir, root, _free_port(), password, run_as)
    pwfile = root / "pwfile"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if run_as:
        os.chown(pwfile, pwd.getpwnam(run_as).pw_uid, -1)
    try:
        cluster.run(
            "initdb", "-D", str(cluster.data), "-U", USER, "--pwfile", str(pwfile),
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
        pwfile.unlink()
        options = (
            f"-h 127.0.0.1 -p {cluster.port} -k {root} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off"
        )
        cluster.run(
            "pg_ctl", "-D", str(cluster.data), "-l", str(root / "server.log"), "-o", options,
            "-w", "-t", "60", "start",
        )  # fmt: skip
        cluster.watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(root), *cluster.stop_command()],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # not stopped by a Ctrl-C meant for the tests
        )  # fmt: skip
        cluster.admin(f'CREATE DATABASE "{SCHEMA_TEMPLATE}"')
        if prepare_template is not None:
            prepare_template(cluster.url(SCHEMA_TEMPLATE))
    except subprocess.CalledProcessError as exc:
        log_file = root / "server.log"
        log = log_file.read_text(errors="replace") if log_file.exists() else ""
        cluster.stop()
        raise RuntimeError(f"PostgreSQL test cluster failed: {exc.stderr}\n{log[-2000:]}") from exc
    except BaseException:
        cluster.stop()
        raise
    return cluster
