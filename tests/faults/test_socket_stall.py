"""A Socket Mode connection that goes silent (no reset, no close: pings unanswered) is given up
by `wolfpack run` and replaced, and what Slack held for the app arrives on the new socket."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from bot.devtools.simulate import SocketSide
from tests.conftest import BO, CHANNEL, TEAM, team_workspace
from tests.e2e.test_socket_mode import ACK_LIMIT, run_socket_mode


def test_a_silent_socket_is_replaced_and_held_envelopes_arrive(
    tmp_path: Path, sqlite_template: Path
) -> None:
    database = tmp_path / "wolfpack.db"
    shutil.copy(sqlite_template, database)
    with (
        team_workspace() as fake,
        run_socket_mode(fake, database, tmp_path, "--no-scheduler") as running,
    ):
        fake.socket.wait_connected(timeout=30)
        stalled_at = time.monotonic()
        fake.socket.stall(120)
        side = SocketSide(fake.socket, team_id=TEAM, ack_timeout=45)
        # Sent while the socket is silent: Slack holds it for a socket that answers.
        reply, _ = side.command("/checkin", "help", user=BO, channel=CHANNEL)
        replaced_after = time.monotonic() - stalled_at
        assert "/checkin away" in reply.message()["text"]
        assert fake.socket.connections_opened == 2
        # slack_sdk gives a socket up after 4 ping intervals (5 s each) with no pong.
        assert 15 < replaced_after < 40, replaced_after
        assert reply.elapsed < ACK_LIMIT
        assert running.stop() == 0, running.log.read_text()
    assert "Traceback" not in running.log.read_text()
