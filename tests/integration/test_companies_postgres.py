"""An accounting firm: several client companies in one PostgreSQL database (docs/companies.md),
on the session's real PostgreSQL cluster. One schema per company: what is imported into one is
invisible from the others; a person sees only the companies granted to them, with a role per
company; the advisory locks are per company. The CLI runs in-process (as in test_roles_cli)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from assistant.config import Settings
from assistant.service import Service
from tests.conftest import FIXED_NOW, TEST_COMPANY
from tests.support.in_process import run_as
from tests.support.stores import dump

TODAY = "2026-11-24"
INVOICES = (
    "invoice_number,customer_id,customer_name,issue_date,due_date,amount\n"
    'FA-1,C1,Client Un,2026-09-01,2026-10-01,"1200,00"\n'
    'FA-2,C2,Client Deux,2026-09-15,2026-10-15,"340,50"\n'
)
CUSTOMERS = (
    "customer_id,name,email\nC1,Client Un,compta@un.example\nC2,Client Deux,compta@deux.example\n"
)

Run = Any  # relance(person, *args) -> (code, stdout, stderr)


@pytest.fixture
def firm(
    pg_empty_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[tuple[Path, Run]]:
    """A desk's home on an existing team database (the default company, `boss` its admin) and
    `relance(person, *args)`."""
    home = tmp_path / "home"
    monkeypatch.setenv("RELANCE_DATABASE_URL", pg_empty_url)
    monkeypatch.setenv("RELANCE_TODAY", TODAY)
    monkeypatch.setenv("RELANCE_LLM", "off")
    (tmp_path / "invoices.csv").write_text(INVOICES, encoding="utf-8")
    (tmp_path / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")

    def run(person: str, *args: str) -> tuple[int, str, str]:
        argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
        return run_as(monkeypatch, capsys, person, ["--home", str(home), *argv])

    assert run("boss", "init")[0] == 0
    facts = tmp_path / "facts"  # each company's own facts, in its policies (in the database)
    facts.mkdir()
    (facts / "company.yaml").write_text(TEST_COMPANY, encoding="utf-8")
    assert run("boss", "policy", "import", str(facts))[0] == 0
    assert run("boss", "user", "add", "boss", "--role", "admin")[0] == 0
    yield home, run


def ok(run: Run, person: str, *args: str) -> str:
    code, out, err = run(person, *args)
    assert code == 0, err
    return out


def refused(run: Run, person: str, *args: str) -> str:
    code, out, err = run(person, *args)
    assert code == 1 and len(err.strip().splitlines()) == 1, (code, out, err)
    assert out == ""  # nothing shown
    return err.strip()


def two_companies(run: Run) -> None:
    for code, name in (("alpha", "Alpha SARL"), ("beta", "Beta SAS")):
        ok(run, "boss", "company", "add", code, "--name", name)
        ok(run, "boss", "--company", code, "policy", "import", "{tmp}/facts")


def as_json(run: Run, person: str, *args: str) -> Any:
    return json.loads(ok(run, person, *args, "--json"))


def schema_dump(url: str, schema: str) -> list[str]:
    """Every row of every table of one company's schema, sorted (to compare)."""
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            )
        ]
        return sorted(
            f"{t} {tuple(r)!r}"
            for t in tables
            for r in conn.execute(f'SELECT * FROM "{schema}"."{t}"')
        )


