"""The send loop as configured: SMTP settings checked, sender address, Reply-To, SMS outbox."""

from __future__ import annotations

from pathlib import Path

from assistant.company import Company, load_company
from assistant.config import Settings
from assistant.delivery.send import Sender
from assistant.delivery.transports import EmailTransport, EmlOutbox, FileSmsOutbox, SmtpTransport
from assistant.drafting.templates import TemplateStore
from assistant.emails import check_addresses
from assistant.errors import PolicyError, UserError
from assistant.i18n import tr
from assistant.storage.db import Store

LOOPBACK = ("localhost", "127.0.0.1", "::1")
FALLBACK_SENDER = "relances@example.invalid"  # .eml outbox only, when nothing is configured


def _address(value: str, setting: str) -> str:
    raw = value.strip()
    try:
        parsed = ", ".join(check_addresses(raw)) if raw else None
    except ValueError as exc:
        raise UserError(f"{setting} : {exc}") from None
    if not parsed or "," in parsed:
        raise UserError(
            tr("{s} : une seule adresse attendue", "{s}: one address expected", s=setting)
        )
    return parsed


def email_transport(settings: Settings, home: Path) -> EmailTransport:
    """SMTP when RELANCE_SMTP_HOST is set, else `.eml` files in `<home>/outbox/`."""
    st = settings
    if not st.smtp_host:
        return EmlOutbox(home / "outbox")
    password = st.smtp_password.get_secret_value() if st.smtp_password else None
    if st.smtp_user and not password:
        raise UserError(
            tr(
                "RELANCE_SMTP_USER est défini mais pas RELANCE_SMTP_PASSWORD",
                "RELANCE_SMTP_USER is set but RELANCE_SMTP_PASSWORD is not",
            )
        )
    if st.smtp_user and st.smtp_tls == "none" and st.smtp_host not in LOOPBACK:
        raise UserError(
            tr(
                "mot de passe SMTP en clair refusé : RELANCE_SMTP_TLS=starttls ou ssl",
                "SMTP password in clear refused: set RELANCE_SMTP_TLS=starttls or ssl",
            )
        )
    return SmtpTransport(
        st.smtp_host, st.smtp_port, tls=st.smtp_tls, user=st.smtp_user, password=password
    )


def make_sender(
    store: Store,
    settings: Settings,
    home: Path,
    *,
    actor: str,
    promise_grace_days: int,
    backoff_s: float = 1.0,
    min_gap_days: int = 0,
) -> Sender:
    try:
        company: Company | None = load_company(home)
    except PolicyError as exc:  # approved drafts may still leave, from RELANCE_FROM
        company, problem = None, str(exc).splitlines()[0]
    else:
        problem = None
    configured = settings.sender or (company.email or company.contact.email if company else "")
    if not configured and settings.smtp_host:
        raise UserError(
            tr(
                "adresse d'expédition manquante : RELANCE_FROM ou email dans company.yaml",
                "no sender address: set RELANCE_FROM or email in company.yaml",
            )
            + (f" ({problem})" if problem else "")
        )
    setting = "RELANCE_FROM" if settings.sender else "company.yaml email"
    sender = _address(configured, setting) if configured else FALLBACK_SENDER
    reply_to = _address(settings.reply_to, "RELANCE_REPLY_TO") if settings.reply_to else None
    return Sender(
        store,
        email_transport(settings, home),
        FileSmsOutbox(home / "sms-outbox"),
        sender=sender,
        sender_name=company.name if company else "",
        reply_to=reply_to,
        actor=actor,
        templates=TemplateStore(home),
        promise_grace_days=promise_grace_days,
        min_gap_days=min_gap_days,
        attachments_root=settings.attachments_dir,
        backoff_s=backoff_s,
    )
