"""The PostgreSQL server the tests start for themselves (tests/postgres_server.py)."""

from __future__ import annotations

import os
import pwd
import re
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store.db import make_engine
from tests import postgres_server
from tests.postgres_server import PostgresError


def test_a_server_of_its_own_answers_on_its_url_and_is_gone_after_stop() -> None:
    server = postgres_server.start()
    try:
        engine = make_engine(server.url)
        try:
            with engine.connect() as conn:
                fsync, folder = conn.execute(
                    text("SELECT current_setting('fsync'), current_setting('data_directory')")
                ).one()
        finally:
            engine.dispose()
        assert fsync == "off"
        assert Path(folder).is_relative_to(server.folder)
        if os.geteuid() == 0:  # postgres refuses root: it runs as nobody
            assert Path(folder).stat().st_uid == pwd.getpwnam("nobody").pw_uid
    finally:
        server.stop()
    assert not server.folder.exists()
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", server.port)),
    ):
        pass


def test_a_server_that_cannot_start_says_why_and_leaves_nothing_behind() -> None:
    with pytest.raises(PostgresError) as failed:
        postgres_server.start({**postgres_server.SETTINGS, "max_connections": "many"})
    message = str(failed.value)
    assert 'invalid value for parameter "max_connections"' in message  # from the server's log
    log = re.search(r"--- the end of (\S+) ---", message)
    assert log is not None
    assert not Path(log[1]).parent.exists()


def test_a_folder_the_server_user_cannot_enter_is_named() -> None:
    # Not under tmp_path: pytest's own folder is closed to other users already.
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o701)  # others may pass through
        closed = Path(folder) / "closed"
        closed.mkdir(mode=0o700)
        program = closed / "postgres"
        program.touch(mode=0o755)
        nobody = pwd.getpwnam("nobody")
        postgres_server.check_reachable(Path(folder), nobody)
        with pytest.raises(PostgresError, match=f"cannot reach {program}: {closed} has mode drwx"):
            postgres_server.check_reachable(program, nobody)


def test_a_server_left_by_a_killed_test_process_is_stopped_by_the_next_start() -> None:
    left = postgres_server.start()
    dead = subprocess.Popen(["true"])  # a process id that is no longer running
    dead.wait()
    (left.folder / postgres_server.OWNER).write_text(str(dead.pid))
    mine = postgres_server.start()
    try:
        assert not left.folder.exists()
        with (
            pytest.raises(ConnectionRefusedError),
            socket.create_connection(("127.0.0.1", left.port)),
        ):
            pass
        # A live owner's server is left alone.
        assert mine.folder.exists()
        assert postgres_server.sweep_abandoned(mine.user) == []
    finally:
        mine.stop()
        left.stop()
