"""SMTP over STARTTLS and implicit TLS with AUTH, against aiosmtpd on 127.0.0.1 with a
throwaway CA (trustme). The password never lands in the database, events or output."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import trustme

from assistant.config import Settings
from assistant.reasons import render
from assistant.service import Service
from tests.conftest import FIXED_NOW, run_cli, write_company
from tests.support.pg_neutral import stored_bytes
from tests.support.smtp import Inbox, password_check, smtp_server
from tests.unit.rules_builders import add_customer, add_invoice

AS_OF = date(2026, 11, 24)
USER, PASSWORD = "compta@acme.example", "s3cr3t-Mot-de-Passe-7f9c"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server_ctx(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
    return ctx


@pytest.fixture
def trusted(ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The client trusts the test CA the way a user would point at a company CA."""
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    return pem


def env_for(port: int, tls: str, password: str = PASSWORD) -> dict[str, str]:
    return {
        "RELANCE_FROM": "relances@acme.example",
        "RELANCE_SMTP_HOST": "127.0.0.1",
        "RELANCE_SMTP_PORT": str(port),
        "RELANCE_SMTP_TLS": tls,
        "RELANCE_SMTP_USER": USER,
        "RELANCE_SMTP_PASSWORD": password,
    }


def approved(home: Path, env: dict[str, str], customers: int = 1) -> tuple[Service, list[int]]:
    write_company(home)
    svc = Service.open(Settings(RELANCE_HOME=home, **env), clock=lambda: FIXED_NOW)  # type: ignore[arg-type]
    for i in range(1, customers + 1):
        add_customer(svc.store, f"C{i}")
        add_invoice(svc.store, f"F{i}", AS_OF - timedelta(days=5), cid=f"C{i}")
    ids = svc.draft(AS_OF, offline=True).created
    svc.approve(ids, on=AS_OF)
    return svc, ids


def assert_secret_nowhere(home: Path, *texts: str) -> None:
    """Not in the database (the SQLite files, WAL included, or every PostgreSQL row), not in any
    text shown."""
    assert PASSWORD.encode() not in stored_bytes(home)
    for text in texts:
        assert PASSWORD not in text


@pytest.fixture
def starttls_server(server_ctx: ssl.SSLContext) -> Iterator[tuple[Inbox, int]]:
    with smtp_server(
        tls_context=server_ctx,
        require_starttls=True,
        auth_required=True,
        authenticator=password_check(USER, PASSWORD),
    ) as served:
        yield served


@pytest.fixture
def implicit_tls_server(server_ctx: ssl.SSLContext) -> Iterator[tuple[Inbox, int]]:
    # the whole connection is TLS: aiosmtpd only knows STARTTLS, hence auth_require_tls off
    with smtp_server(
        ssl_context=server_ctx,
        auth_required=True,
        auth_require_tls=False,
        authenticator=password_check(USER, PASSWORD),
    ) as served:
        yield served


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_messages_go_encrypted_and_authenticated(
    mode: str,
    tmp_path: Path,
    trusted: Path,
    request: pytest.FixtureRequest,
) -> None:
    inbox, port = request.getfixturevalue(
        "starttls_server" if mode == "starttls" else "implicit_tls_server"
    )
    home = tmp_path / "h"
    svc, ids = approved(home, env_for(port, mode), customers=2)
    report = svc.sender(backoff_s=0).run()
    assert sorted(report.sent) == sorted(ids) and report.error is None
    assert inbox.tls == [True, True] and inbox.authenticated == [True, True]
    assert sorted(m["To"] for m in inbox.messages) == ["c1@example.com", "c2@example.com"]
    svc.close()
    assert_secret_nowhere(home)


