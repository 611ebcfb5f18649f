"""Settings from the environment and an optional `.env` file. Secrets are SecretStr: they never
show in a repr or a log line."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, TextIO
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.logs import TEXT_FORMAT, JsonFormatter, RedactingFilter

ENV_NAMES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_API_URL",
    "DATABASE_URL",
    "WOLFPACK_ENCRYPTION_KEY",
    "WOLFPACK_PUBLIC_URL",
    "PORT",
    "LOG_LEVEL",
    "LOG_FORMAT",
)


# The values `.env.example` ships with: a setting still equal to one was never filled in.
# tests/test_docs.py keeps this equal to the file.
PLACEHOLDERS = {
    "SLACK_BOT_TOKEN": "xoxb-your-bot-token",
    "SLACK_SIGNING_SECRET": "your-signing-secret",
}
# Where the real value of each is, on the app's page at https://api.slack.com/apps.
_FOUND_AT = {
    "SLACK_BOT_TOKEN": "OAuth & Permissions → Bot User OAuth Token",
    "SLACK_SIGNING_SECRET": "Basic Information → Signing Secret",
}

# The one-liner that makes a WOLFPACK_ENCRYPTION_KEY.
MAKE_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)
SUPPORTED_DATABASES = (
    "use sqlite:///path/to/wolfpack.db (SQLite) or postgresql://user:password@host:5432/db "
    "(PostgreSQL)"
)
# The schemes make_engine opens: postgres:// and postgresql:// go to psycopg 3 (installed).
_SCHEMES = {"sqlite", "sqlite+pysqlite", "postgres", "postgresql", "postgresql+psycopg"}


def parse_port(text: str) -> int:
    """A TCP port from 1 to 65535 (PORT and --port alike); ValueError saying so otherwise."""
    try:
        number = int(text.strip())
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise ValueError(f"“{text}” is not a port: give a number from 1 to 65535")
    return number


class StartupError(Exception):
    """A failure a user can act on, told in one line on stderr with a non-zero exit and no
    traceback (the traceback only at LOG_LEVEL=DEBUG): a database that cannot be reached, a
    port in use, Slack refusing a token. Exits 1: something outside the process is wrong."""

    exit_code = 1


class ConfigError(StartupError):
    """One line naming the variable (or option) and what is wrong with it. Exits 2, as a
    usage error does."""

    exit_code = 2


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = "sqlite:///wolfpack.db"
    wolfpack_encryption_key: SecretStr | None = None
    # Where people reach this bot's HTTP server (https://wolfpack.example.com): the links to
    # the map page start with it. Unset, `/wolfpack map` says the page is not available.
    wolfpack_public_url: str | None = None
    port: int = Field(default=3000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # load_settings gathers the environment itself, so a test passes its own mapping.
        return (init_settings,)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("wolfpack_public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL such as https://wolfpack.example.com")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError(
                "must be the plain address the bot is reached at (no query, fragment or "
                "user name), such as https://wolfpack.example.com"
            )
        return value.strip().rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            # The value itself is not repeated: it may hold a password.
            raise ValueError(f"is not a database URL: {SUPPORTED_DATABASES}") from None
        if url.drivername not in _SCHEMES:
            raise ValueError(f"{url.drivername}:// is not supported: {SUPPORTED_DATABASES}")
        return value

    @field_validator("wolfpack_encryption_key")
    @classmethod
    def _encryption_key(cls, value: SecretStr | None) -> SecretStr | None:
        """Checked whether or not OAuth is on: a key that is set is meant to be used."""
        if value is None:
            return value
        from cryptography.fernet import Fernet

        keys = [k.strip() for k in value.get_secret_value().split(",") if k.strip()]
        try:
            if not keys:
                raise ValueError("no key")
            for key in keys:
                Fernet(key.encode())
        except ValueError:
            raise ValueError(
                "is not a Fernet key: a key is 44 characters of url-safe base64 ending in "
                "'=' (several keys are separated by commas); make one with " + MAKE_KEY
            ) from None
        return value

    @field_validator("port", mode="before")
    @classmethod
    def _port(cls, value: object) -> object:
        return parse_port(str(value))

    @field_validator("log_level", mode="before")
    @classmethod
    def _level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def bot_token(self) -> str | None:
        return self.slack_bot_token.get_secret_value() if self.slack_bot_token else None

    @property
    def signing_secret(self) -> str | None:
        return self.slack_signing_secret.get_secret_value() if self.slack_signing_secret else None

    @property
    def app_token(self) -> str | None:
        return self.slack_app_token.get_secret_value() if self.slack_app_token else None

    @property
    def oauth_enabled(self) -> bool:
        """Many workspaces through the OAuth install flow (rather than one bot token)."""
        return bool(self.slack_client_id and self.slack_client_secret)


def load_settings(environ: Mapping[str, str], env_file: Path | None = Path(".env")) -> Settings:
    """Settings from `environ`, falling back to `env_file`; raises ConfigError."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update({k: v for k, v in environ.items() if k in ENV_NAMES})
    given = {k.lower(): v for k, v in values.items() if k in ENV_NAMES and v != ""}
    for name, placeholder in PLACEHOLDERS.items():
        if values.get(name, "").strip() == placeholder:
            raise ConfigError(
                f"{name}: is still {placeholder}, the placeholder of .env.example: paste the "
                f"real value from your Slack app's page at https://api.slack.com/apps "
                f"({_FOUND_AT[name]})"
            )
    try:
        settings = Settings(**given)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None
    _check_distribution(settings)
    return settings


