"""What start-up meets outside the process, told in one line (a StartupError) instead of a
traceback: a database that cannot be reached, opened or logged into, a port that cannot be
bound. Only these expected failures are translated; anything else keeps its traceback."""

from __future__ import annotations

import contextlib
import errno
import logging
import re
import socket
from collections.abc import Iterator
from pathlib import Path

from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from bot.config import SUPPORTED_DATABASES, ConfigError, StartupError
from bot.store.db import make_engine, schema_revision, upgrade

log = logging.getLogger(__name__)

HIDDEN = "***"


def shown_url(url: str) -> str:
    """The URL with its password (in the address or the query) replaced by ***."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "(not a database URL)"
    if "password" in parsed.query:
        parsed = parsed.update_query_dict({"password": HIDDEN})
    return parsed.render_as_string(hide_password=True).replace("%2A%2A%2A", HIDDEN)


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """The engine for DATABASE_URL. With `migrate`, it connects at once and applies pending
    migrations, so an unreachable database stops start-up here, in one line."""
    try:
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError):
        raise ConfigError(f"DATABASE_URL: {SUPPORTED_DATABASES}") from None
    if not migrate:
        return engine
    try:
        before = schema_revision(engine)
        upgrade(engine)
        after = schema_revision(engine)
    except OperationalError as error:
        engine.dispose()
        raise database_error(url, error) from error
    except CommandError as error:
        engine.dispose()
        raise StartupError(
            f"DATABASE_URL {shown_url(url)}: its schema is at a migration this version does not "
            f"have ({error}): run the release that wrote it, or a newer one"
        ) from error
    if before == after:  # the usual start: nothing to say
        log.debug("database %s: schema up to date (%s)", where_stored(url), after)
    else:
        was = f"migration {before}" if before else "an empty database"
        log.info("database %s: schema upgraded from %s to %s", where_stored(url), was, after)
    return engine


def where_stored(url: str) -> str:
    """The URL as shown, and for a SQLite file its full path (a relative one is relative to
    the directory the command runs in)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return f"{shown_url(url)} (the file {Path(str(parsed.database)).resolve()})"
    return shown_url(url)


def database_error(url: str, error: OperationalError) -> StartupError:
    """One line saying what went wrong reaching the database and what to do about it."""
    parsed = make_url(url)
    where = f"DATABASE_URL {shown_url(url)}"
    said = str(error.orig)
    if parsed.password:
        said = said.replace(str(parsed.password), HIDDEN)
    if parsed.get_backend_name() == "sqlite":
        return StartupError(
            f"{where}: cannot open the SQLite file ({said}): make sure its folder exists and "
            "this user may write there, or set DATABASE_URL to another path"
        )
    address = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    if "Connection refused" in said:
        return StartupError(
            f"{where}: nothing answers at {address} (connection refused): start PostgreSQL "
            "there, or correct the host and port in DATABASE_URL"
        )
    if "timeout expired" in said:
        return StartupError(
            f"{where}: nothing answered at {address} in time (connection timeout): check the "
            "host and port in DATABASE_URL, and that no firewall drops the connection"
        )
    if re.search(r"resolve host|translate host name|Name or service not known", said):
        return StartupError(
            f"{where}: the host {parsed.host} is unknown: correct the host in DATABASE_URL"
        )
    missing = re.search(r'database "([^"]*)" does not exist', said)
    if missing:
        return StartupError(
            f"{where}: the server at {address} has no database {missing.group(1)}: create it "
            f"(createdb {missing.group(1)}) or name an existing one in DATABASE_URL"
        )
    refused = re.search(
        r"(password authentication failed[^\n]*|role \"[^\"]*\" does not exist"
        r"|no pg_hba\.conf entry[^\n]*|password[^\n]*not provided|authentication failed[^\n]*)",
        said,
    )
    if refused:
        return StartupError(
            f"{where}: the server at {address} refused the login ({refused.group(1)}): "
            "correct the user name and password in DATABASE_URL"
        )
    first = said.strip().splitlines()[0] if said.strip() else type(error.orig).__name__
    return StartupError(
        f"{where}: cannot connect ({first}): check that PostgreSQL runs at {address} and "
        "that DATABASE_URL is right"
    )


@contextlib.contextmanager
def binding(host: str, port: int) -> Iterator[None]:
    """Around opening the HTTP server: a port in use (or not ours to take) and an address
    that is not this machine's become one line."""
    another = "choose another port with --port N or the PORT setting"
    not_here = (
        "not an address of this machine: use 0.0.0.0 (every interface) or 127.0.0.1 "
        "(this machine only)"
    )
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise ConfigError(f"--host {host}: {not_here}") from error
    try:
        yield
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise StartupError(
                f"port {port} on {host} is already in use (another wolfpack, or another "
                f"server): stop that one, or {another}"
            ) from error
        if error.errno == errno.EACCES:
            raise StartupError(
                f"port {port} on {host}: permission denied (a port below 1024 needs "
                f"privileges): {another}"
            ) from error
        if error.errno == errno.EADDRNOTAVAIL:
            raise ConfigError(f"--host {host}: {not_here}") from error
        raise
