"""Settings from the environment (never from the database). Secrets are `Secret`s: never logged.

Filled from the documented environment variables (README, "Configuration"), matched without
regard to case (the exact upper-case name wins); values given to the constructor win. The usual
values (text, one of the allowed words, a whole number or a decimal within its bounds, an ISO
date, a folder) are taken here as they are; any other value goes to the pydantic model
`assistant.settings_model.SettingsModel`, which gives the value or the error. Importing pydantic
and building that model was half of `relance drafts`' start (0.6 G instructions of 1.3 G).
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

from assistant.errors import UserError
from assistant.i18n import tr


def default_home() -> Path:
    from platformdirs import user_data_dir  # only when RELANCE_HOME is not set

    return Path(user_data_dir("relance", appauthor=False))


class Secret:
    """A secret value: `get_secret_value()` gives it; printed, it is stars (as pydantic's
    `SecretStr`)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __repr__(self) -> str:
        return f"Secret('{self}')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __len__(self) -> int:
        return len(self._value)


# (field, env var, kind, default, lowest, highest, allowed words); kinds ending in "?" accept
# None. Kept equal to SettingsModel by tests/unit/test_settings.py.
FIELDS: tuple[tuple[str, str, str, Any, float | None, float | None, tuple[str, ...]], ...] = (
    ("home", "RELANCE_HOME", "path", None, None, None, ()),  # default: default_home()
    ("openai_api_key", "OPENAI_API_KEY", "secret?", None, None, None, ()),
    ("openai_base_url", "OPENAI_BASE_URL", "text?", None, None, None, ()),
    ("model", "RELANCE_MODEL", "text", "gpt-4o-mini", None, None, ()),
    ("llm", "RELANCE_LLM", "word", "on", None, None, ("on", "off")),
    ("llm_timeout_s", "RELANCE_LLM_TIMEOUT", "decimal", 30.0, None, None, ()),
    ("llm_concurrency", "RELANCE_LLM_CONCURRENCY", "whole", 8, 1, 64, ()),
    ("llm_max_retries", "RELANCE_LLM_RETRIES", "whole", 3, 0, 10, ()),
    ("smtp_host", "RELANCE_SMTP_HOST", "text?", None, None, None, ()),
    ("smtp_port", "RELANCE_SMTP_PORT", "whole?", None, None, None, ()),
    ("smtp_user", "RELANCE_SMTP_USER", "text?", None, None, None, ()),
    ("smtp_password", "RELANCE_SMTP_PASSWORD", "secret?", None, None, None, ()),
    ("smtp_tls", "RELANCE_SMTP_TLS", "word", "starttls", None, None, ("starttls", "ssl", "none")),
    ("sender", "RELANCE_FROM", "text?", None, None, None, ()),
    ("reply_to", "RELANCE_REPLY_TO", "text?", None, None, None, ()),
    ("send_backoff_s", "RELANCE_SEND_BACKOFF", "decimal", 1.0, 0, 60, ()),
    ("imap_host", "RELANCE_IMAP_HOST", "text?", None, None, None, ()),
    ("imap_port", "RELANCE_IMAP_PORT", "whole?", None, None, None, ()),
    ("imap_user", "RELANCE_IMAP_USER", "text?", None, None, None, ()),
    ("imap_password", "RELANCE_IMAP_PASSWORD", "secret?", None, None, None, ()),
    ("imap_tls", "RELANCE_IMAP_TLS", "word", "ssl", None, None, ("ssl", "starttls", "none")),
    ("imap_folder", "RELANCE_IMAP_FOLDER", "text", "INBOX", None, None, ()),
    ("today", "RELANCE_TODAY", "date?", None, None, None, ()),
    ("watch_dir", "RELANCE_WATCH_DIR", "path?", None, None, None, ()),
    ("attachments_dir", "RELANCE_ATTACHMENTS_DIR", "path?", None, None, None, ()),
    ("database_url", "RELANCE_DATABASE_URL", "secret?", None, None, None, ()),
    ("user", "RELANCE_USER", "text?", None, None, None, ()),
    ("company", "RELANCE_COMPANY", "text?", None, None, None, ()),
    ("ui_language", "RELANCE_LANG", "word", "fr", None, None, ("fr", "en")),
)
_ALIASES = frozenset(f[1] for f in FIELDS)
_WHOLE = re.compile(r"0|[1-9][0-9]{0,8}")
_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,8})(\.[0-9]{1,9})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NOT_TAKEN = object()


def environment() -> dict[str, str]:
    """The documented variables set in the environment (upper-case names; the exact name wins)."""
    found: dict[str, str] = {}
    for name, value in os.environ.items():
        key = name.upper()
        if key in _ALIASES and (key not in found or name == key):
            found[key] = value
    return found