def test_wrong_password_stops_the_batch_and_fails_no_draft(
    tmp_path: Path, trusted: Path, starttls_server: tuple[Inbox, int]
) -> None:
    inbox, port = starttls_server
    home = tmp_path / "h"
    svc, ids = approved(home, env_for(port, "starttls", password="mauvais-" + PASSWORD), 3)
    report = svc.sender(backoff_s=0).run()
    assert report.sent == [] and report.failed == [] and sorted(report.deferred) == sorted(ids)
    assert report.error is not None and "535" in report.error and USER in report.error
    for draft_id in ids:  # nothing failed, nothing undone: fixing the password is enough
        draft = svc.get_draft(draft_id)
        assert draft.status == "approved" and "535" in render(draft.error)
    assert inbox.messages == []
    svc.close()
    assert_secret_nowhere(home, report.error)


def test_cli_send_over_starttls_then_a_bad_password_is_one_line_exit_1(
    tmp_path: Path, trusted: Path, starttls_server: tuple[Inbox, int]
) -> None:
    inbox, port = starttls_server
    home = tmp_path / "h"
    svc, _ = approved(home, env_for(port, "starttls"), customers=2)
    svc.close()
    env = env_for(port, "starttls") | {"SSL_CERT_FILE": str(trusted)}
    ok = run_cli("send", "--json", home=home, env=env)
    assert ok.returncode == 0, ok.stderr
    assert '"sent": 2' in ok.stdout and len(inbox.messages) == 2
    # a new approved draft, then the password changes on the server side
    svc = Service.open(Settings(RELANCE_HOME=home), clock=lambda: FIXED_NOW)
    add_customer(svc.store, "C3")
    add_invoice(svc.store, "F3", AS_OF - timedelta(days=5), cid="C3")
    svc.approve(svc.draft(AS_OF, offline=True).created, on=AS_OF)
    svc.close()
    bad = run_cli("send", home=home, env=env | {"RELANCE_SMTP_PASSWORD": "autre-" + PASSWORD})
    assert bad.returncode == 1
    (line,) = bad.stderr.strip().splitlines()
    assert line.startswith("Erreur : ") and "authentification refusée" in line
    assert "Traceback" not in bad.stderr and len(inbox.messages) == 2
    assert_secret_nowhere(home, ok.stdout, ok.stderr, bad.stdout, bad.stderr)


def test_an_untrusted_certificate_stops_the_batch(
    tmp_path: Path, starttls_server: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = starttls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    svc, ids = approved(tmp_path / "h", env_for(port, "starttls"))
    report = svc.sender(backoff_s=0).run()
    assert report.sent == [] and report.failed == [] and report.deferred == ids
    assert report.error is not None and "TLS" in report.error
    assert inbox.messages == []


def test_starttls_asked_of_a_server_without_it_is_a_setup_error(tmp_path: Path) -> None:
    with smtp_server() as (_, port):  # plain server, no STARTTLS offered
        env = env_for(port, "starttls") | {"RELANCE_SMTP_USER": "", "RELANCE_SMTP_PASSWORD": ""}
        svc, ids = approved(tmp_path / "h", env)
        report = svc.sender(backoff_s=0).run()
    assert report.error is not None and "STARTTLS" in report.error.upper()
    assert report.failed == [] and svc.get_draft(ids[0]).status == "approved"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"RELANCE_SMTP_PASSWORD": ""}, "RELANCE_SMTP_PASSWORD"),
        ({"RELANCE_SMTP_HOST": "smtp.acme.example", "RELANCE_SMTP_TLS": "none"}, "en clair"),
        ({"RELANCE_FROM": "pas-une-adresse"}, "RELANCE_FROM"),
        ({"RELANCE_SMTP_TLS": "tls13"}, "RELANCE_SMTP_TLS"),
    ],
)
def test_bad_smtp_settings_are_one_clear_line(
    tmp_path: Path, extra: dict[str, str], message: str
) -> None:
    env = env_for(2525, "starttls") | extra
    Service.open(Settings(RELANCE_HOME=tmp_path / "h")).close()  # a home with its database
    result = run_cli("send", home=tmp_path / "h", env=env)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Erreur : ") and message in line, line
    assert PASSWORD not in result.stderr + result.stdout
