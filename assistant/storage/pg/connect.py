"""PostgreSQL connections (psycopg 3, imported only when a postgresql:// URL is used).

The URL's password is a secret: `redact()` is the only form of a URL that may be shown, and
every driver message is passed through `scrub()` before it reaches a person."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from assistant.errors import UserError
from assistant.i18n import tr

SCHEMES = ("postgresql", "postgres")


def is_postgres_url(text: str | None) -> bool:
    return bool(text) and urlsplit(str(text)).scheme in SCHEMES


def redact(url: str) -> str:
    """The URL without its password (user, host, port and database stay)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")
    host = netloc[2]
    user = netloc[0].partition(":")[0]
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "password"]
    return urlunsplit(
        (parts.scheme, f"{user}@{host}" if user else host, parts.path, urlencode(query), "")
    )


def secrets_of(url: str) -> list[str]:
    """The password as written in the URL and decoded (both must never be shown)."""
    parts = urlsplit(url)
    found = []
    userinfo = parts.netloc.rpartition("@")[0]
    if ":" in userinfo:
        found.append(userinfo.partition(":")[2])
    found += [v for k, v in parse_qsl(parts.query) if k == "password"]
    return [s for secret in found for s in {secret, unquote(secret)} if s]


def scrub(text: str, url: str) -> str:
    """A driver message on one line, the password removed wherever it appears."""
    for secret in sorted(secrets_of(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    return " ".join(text.split())


def connect(url: str, *, autocommit: bool = False) -> Any:
    """A psycopg connection; `NUMERIC` whole numbers (money cents) come back as `int`."""
    if not is_postgres_url(url):
        raise UserError(
            tr(
                "adresse de base PostgreSQL attendue (postgresql://utilisateur@hôte/base) : {u}",
                "a PostgreSQL database URL was expected (postgresql://user@host/database): {u}",
                u=redact(url) if "://" in url else "…",
            )
        )
    try:
        import psycopg
        from psycopg.types.numeric import NumericLoader
    except ImportError as exc:  # pragma: no cover - a runtime dependency
        raise UserError(
            tr(
                "le pilote PostgreSQL manque : pip install 'psycopg[binary]' ({e})",
                "the PostgreSQL driver is missing: pip install 'psycopg[binary]' ({e})",
                e=exc,
            )
        ) from None

    class WholeNumericLoader(NumericLoader):
        def load(self, data: Any) -> Any:
            value: Decimal = super().load(data)
            return int(value) if value == value.to_integral_value() else value

    try:
        conn = psycopg.connect(url, autocommit=autocommit, connect_timeout=15)
    except psycopg.Error as exc:
        raise UserError(
            tr(
                "connexion PostgreSQL impossible ({u}) : {e}",
                "cannot connect to PostgreSQL ({u}): {e}",
                u=redact(url),
                e=scrub(str(exc), url),
            )
        ) from None
    conn.adapters.register_loader("numeric", WholeNumericLoader)
    return conn
