"""A throw-away PostgreSQL server for the tests, from the Debian `postgresql` package.

`PgServer.start()` runs initdb into a fresh temp directory, starts the server on a free port
on 127.0.0.1 (socket in the temp directory, trust authentication, durability off: it is
disposable), and `stop()` shuts it down and removes the directory. The server is a child process that the
kernel stops if the test process dies without tearing down. PostgreSQL refuses to
run as root, so as root the server runs as the `postgres` system user (created by the
package) with the directory owned by it.

Binaries: $WORKBENCH_PG_BIN if set, else the newest /usr/lib/postgresql/<ver>/bin, else
whatever `initdb` is on PATH.
"""

from __future__ import annotations

import ctypes
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

SUPERUSER = "wb"


def find_bin_dir() -> Path | None:
    configured = os.environ.get("WORKBENCH_PG_BIN")
    if configured:
        return Path(configured) if (Path(configured) / "initdb").exists() else None
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")

    def version(path: str) -> tuple[int, ...]:
        ver = Path(path).parent.parent.name
        return tuple(int(p) for p in ver.split(".") if p.isdigit())

    if found:
        return Path(max(found, key=version)).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _die_with_parent() -> None:
    """In the server's child process: ask the kernel for SIGQUIT when our parent exits."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGQUIT)   # PR_SET_PDEATHSIG; Linux only, harmless elsewhere
    except (OSError, AttributeError):
        pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.base: Path | None = None
        self.port: int | None = None
        self._run_as: str | None = None

    # --- process control --------------------------------------------------------------
    def _cmd(self, tool: str, *args: str) -> list[str]:
        cmd = [str(self.bin_dir / tool), *args]
        if self._run_as:
            cmd = ["runuser", "-u", self._run_as, "--", *cmd]
        return cmd

    def _run(self, tool: str, *args: str) -> None:
        proc = subprocess.run(self._cmd(tool, *args), capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            log = ""
            if self.base and (self.base / "server.log").exists():
                log = (self.base / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{tool} failed ({proc.returncode}): {proc.stderr.strip()} {log}")

    def start(self) -> "PgServer":
        as_root = os.geteuid() == 0
        # as root the server runs as `postgres`, which must reach the directory: use /tmp
        # itself rather than a $TMPDIR that may sit under /root
        self.base = Path(tempfile.mkdtemp(prefix="workbench-pg-", dir="/tmp" if as_root else None))
        if as_root:
            self._run_as = "postgres"
            entry = pwd.getpwnam(self._run_as)  # KeyError: no postgres user -> package missing
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
        data = self.base / "data"
        self._run("initdb", "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")
        last_error = ""
        for _attempt in range(5):  # a port picked free can be taken before the server binds it
            self.port = _free_port()
            if self._launch(data):
                return self
            last_error = (self.base / "server.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"PostgreSQL did not start: {last_error}")

    def _launch(self, data: Path) -> bool:
        """Run `postgres` as our child. It gets SIGQUIT (immediate shutdown) if the test
        process dies without tearing down (killed by a CI timeout, say), so no server is
        left running; pg_ctl would have detached it."""
        log = open(self.base / "server.log", "ab")
        kwargs = {}
        if self._run_as:
            kwargs = {"user": self._run_as, "group": pwd.getpwnam(self._run_as).pw_gid, "extra_groups": []}
        self._proc = subprocess.Popen(
            [str(self.bin_dir / "postgres"), "-D", str(data), "-p", str(self.port), "-k", str(self.base),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off", "-c", "max_connections=200"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent, **kwargs)
        log.close()
        import psycopg

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                return False
            try:
                psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres",
                                connect_timeout=2).close()
                return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        self._proc.kill()
        self._proc.wait()
        return False

    def stop(self) -> None:
        if self.base is None:
            return
        proc = getattr(self, "_proc", None)
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)          # fast shutdown: disconnect clients, exit
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None

    # --- databases --------------------------------------------------------------------
    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def _admin(self):
        import psycopg

        return psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres",
                               autocommit=True)

    def create_database(self, prefix: str = "t") -> str:
        """A fresh empty database; returns its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
