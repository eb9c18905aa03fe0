"""Settings from the environment (never from the database). Secrets are SecretStr: never logged."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    return Path(user_data_dir("relance", appauthor=False))


class Settings(BaseSettings):
    """Runtime settings. Field names map to the env vars of DESIGN.md §5."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

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
    sender: str = Field(
        default="relances@example.invalid",
        validation_alias=AliasChoices("RELANCE_FROM", "sender"),
    )

    # UI language for product text: "fr" (default) or "en"
    ui_language: Literal["fr", "en"] = Field(default="fr", validation_alias="RELANCE_LANG")

    @property
    def db_path(self) -> Path:
        return self.home / "relance.db"

    @property
    def llm_enabled(self) -> bool:
        """Template mode unless a key is set and the LLM is not switched off."""
        return self.llm == "on" and self.openai_api_key is not None

    def with_home(self, home: Path | None) -> Settings:
        if home is None:
            return self
        return self.model_copy(update={"home": Path(home).expanduser()})
