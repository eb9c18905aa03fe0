"""The settings as a pydantic model: the reference check of `assistant.config.Settings`.

`Settings` takes the usual values itself (no pydantic at start-up); a value it does not take as
it is comes here, and this model gives the value or the error. tests/unit/test_settings.py keeps
both in step (same fields, aliases, defaults, bounds; same values for what `Settings` takes).

Filled from the environment variables named by its aliases, as pydantic-settings did (names
matched without regard to case; values given to the constructor win)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from assistant.config import Secret, default_home


class SettingsModel(BaseModel):
    """Runtime settings. Each field's alias is its env var (README, "Configuration")."""

    # Only the documented variables are read: not `populate_by_name`, which would also read a
    # variable named like the field (`HOME` into `home`: `relance init` then used $HOME).
    model_config = ConfigDict(extra="ignore", validate_default=True, protected_namespaces=())

    home: Path = Field(default_factory=default_home, validation_alias="RELANCE_HOME")

    # LLM
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    model: str = Field(default="gpt-4o-mini", validation_alias="RELANCE_MODEL")
    llm: Literal["on", "off"] = Field(default="on", validation_alias="RELANCE_LLM")
    llm_timeout_s: float = Field(default=30.0, validation_alias="RELANCE_LLM_TIMEOUT")
    llm_concurrency: int = Field(default=8, ge=1, le=64, validation_alias="RELANCE_LLM_CONCURRENCY")
    llm_max_retries: int = Field(default=3, ge=0, le=10, validation_alias="RELANCE_LLM_RETRIES")

    # Delivery
    smtp_host: str | None = Field(default=None, validation_alias="RELANCE_SMTP_HOST")
    smtp_port: int | None = Field(default=None, validation_alias="RELANCE_SMTP_PORT")
    smtp_user: str | None = Field(default=None, validation_alias="RELANCE_SMTP_USER")
    smtp_password: SecretStr | None = Field(default=None, validation_alias="RELANCE_SMTP_PASSWORD")
    smtp_tls: Literal["starttls", "ssl", "none"] = Field(
        default="starttls", validation_alias="RELANCE_SMTP_TLS"
    )
    # the sender address; unset: the company's e-mail (policies/company.yaml)
    sender: str | None = Field(default=None, validation_alias="RELANCE_FROM")
    reply_to: str | None = Field(default=None, validation_alias="RELANCE_REPLY_TO")
    # first wait before retrying a transient SMTP error (then x2, x4; 3 retries)
    send_backoff_s: float = Field(default=1.0, ge=0, le=60, validation_alias="RELANCE_SEND_BACKOFF")

    # Mailbox read for customer replies (relance inbox fetch)
    imap_host: str | None = Field(default=None, validation_alias="RELANCE_IMAP_HOST")
    imap_port: int | None = Field(default=None, validation_alias="RELANCE_IMAP_PORT")
    imap_user: str | None = Field(default=None, validation_alias="RELANCE_IMAP_USER")
    imap_password: SecretStr | None = Field(default=None, validation_alias="RELANCE_IMAP_PASSWORD")
    imap_tls: Literal["ssl", "starttls", "none"] = Field(
        default="ssl", validation_alias="RELANCE_IMAP_TLS"
    )
    imap_folder: str = Field(default="INBOX", validation_alias="RELANCE_IMAP_FOLDER")
    # "today" for every command (tests, replays): the store clock is pinned to that day
    today: date | None = Field(default=None, validation_alias="RELANCE_TODAY")
    # the daily routine's watched folder (default: <home>/a-importer)
    watch_dir: Path | None = Field(default=None, validation_alias="RELANCE_WATCH_DIR")
    # invoice PDFs are attached only from this folder (unset: the imported file's folder)
    attachments_dir: Path | None = Field(default=None, validation_alias="RELANCE_ATTACHMENTS_DIR")

    # PostgreSQL for a team (docs/postgresql.md); unset: the SQLite file in the home. A secret
    # (it may hold the password): never shown, only its redacted form.
    database_url: SecretStr | None = Field(default=None, validation_alias="RELANCE_DATABASE_URL")

    # UI language for product text: "fr" (default) or "en"
    # the acting person once a team has people (docs/roles.md); default: the OS login
    user: str | None = Field(default=None, validation_alias="RELANCE_USER")
    # the company of a multi-company PostgreSQL database (docs/companies.md); unset: the default
    company: str | None = Field(default=None, validation_alias="RELANCE_COMPANY")
    ui_language: Literal["fr", "en"] = Field(default="fr", validation_alias="RELANCE_LANG")

    @model_validator(mode="before")
    @classmethod
    def _environment(cls, data: Any) -> Any:
        """The documented variables set in the environment, under what the caller gave."""
        if not isinstance(data, dict):
            return data
        names = {str(f.validation_alias).upper() for f in cls.model_fields.values()}
        found: dict[str, str] = {}
        for name, value in os.environ.items():
            key = name.upper()
            if key in names and (key not in found or name == key):  # the exact name wins
                found[key] = value
        return {**found, **data}

    @field_validator("home", mode="before")
    @classmethod
    def _home_given(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            raise ValueError("empty: give a folder")
        return value


def validated(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of `data` (aliases: values) checked by the model; pydantic's ValidationError
    when one is wrong. Secrets become `Secret`s."""
    model = SettingsModel(**data)
    out: dict[str, Any] = {}
    for name in SettingsModel.model_fields:
        value = getattr(model, name)
        out[name] = Secret(value.get_secret_value()) if isinstance(value, SecretStr) else value
    return out