def _take(kind: str, value: Any, low: float | None, high: float | None, words: tuple) -> Any:
    """`value` as the model would give it, or _NOT_TAKEN (then the model decides)."""
    if value is None:
        return None if kind.endswith("?") else _NOT_TAKEN
    kind = kind.rstrip("?")
    number: float | int | None = None
    if kind == "text" and type(value) is str:
        return value
    if kind == "secret" and type(value) is str:
        return Secret(value)
    if kind == "word" and type(value) is str and value in words:
        return value
    if kind == "path":
        if isinstance(value, Path):
            return value
        if type(value) is str and value.strip() and "\x00" not in value:
            return Path(value)
    elif kind == "date":
        if type(value) is date:
            return value
        if type(value) is str and _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                return _NOT_TAKEN
    elif kind == "whole":
        if type(value) is int:
            number = value
        elif type(value) is str and _WHOLE.fullmatch(value):
            number = int(value)
    elif kind == "decimal":
        finite = type(value) in (int, float) and value == value and abs(value) < 1e9
        if finite or (type(value) is str and _DECIMAL.fullmatch(value)):
            number = float(value)
    if number is None or (low is not None and number < low):
        return _NOT_TAKEN
    if high is not None and number > high:
        return _NOT_TAKEN
    return number


def taken(data: dict[str, Any]) -> dict[str, Any] | None:
    """Every field from `data` (aliases: values) when each value is a usual one, else None."""
    out: dict[str, Any] = {}
    for name, alias, kind, default, low, high, words in FIELDS:
        if alias not in data:
            if name != "home":  # the default home is found when first read (_DefaultHome)
                out[name] = default
            continue
        value = _take(kind, data[alias], low, high, words)
        if value is _NOT_TAKEN:
            return None
        out[name] = value
    return out


class _DefaultHome:
    """`home` when RELANCE_HOME is not set: the user's data folder, found when first read (a
    command given `--home` never needs it, nor platformdirs)."""

    def __get__(self, settings: Any, owner: Any = None) -> Any:
        if settings is None:
            return self
        home = settings.__dict__["home"] = default_home()
        return home


class Settings:
    """Runtime settings. `Settings(RELANCE_HOME=..., ...)`: values named by their env var, over
    the environment's."""

    home: Path = _DefaultHome()  # type: ignore[assignment]
    # LLM
    openai_api_key: Secret | None
    openai_base_url: str | None
    model: str
    llm: Literal["on", "off"]
    llm_timeout_s: float
    llm_concurrency: int
    llm_max_retries: int
    # Delivery
    smtp_host: str | None
    smtp_port: int | None
    smtp_user: str | None
    smtp_password: Secret | None
    smtp_tls: Literal["starttls", "ssl", "none"]
    sender: str | None  # the sender address; unset: the company's e-mail (company.yaml)
    reply_to: str | None
    send_backoff_s: float  # first wait before retrying a transient SMTP error (then x2, x4)
    # Mailbox read for customer replies (relance inbox fetch)
    imap_host: str | None
    imap_port: int | None
    imap_user: str | None
    imap_password: Secret | None
    imap_tls: Literal["ssl", "starttls", "none"]
    imap_folder: str
    today: date | None  # "today" for every command (tests, replays): the store clock is pinned
    watch_dir: Path | None  # the daily routine's watched folder (default: <home>/a-importer)
    attachments_dir: Path | None  # invoice PDFs only from here (unset: the imported file's)
    # PostgreSQL for a team (docs/postgresql.md); unset: the SQLite file in the home. A secret
    # (it may hold the password): never shown, only its redacted form.
    database_url: Secret | None
    user: str | None  # the acting person once a team has people (docs/roles.md)
    company: str | None  # the company of a multi-company database (docs/companies.md)
    ui_language: Literal["fr", "en"]  # UI language for product text

    def __init__(self, **values: Any) -> None:
        data = {**environment(), **values}
        fields = taken(data)
        if fields is None:  # an unusual value: the model's check, its value or its error
            from assistant.settings_model import validated

            fields = validated(data)
        self.__dict__.update(fields)

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Settings:
        """A copy with `update` applied as given (not checked), as pydantic's `model_copy`."""
        copy = object.__new__(Settings)
        copy.__dict__.update(self.__dict__, **(update or {}))
        return copy

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Settings):
            return False
        return (self.home, self.__dict__) == (other.home, other.__dict__)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        values = {"home": self.home, **self.__dict__}
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in values.items())})"

    @property
    def db_path(self) -> Path:
        return self.home / "relance.db"

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None and bool(self.database_url.get_secret_value())

    @property
    def llm_enabled(self) -> bool:
        """Template mode unless a key is set and the LLM is not switched off."""
        return self.llm == "on" and self.openai_api_key is not None

    def with_home(self, home: Path | None) -> Settings:
        if home is None:
            return self
        return self.model_copy(update={"home": Path(home).expanduser()})


def load_settings() -> Settings:
    """Settings from the environment; a bad value is one clear line (never its value: it may
    be a secret)."""
    try:
        return Settings()
    except ValueError as exc:  # pydantic's ValidationError (the model's check) is a ValueError
        from pydantic import ValidationError

        if not isinstance(exc, ValidationError):
            raise
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"])
        raise UserError(
            tr(
                "réglage {n} invalide : {m}",
                "invalid setting {n}: {m}",
                n=name,
                m=first["msg"],
            )
        ) from None