def _check_distribution(settings: Settings) -> None:
    """One workspace (a bot token) or many (OAuth, with tokens encrypted), never half of one."""
    if bool(settings.slack_client_id) != bool(settings.slack_client_secret):
        missing = "SLACK_CLIENT_SECRET" if settings.slack_client_id else "SLACK_CLIENT_ID"
        raise ConfigError(f"{missing}: is needed too: OAuth takes the client id and secret.")
    if not settings.oauth_enabled:
        return
    if settings.slack_bot_token is not None:
        raise ConfigError(
            "SLACK_BOT_TOKEN: set either it (one workspace) or SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET (any number of workspaces through OAuth), not both."
        )
    if settings.wolfpack_encryption_key is None:
        raise ConfigError(
            "WOLFPACK_ENCRYPTION_KEY: is not set: with OAuth every workspace's token is stored, "
            f"encrypted with this key. Make one with {MAKE_KEY}"
        )


def require_for_run(settings: Settings, *, http: bool) -> str:
    """The mode `wolfpack run` would start in ('socket' or 'http'), or ConfigError naming the
    first missing variable."""
    oauth = bool(settings.slack_client_id and settings.slack_client_secret)
    if settings.slack_bot_token is None and not oauth:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set: give the bot token (xoxb-…) of your Slack app, or "
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install through OAuth."
        )
    if settings.slack_app_token is not None and not http:
        if settings.slack_bot_token is None:
            raise ConfigError("SLACK_BOT_TOKEN is not set: Socket Mode needs the bot token too.")
        return "socket"
    if settings.slack_signing_secret is None:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set: HTTP mode needs it to verify Slack's requests "
            "(or set SLACK_APP_TOKEN for Socket Mode)."
        )
    return "http"


# Libraries that chatter at INFO: Alembic (its plugins, its context, each migration: start-up
# logs one line of its own about the schema instead), APScheduler (every job it adds and runs)
# and matplotlib (its font cache). LOG_LEVEL=DEBUG shows them all.
QUIET_LOGGERS = ("alembic", "apscheduler", "matplotlib")


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """One handler on the root logger (stderr, or `stream`), in LOG_FORMAT, at LOG_LEVEL. Its
    filter redacts Slack tokens and the secrets in `settings` from every record, whichever
    logger (ours, Bolt's, slack_sdk's) it comes from."""
    handler = logging.StreamHandler(stream)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactingFilter(secret_values(settings)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # Their INFO lines say nothing an operator acts on; their warnings still show.
    quiet = max(logging.WARNING, logging.getLevelNamesMapping()[settings.log_level])
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if settings.log_level == "DEBUG" else quiet)
    return handler


def secret_values(settings: Settings) -> list[str]:
    """The secrets a log line must never show: tokens, signing and client secrets, the
    encryption key and the database password."""
    secrets = [
        value.get_secret_value()
        for value in (
            settings.slack_bot_token,
            settings.slack_signing_secret,
            settings.slack_app_token,
            settings.slack_client_secret,
            settings.wolfpack_encryption_key,
        )
        if value is not None
    ]
    try:
        password = make_url(settings.database_url).password
    except ArgumentError:
        password = None
    if password:
        secrets.append(str(password))
    return secrets
