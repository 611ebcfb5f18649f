"""The scheduler and Socket Mode in one `wolfpack run` process on SQLite: prompts that fall due
while the socket is down and being reopened are sent once each, and the socket comes back."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.simulate import SocketSide
from tests.conftest import FixedClock
from tests.e2e.test_socket_mode import ACK_LIMIT, run_socket_mode
from tests.scheduler.test_replicas import assert_one_dm_each, due_two_minutes_ago, pack_of

MEMBERS = ["UM001", "UM002", "UM003"]


def test_prompts_due_while_the_socket_reconnects_are_sent_once(
    tmp_path: Path, sqlite_template: Path, clock: FixedClock
) -> None:
    database = tmp_path / "wolfpack.db"
    shutil.copy(sqlite_template, database)
    with (
        FakeSlack() as fake,
        run_socket_mode(fake, database, tmp_path, "--tick-seconds", "1") as running,
    ):
        fake.socket.wait_connected(timeout=30)
        # The socket dies and Slack refuses new ones for now: the bot is reconnecting.
        fake.socket.refuse_connections(120)
        fake.socket.drop()
        # Meanwhile a pack's prompts fall due (its check-in time two minutes ago).
        pack_of(f"sqlite:///{database}", fake, clock, MEMBERS, due_two_minutes_ago())
        fake.wait_for(lambda f: all(f.messages(f"D{u}") for u in MEMBERS), timeout=30)
        assert fake.socket.connected == 0
        fake.socket.accept_connections()
        fake.socket.wait_connected(opened=2, timeout=60)
        side = SocketSide(fake.socket)
        reply, _ = side.command("/checkin", "help", user=MEMBERS[0], channel="CTEAM")
        assert "/checkin away" in reply.message()["text"] and reply.elapsed < ACK_LIMIT
        # Many ticks have run since the prompts went out: still one each.
        assert_one_dm_each(fake, MEMBERS)
        assert running.stop() == 0, running.log.read_text()
    assert "Traceback" not in running.log.read_text()
