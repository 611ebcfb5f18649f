"""The scheduling lease on PostgreSQL: a session advisory lock held on a connection of its
own. If that connection dies the lock goes with it, and another replica takes it over.

Advisory locks belong to the whole database, while a deployment's tables live in one schema
(its URL's search_path, `public` by default): the lock's key is the lease's own mixed with its
schema's name, so two deployments sharing a database in schemas of their own each tick."""

from __future__ import annotations

import contextlib
import logging
import threading

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

# An arbitrary, fixed 64-bit key naming Wolfpack's scheduling lease.
LEASE_KEY = 0x576F6C667061636B
# The key as locked: the lease's, XOR a 64-bit hash of the connection's current schema.
_KEY = "(CAST(:k AS bigint) # hashtextextended(current_schema(), 0))"


def locked_key(conn: Connection, key: int = LEASE_KEY) -> int:
    """The key the lease locks for this connection's schema (as `pg_locks` shows it)."""
    return int(conn.execute(text(f"SELECT {_KEY}"), {"k": key}).scalar_one())


class AdvisoryLease:
    def __init__(self, engine: Engine, key: int = LEASE_KEY) -> None:
        self.engine = engine
        self.key = key
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def acquire(self) -> bool:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.execute(text("SELECT 1"))
                    self._conn.commit()
                    return True
                except Exception:
                    log.warning("lost the scheduling lease's connection; trying to take it again")
                    self._drop()
            conn = self.engine.connect()
            try:
                held = bool(
                    conn.execute(
                        text(f"SELECT pg_try_advisory_lock{_KEY}"), {"k": self.key}
                    ).scalar()
                )
                conn.commit()
            except Exception:
                conn.close()
                raise
            if not held:
                conn.close()
                return False
            self._conn = conn
            log.info("this process holds the scheduling lease")
            return True

    def release(self) -> None:
        with self._lock:
            if self._conn is None:
                return
            try:
                self._conn.execute(text(f"SELECT pg_advisory_unlock{_KEY}"), {"k": self.key})
                self._conn.commit()
            except Exception:
                # A dead connection has released the lock already.
                log.info("the scheduling lease's connection was gone at release")
            finally:
                self._drop()

    @property
    def held(self) -> bool:
        return self._conn is not None

    def _drop(self) -> None:
        if self._conn is not None:
            # The connection may already be broken; closing is best effort.
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