def events(url: str, schema: str) -> list[tuple[str, str, dict[str, Any]]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(f'SELECT kind, actor, data FROM "{schema}".events ORDER BY id')
        return [(k, a, json.loads(d) if d else {}) for k, a, d in rows]


def test_an_import_into_one_company_is_invisible_from_the_others(
    firm: tuple[Path, Run], pg_empty_url: str
) -> None:
    home, run = firm
    two_companies(run)
    ok(run, "boss", "--company", "alpha", "import", "customers", "{tmp}/customers.csv")
    ok(run, "boss", "import", "invoices", "{tmp}/invoices.csv", "--company", "alpha")  # after
    alpha_plan = as_json(run, "boss", "--company", "alpha", "plan")
    assert {a["customer_id"] for a in alpha_plan} == {"C1", "C2"}
    assert as_json(run, "boss", "--company", "beta", "plan") == []
    assert as_json(run, "boss", "plan") == []  # the default company neither

    ok(run, "boss", "--company", "alpha", "draft", "--offline")
    drafts = as_json(run, "boss", "--company", "alpha", "drafts")
    assert {d["customer_id"] for d in drafts} == {"C1", "C2"}
    assert as_json(run, "boss", "--company", "beta", "drafts") == []

    rows = as_json(run, "boss", "--company", "alpha", "export", "status")
    assert {r["invoice_number"] for r in rows} == {"FA-1", "FA-2"}
    assert as_json(run, "boss", "--company", "beta", "export", "status") == []

    # KPIs per company: alpha's open amount, nothing in beta; beta's own import then
    alpha = as_json(run, "boss", "--company", "alpha", "stats")
    beta = as_json(run, "boss", "--company", "beta", "stats")
    assert alpha["receivables"] == "1540.50"
    assert beta["receivables"] == "0.00"
    (home.parent / "beta.csv").write_text(
        "invoice_number,customer_id,customer_name,issue_date,due_date,amount\n"
        'FB-1,C1,Autre Client,2026-09-01,2026-10-01,"99,00"\n',
        encoding="utf-8",
    )
    ok(run, "boss", "--company", "beta", "import", "invoices", "{tmp}/beta.csv")
    beta = as_json(run, "boss", "--company", "beta", "stats")
    assert beta["receivables"] == "99.00"
    assert as_json(run, "boss", "--company", "alpha", "stats") == alpha
    # RELANCE_COMPANY selects too
    code, out, err = run_env(run, "RELANCE_COMPANY", "beta", "boss", "export", "status", "--json")
    assert code == 0, err
    assert [r["invoice_number"] for r in json.loads(out)] == ["FB-1"]


def run_env(run: Run, name: str, value: str, person: str, *args: str) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(name, value)
        return run(person, *args)  # type: ignore[no-any-return]


def test_grants_roles_per_company_and_revoke(firm: tuple[Path, Run], pg_empty_url: str) -> None:
    _home, run = firm
    two_companies(run)
    # the firm's admin (admin of the default company) grants; a role per company
    ok(run, "boss", "user", "grant", "carol", "--company", "alpha", "--role", "accountant")
    ok(run, "boss", "--company", "beta", "user", "grant", "carol", "--role", "manager")
    assert ok(run, "carol", "--company", "alpha", "import", "invoices", "{tmp}/invoices.csv")
    before = schema_dump(pg_empty_url, "company_beta")
    line = refused(run, "carol", "--company", "beta", "import", "invoices", "{tmp}/invoices.csv")
    assert "« import invoices » demande le rôle comptable" in line and "responsable" in line
    assert schema_dump(pg_empty_url, "company_beta") == before
    ok(run, "carol", "--company", "beta", "stats", "--json")  # a manager reads the results

    # carol sees alpha and beta (not the default company: she is no one there), with her roles
    listed = as_json(run, "carol", "company", "list")
    assert [(c["code"], c["role"]) for c in listed] == [
        ("alpha", "accountant"),
        ("beta", "manager"),
    ]
    assert [c["name"] for c in listed] == ["Alpha SARL", "Beta SAS"]
    assert [c["code"] for c in as_json(run, "boss", "company", "list")] == [
        "default",
        "alpha",
        "beta",
    ]
    refused(run, "carol", "plan")  # the default company: not granted there

    # not granted: one line naming the company, nothing shown or changed
    before = schema_dump(pg_empty_url, "company_alpha")
    line = refused(run, "dave", "--company", "alpha", "plan", "--json")
    assert line == "Erreur : « dave » n'a pas accès à la société Alpha SARL (alpha)" + (
        " (voir relance company list)"
    )
    refused(run, "dave", "--company", "alpha", "import", "invoices", "{tmp}/invoices.csv")
    assert schema_dump(pg_empty_url, "company_alpha") == before

    # a company's own admin manages its people; not another company's
    ok(run, "boss", "user", "grant", "erin", "--company", "beta", "--role", "admin")
    ok(run, "erin", "user", "grant", "dave", "--company", "beta", "--role", "collector")
    before = schema_dump(pg_empty_url, "company_alpha")
    line = refused(run, "erin", "user", "grant", "dave", "--company", "alpha", "--role", "admin")
    assert "« erin » n'est pas une personne active" in line
    line = refused(run, "carol", "user", "grant", "dave", "--company", "alpha", "--role", "admin")
    assert "« user grant » demande le rôle administrateur ; carol est comptable" in line
    assert schema_dump(pg_empty_url, "company_alpha") == before
    assert [c["code"] for c in as_json(run, "dave", "company", "list")] == ["beta"]

    # revoke: carol no longer sees alpha; a second grant re-enables with another role
    ok(run, "boss", "user", "revoke", "carol", "--company", "alpha")
    refused(run, "carol", "--company", "alpha", "plan")
    assert [c["code"] for c in as_json(run, "carol", "company", "list")] == ["beta"]
    ok(run, "boss", "user", "grant", "carol", "--company", "alpha", "--role", "collector")
    assert as_json(run, "carol", "company", "list")[0]["role"] == "collector"
    line = refused(run, "boss", "user", "grant", "carol", "--company", "alpha")
    assert "déjà accès" in line

    # every change an event naming the acting person, in the company's own schema
    granted = [
        (kind, actor, data.get("name"), data.get("role"))
        for kind, actor, data in events(pg_empty_url, "company_alpha")
        if kind in ("user.granted", "user.revoked", "user.disabled")
    ]
    assert granted == [
        ("user.granted", "boss", "boss", "admin"),  # the creator
        ("user.granted", "boss", "carol", "accountant"),
        ("user.disabled", "boss", "carol", None),
        ("user.revoked", "boss", "carol", None),
        ("user.granted", "boss", "carol", "collector"),
    ]
    assert ("user.granted", "erin", {"name": "dave", "role": "collector", "company": "beta"}) in (
        events(pg_empty_url, "company_beta")
    )


def test_unknown_company_and_sqlite_refusals(
    firm: tuple[Path, Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _home, run = firm
    assert refused(run, "boss", "--company", "nope", "plan") == (
        "Erreur : société inconnue : nope (voir relance company list)"
    )
    line = refused(run, "boss", "company", "add", "Bad Code", "--name", "X")
    assert "code de société" in line
    two_companies(run)
    assert "existe déjà" in refused(run, "boss", "company", "add", "alpha", "--name", "Again")
    # a non-admin may not create a company
    ok(run, "boss", "user", "add", "carol", "--role", "accountant")
    line = refused(run, "carol", "company", "add", "gamma", "--name", "Gamma")
    assert "« company add » demande le rôle administrateur" in line

    # SQLite: one home, one company
    monkeypatch.delenv("RELANCE_DATABASE_URL")
    sqlite_home = tmp_path / "solo"
    code, _, err = run("boss", "--home", str(sqlite_home), "init")
    assert code == 0, err
    for args in (
        ("--company", "alpha", "plan"),
        ("company", "add", "alpha", "--name", "Alpha"),
        ("user", "grant", "x", "--company", "alpha", "--role", "admin"),
    ):
        line = refused(run, "boss", "--home", str(sqlite_home), *args)
        assert "une base SQLite est une seule société" in line
    listed = as_json(run, "boss", "--home", str(sqlite_home), "company", "list")
    assert listed == [
        {"code": "default", "name": "default", "schema": "public", "default": True, "role": None}
    ]


def test_the_registry_is_created_on_demand_and_the_default_company_stays_untouched(
    firm: tuple[Path, Run], pg_empty_url: str
) -> None:
    home, run = firm
    ok(run, "boss", "import", "invoices", "{tmp}/invoices.csv")  # an existing team's data
    plan = as_json(run, "boss", "plan")
    with psycopg.connect(pg_empty_url) as conn:
        assert conn.execute("SELECT to_regclass('relance_firm.companies')").fetchone()[0] is None
    assert as_json(run, "boss", "company", "list") == [
        {
            "code": "default",
            "name": "Atelier Test SARL",
            "schema": "public",
            "default": True,
            "role": "admin",
        }
    ]
    before = dump(home)  # every row of the default company (the public schema)
    two_companies(run)
    assert dump(home) == before  # creating companies changed nothing there
    assert as_json(run, "boss", "plan") == plan  # and it works as before, no --company needed
    assert as_json(run, "boss", "--company", "default", "plan") == plan
    with psycopg.connect(pg_empty_url) as conn:
        rows = conn.execute(
            "SELECT code, name, schema_name, created_by FROM relance_firm.companies ORDER BY code"
        ).fetchall()
    assert rows == [
        ("alpha", "Alpha SARL", "company_alpha", "boss"),
        ("beta", "Beta SAS", "company_beta", "boss"),
        ("default", "Atelier Test SARL", "public", "boss"),
    ]
    # each company holds the full current schema (the same tables and versions as public)
    with psycopg.connect(pg_empty_url) as conn:
        versions = {
            schema: conn.execute(
                f'SELECT array_agg(version ORDER BY version) FROM "{schema}"._migrations'
            ).fetchone()[0]
            for schema in ("public", "company_alpha", "company_beta")
        }
    assert versions["company_alpha"] == versions["public"] == versions["company_beta"]


def open_company(url: str, home: Path, code: str | None) -> Service:
    settings = Settings(RELANCE_HOME=home, RELANCE_DATABASE_URL=url, RELANCE_COMPANY=code)
    return Service.open(settings, clock=lambda: FIXED_NOW, person=False)


def test_advisory_locks_are_per_company(firm: tuple[Path, Run], pg_empty_url: str) -> None:
    home, run = firm
    two_companies(run)
    a, a2, b = (open_company(pg_empty_url, home, c) for c in ("alpha", "alpha", "beta"))
    default = open_company(pg_empty_url, home, None)
    try:
        for other in (a2, b):
            other.store.conn.raw.execute("SET lock_timeout = '3s'")
        # a writer in alpha does not block beta (nor the default company); it blocks alpha
        with a.store.transaction():
            a.store.record_event("test.writing", actor="t")
            with b.store.transaction():  # would time out (an error) if it waited
                b.store.record_event("test.writing", actor="t")
            with default.store.transaction():
                default.store.record_event("test.writing", actor="t")
            done = threading.Event()

            def second_writer() -> None:
                with a2.store.transaction():
                    a2.store.record_event("test.writing", actor="t2")
                done.set()

            worker = threading.Thread(target=second_writer)
            worker.start()
            time.sleep(0.5)
            assert not done.is_set()  # alpha's second writer waits for the first
        worker.join(5)
        assert done.is_set()

        # the send holds: draft 1 held in alpha is not held in beta nor in the default company
        a.store.hold_sending(1)
        assert a2.store.sent_elsewhere(1)
        assert not b.store.sent_elsewhere(1) and not default.store.sent_elsewhere(1)
        b.store.hold_sending(1)  # would time out if alpha's hold were the same lock
        default.store.hold_sending(1)
        assert a2.store.sent_elsewhere(1) and b.store.sent_elsewhere(1)
        a.store.release_sending(1)
        assert not a2.store.sent_elsewhere(1) and b.store.sent_elsewhere(1)
        # the default company keeps the keys it always had (older desks still agree with it)
        with psycopg.connect(pg_empty_url) as conn:
            held = conn.execute(
                "SELECT classid::bigint, objid::bigint, objsubid FROM pg_locks"
                " WHERE locktype = 'advisory' AND objsubid = 2"
            ).fetchall()
        assert held == [(0x7265, 1, 2)]
    finally:
        for service in (a, a2, b, default):
            service.close()


# sqlite_only: the real `Service.demo` (a SQLite home); `--store=postgresql` would replace it by
# "demo, then move to the database". The test sets its own PostgreSQL URL: it runs on both runs.
@pytest.mark.sqlite_only
def test_the_demo_ignores_the_team_database_and_the_company(
    tmp_path: Path, pg_empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELANCE_DATABASE_URL", pg_empty_url)
    monkeypatch.setenv("RELANCE_COMPANY", "alpha")
    built = Service.demo(
        Settings(RELANCE_HOME=tmp_path / "demo"), clock=lambda: FIXED_NOW
    )  # a SQLite home, whatever the URL and the company
    try:
        assert built.service.store.kind == "sqlite" and built.service.company is None
        assert (tmp_path / "demo" / "relance.db").is_file()
        assert built.service.store.query("SELECT COUNT(*) AS n FROM invoices")[0]["n"] > 50
    finally:
        built.service.close()
    with psycopg.connect(pg_empty_url) as conn:
        count = conn.execute(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema NOT IN"
            " ('pg_catalog', 'information_schema')"
        ).fetchone()[0]
    assert count == 0


def test_two_companies_send_at_once_each_message_once(
    firm: tuple[Path, Run], pg_empty_url: str, tmp_path: Path
) -> None:
    """Two `relance send` processes, one per company, at the same time on one database: the
    drafts have the same ids in both (each schema numbers its own), and each message leaves
    once, counted at a real SMTP server."""
    from tests.integration.test_postgres_concurrency import finish, smtp_env, start
    from tests.support.smtp import Inbox, smtp_server

    home, run = firm
    two_companies(run)
    approved: dict[str, list[int]] = {}
    for code in ("alpha", "beta"):
        (tmp_path / f"{code}-customers.csv").write_text(
            CUSTOMERS.replace(".example", f".{code}.example"), encoding="utf-8"
        )
        ok(run, "boss", "--company", code, "import", "customers", f"{{tmp}}/{code}-customers.csv")
        ok(run, "boss", "--company", code, "import", "invoices", "{tmp}/invoices.csv")
        ok(run, "boss", "--company", code, "draft", "--offline")
        ids = [d["id"] for d in as_json(run, "boss", "--company", code, "drafts")]
        ok(run, "boss", "--company", code, "approve", *map(str, ids))
        approved[code] = sorted(ids)
    assert approved["alpha"] == approved["beta"]  # the same draft ids in both companies
    inbox = Inbox()
    inbox.clients_before_data = 2  # the first message waits until both senders are at it
    with smtp_server(inbox) as (_, port):
        env = smtp_env(pg_empty_url, port) | {"RELANCE_USER": "boss"}
        procs = {
            code: start(home, "send", "--json", env=env | {"RELANCE_COMPANY": code})
            for code in ("alpha", "beta")
        }
        reports = {code: finish(proc) for code, proc in procs.items()}
    for code in ("alpha", "beta"):
        assert sorted(reports[code]["sent_ids"]) == approved[code]
        assert reports[code]["stuck"] == []
    recipients = sorted(str(m["To"]) for m in inbox.messages)
    assert recipients == sorted(
        f"compta@{who}.{code}.example" for code in ("alpha", "beta") for who in ("un", "deux")
    )


def test_an_older_company_schema_is_upgraded_when_opened(
    firm: tuple[Path, Run], pg_empty_url: str
) -> None:
    """A company made by an older relance (its schema one version behind) is brought to the
    current version when a command opens it, under its own writers' lock; the default company
    is left as it was."""
    from assistant.storage.migrations import MIGRATIONS
    from assistant.storage.pg.connect import connect
    from assistant.storage.pg.schema import create_schema

    home, run = firm
    two_companies(run)  # the registry exists
    latest = max(v for v, _, _ in MIGRATIONS)
    with connect(pg_empty_url) as conn:
        conn.execute('CREATE SCHEMA "company_old"')
        conn.execute("SET search_path TO company_old")
        create_schema(conn, applied=frozenset(v for v, _, _ in MIGRATIONS if v < latest))
        conn.execute(
            "INSERT INTO users (name, role, enabled, created_at, created_by)"
            " VALUES ('boss', 'admin', 1, '2026-11-01', 'boss')"
        )
        conn.execute(
            "INSERT INTO relance_firm.companies VALUES"
            " ('old', 'Old SA', 'company_old', '2026-11-01', 'boss')"
        )
    before = dump(home)
    assert as_json(run, "boss", "--company", "old", "plan") == []
    with psycopg.connect(pg_empty_url) as conn:
        versions = [
            conn.execute(f'SELECT MAX(version) FROM "{s}"._migrations').fetchone()[0]
            for s in ("company_old", "public")
        ]
    assert versions == [latest, latest]
    assert dump(home) == before
