"""Role tests for every command of the role table (`assistant.roles.OPERATIONS`), generated
from the table: a command without an entry fails `test_every_command_has_a_role_entry`, an
entry without arguments here fails `test_every_operation_has_test_arguments`.

Refused: exit 1, one line naming the role needed, the database byte-for-byte the same.
Allowed: the command runs (exit 0, or the documented domain error below) and every event it
writes names the person. The CLI runs in-process (`assistant.cli.main`) to keep this fast.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import cli
from assistant.cli_load import command_for
from assistant.config import Settings
from assistant.i18n import set_language
from assistant.people import add_user
from assistant.roles import OPERATIONS, Role, markdown_table, role_label
from assistant.service import Service
from tests.conftest import FIXED_NOW, REPO_ROOT, StoreKind, pg_for
from tests.support.in_process import run_as
from tests.support.stores import dump, query
from tests.tui.conftest import DEMO_DAY
from tui.roles import TUI_ACTIONS

TODAY = DEMO_DAY.isoformat()
PEOPLE = {Role.ADMIN: "boss", Role.ACCOUNTANT: "carol", Role.COLLECTOR: "bob", Role.MANAGER: "mia"}
CLI_OPERATIONS = [name for name, op in OPERATIONS.items() if not op.tui_only]

# Arguments that make each command do its real work on the demo home ({tmp}: a scratch folder,
# {pending}: a pending e-mail draft, {home}: the home).
ARGS: dict[str, list[str]] = {
    "init": [],
    "demo": ["--no-tui", "--as-of", TODAY],
    "user add": ["zoe", "--role", "collector"],
    "user list": ["--json"],
    "user disable": ["mia"],
    "user signature": ["carol", "--text", "Carol Petit\\nComptabilité"],
    "user grant": ["mia", "--role", "accountant"],  # the home's own company (SQLite)
    "user revoke": ["mia"],
    "company add": ["alpha", "--name", "Alpha SARL"],
    "company list": ["--json"],
    "company stats": ["--json"],
    "customer owner": ["C013", "bob"],
    "customer contact": ["C013", "--role", "accounting", "--email", "compta@northlight.example"],
    "customer show": ["C013", "--json"],
    "calls": ["--json"],
    "digest": ["--json"],
    "plan": ["--json"],
    "drafts": ["--json"],
    "show": ["{pending}"],
    "stats": ["--json"],
    "brief": ["C002", "--offline", "--json"],
    "review": [],
    "matches": ["--json"],
    "sources": ["--json"],
    "replies": ["--json"],
    "export status": ["--json"],
    "import invoices": ["{tmp}/invoices.csv"],
    "import customers": ["{tmp}/customers.csv"],
    "import payments": ["{tmp}/payments.csv"],
    "import fec": [str(REPO_ROOT / "tests/data/real/odoo_fec_four_invoices.txt"), "--dry-run"],
    "import bank": ["{home}/releves/demo-camt053.xml", "--dry-run"],
    "daily": ["--offline", "--folder", "{tmp}"],
    "draft": ["--offline"],
    "approve": ["{pending}"],
    "unapprove": ["{approved}"],
    "reject": ["{pending}", "--reason", "doublon"],
    "regenerate": ["{pending}", "--language", "en", "--offline"],
    "edit": ["{pending}", "--subject", "Facture en attente de règlement"],
    "send": ["--dry-run"],
    "stuck": ["{sending}", "--not-sent"],
    "match": ["3", "--reject", "--reason", "pas ce client"],
    "log-call": ["C010", "--outcome", "no-answer"],
    "promise": ["FA-2026-0370", "--date", "2026-12-10"],
    "dispute": ["FA-2026-0370", "--reason", "livraison incomplète"],
    "resolve": ["FA-2026-0370"],
    "inbox fetch": ["--offline"],
    "inbox import": ["{home}/demo-inbox/01-paid.eml", "--offline"],
    "triage": ["3", "--outcome", "none"],
    "notice": ["C013"],
    "escalate": ["C004", "--decision", "writeoff"],
    "proceedings": ["C010", "--kind", "sauvegarde", "--published", "2026-11-20"],
    "dossier": ["C013", "--out", "{tmp}/C013.zip"],
    "forget": ["C015", "--yes"],
    "migrate": ["--to", "postgresql://relance@127.0.0.1:9/none"],  # port 9: nobody listens
    "policy list": ["--json"],
    "policy export": ["{tmp}/policies-out"],
    "policy import": ["{tmp}/policies-in"],  # an edited scenario.yaml
}
# Allowed, but the demo home cannot make them succeed: the error is the command's own.
DOMAIN_ERRORS = {
    "inbox fetch": "IMAP",  # no mailbox configured in the tests
    "resolve": "litige",  # FA-2026-0370 is not under dispute
    "migrate": "connexion PostgreSQL impossible",  # the role passed; no server in this test
    "company add": "une base SQLite est une seule société",  # PostgreSQL only (docs/companies.md)
}


def build_home(root: Path) -> Path:
    home = root / "home"
    built = Service.demo(Settings(RELANCE_HOME=home), as_of=DEMO_DAY, clock=lambda: FIXED_NOW)
    service = built.service
    try:
        service.draft(DEMO_DAY, offline=True)
        pending = [d.id for d in service.drafts("pending") if d.channel == "email"]
        service.approve(pending[1:2])  # one approved, for `unapprove`
        service.approve(pending[2:3])
        service.store.conn.execute(  # one left "sending" by a crash, for `stuck`
            "UPDATE drafts SET status = 'sending' WHERE id = ?", (pending[2],)
        )
        for role, name in PEOPLE.items():  # the admin first (bootstrap)
            add_user(service.store, name, role, None, "test")
    finally:
        service.close()
    (root / "ids").write_text(f"{pending[0]} {pending[1]} {pending[2]}")
    return home


@pytest.fixture(scope="module")
def team_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    set_language("fr")
    return build_home(tmp_path_factory.mktemp("team"))


def events_after(home: Path, last: int) -> list[tuple[str, str]]:
    return query(home, "SELECT kind, actor FROM events WHERE id > ?", (last,))  # type: ignore[return-value]


def last_event(home: Path) -> int:
    return int(query(home, "SELECT COALESCE(MAX(id), 0) FROM events")[0][0])


def copy_home(team_home: Path, root: Path, store_kind: StoreKind) -> Path:
    """A copy of the team's home for a test that changes it; on PostgreSQL, its database
    moved into the test's own (empty) PostgreSQL database."""
    shutil.copytree(team_home.parent, root)
    store_kind.adopt(root / "home")
    return root / "home"


@pytest.fixture
def relance(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> Iterator[object]:
    """`relance(home, person, operation)` -> (exit code, stdout, stderr), in-process."""
    opened: list[object] = []
    monkeypatch.setattr(cli, "run_tui", lambda service, day: opened.append(day))
    monkeypatch.setenv("RELANCE_TODAY", TODAY)
    monkeypatch.setenv("RELANCE_LLM", "off")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "invoices.csv").write_text(
        "invoice_number,customer_id,customer_name,issue_date,due_date,amount\n"
        'FX-1,C900,Client Neuf,2026-11-01,2026-12-01,"120,00"\n',
        encoding="utf-8",
    )
    (scratch / "customers.csv").write_text(
        "customer_id,name,email\nC900,Client Neuf,compta@client-neuf.example\n", encoding="utf-8"
    )
    (scratch / "policies-in").mkdir()
    (scratch / "policies-in" / "scenario.yaml").write_text(
        (REPO_ROOT / "policies" / "scenario.yaml")
        .read_text(encoding="utf-8")
        .replace("min_gap_days: 5", "min_gap_days: 6"),
        encoding="utf-8",
    )
    (scratch / "payments.csv").write_text(
        'invoice_number,payment_date,amount\nFA-2026-0370,2026-11-20,"10,00"\n',
        encoding="utf-8",
    )

    def run(
        home: Path, person: str, operation: str, given: list[str] | None = None
    ) -> tuple[int, str, str]:
        ids = (home.parent / "ids").read_text().split()
        values = {"tmp": str(scratch), "home": str(home), "pending": ids[0]}
        values |= {"approved": ids[1], "sending": ids[2]}
        args = [a.format(**values) for a in (ARGS[operation] if given is None else given)]
        argv = ["--home", str(home), *operation.split(), *args]
        return run_as(monkeypatch, capsys, person, argv)

    yield run


def refused_pairs() -> list[tuple[str, Role, str]]:
    """Every refusal on SQLite; on PostgreSQL those of the commands that write the most."""
    return [
        (name, role, kind)
        for name in CLI_OPERATIONS
        for role in Role
        if role not in OPERATIONS[name].roles
        for kind in ("sqlite", "postgresql")
        if kind == "sqlite" or name in PG_REFUSED
    ]


# On PostgreSQL (each test moves the team's database there first, ≈ 1.5 s): the commands that
# write through the most repositories (the PostgreSQL part of the suite stays short); the
# read-only lists run there in tests/integration/test_cli_workflow.py. `demo` builds a SQLite
# home and `migrate` copies one: SQLite only.
PG_ALLOWED = ["init", "user add", "user disable", "import invoices", "import payments",
              "import bank", "daily", "draft", "approve", "reject", "send", "stuck", "match",
              "log-call", "promise", "dispute", "notice", "escalate", "forget",
              "policy import"]  # fmt: skip
PG_REFUSED = ("approve", "send", "user add", "forget")


@pytest.fixture
def home_for(team_home: Path, store_kind: StoreKind, tmp_path: Path) -> Path:
    """The team's home; on PostgreSQL a copy whose database was moved there."""
    return copy_home(team_home, tmp_path / "copy", store_kind) if store_kind.postgres else team_home


@pytest.fixture
def team(team_home: Path, request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The team's home on the store of this run: with `--store=postgresql`, a copy whose
    database moved into the test's own PostgreSQL database (the module's demo home is built
    before the test's database exists)."""
    if not pg_for(request):
        return team_home
    url = os.environ["RELANCE_DATABASE_URL"]
    return copy_home(team_home, tmp_path / "copy", StoreKind("postgresql", url))


def allowed_role(name: str) -> Role:
    """The role the table names for the command (the admin only when it is the admin's)."""
    return next(
        (r for r in Role if r in OPERATIONS[name].roles and r is not Role.ADMIN), Role.ADMIN
    )


def test_every_command_has_a_role_entry() -> None:
    """Every command of the CLI, and nothing else, is in the role table."""

    def paths(command: object, prefix: str = "") -> set[str]:
        subs = getattr(command, "commands", None)
        if not subs:
            return {prefix}
        return set().union(*(paths(c, f"{prefix} {n}".strip()) for n, c in subs.items()))

    whole = command_for(cli.app, [])  # every command (a command line imports only its own)
    assert paths(whole) == set(CLI_OPERATIONS)


def test_every_operation_has_test_arguments() -> None:
    assert set(ARGS) == set(CLI_OPERATIONS)


def test_interface_actions_name_operations_of_the_table() -> None:
    used = {op for actions in TUI_ACTIONS.values() for op in actions.values()}
    assert used <= set(OPERATIONS)
    assert {n for n, op in OPERATIONS.items() if op.tui_only} <= used


def test_docs_table_is_the_code_table() -> None:
    doc = (REPO_ROOT / "docs" / "roles.md").read_text(encoding="utf-8")
    assert markdown_table() in doc, "docs/roles.md: paste `python -m assistant.roles`"


def test_the_admin_may_do_everything() -> None:
    assert all(Role.ADMIN in op.roles for op in OPERATIONS.values())


@pytest.mark.parametrize(
    ("operation", "role", "store_kind"), refused_pairs(), ids=str, indirect=["store_kind"]
)
def test_refused_role_changes_nothing(
    operation: str, role: Role, home_for: Path, relance: object
) -> None:
    team_home = home_for
    before = dump(team_home)
    code, _out, err = relance(team_home, PEOPLE[role], operation)  # type: ignore[operator]
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert f"« {operation} » demande le rôle" in lines[0]
    assert role_label(allowed_role(operation)) in lines[0]
    assert dump(team_home) == before


@pytest.mark.parametrize(
    "operation",
    [
        # `migrate` checks the person in the SQLite home it copies (a moved home has none)
        pytest.param(n, marks=pytest.mark.sqlite_only) if n == "migrate" else n
        for n in CLI_OPERATIONS
        if n != "demo"
    ],
)
def test_an_unknown_person_is_refused(operation: str, team: Path, relance: object) -> None:
    before = dump(team)
    code, _out, err = relance(team, "intrus", operation)  # type: ignore[operator]
    assert code == 1
    assert "« intrus » n'est pas une personne active" in err and len(err.strip().splitlines()) == 1
    assert dump(team) == before


@pytest.mark.parametrize(
    ("operation", "store_kind"),
    [(n, "sqlite") for n in CLI_OPERATIONS] + [(n, "postgresql") for n in PG_ALLOWED],
    indirect=["store_kind"],
)
def test_allowed_role_runs_and_events_name_the_person(
    operation: str, team_home: Path, relance: object, tmp_path: Path, store_kind: StoreKind
) -> None:
    home = copy_home(team_home, tmp_path / "copy", store_kind)
    role = allowed_role(operation)
    if operation == "demo":  # its own fresh home, never the team's database: no person needed
        home = tmp_path / "fresh" / "home"
        home.parent.mkdir()
        (home.parent / "ids").write_text("0 0 0")
    last = last_event(home) if operation != "demo" else 0
    code, _out, err = relance(home, PEOPLE[role], operation)  # type: ignore[operator]
    assert "demande le rôle" not in err
    if operation in DOMAIN_ERRORS:
        assert code == 1 and DOMAIN_ERRORS[operation] in err, err
        return
    assert code == 0, err
    if operation == "demo":
        return
    actors = {actor for _, actor in events_after(home, last)}
    assert actors <= {PEOPLE[role]}, actors


def test_forget_is_refused_before_its_question(team: Path, relance: object) -> None:
    before = dump(team)
    code, out, err = relance(team, "carol", "forget", ["C015"])  # type: ignore[operator]
    assert code == 1 and "« forget » demande le rôle administrateur" in err
    assert "Effacer" not in out and dump(team) == before


def test_a_second_approval_says_so_and_changes_nothing(
    team_home: Path, relance: object, tmp_path: Path, store_kind: StoreKind
) -> None:
    home = copy_home(team_home, tmp_path / "copy", store_kind)
    approved = (home.parent / "ids").read_text().split()[1]
    before = dump(home)
    code, _out, err = relance(home, "carol", "approve", [approved])  # type: ignore[operator]
    assert code == 1
    assert err.strip() == f"Erreur : brouillon {approved} : déjà approuvé, rien à faire"
    assert dump(home) == before


def test_show_and_brief_name_who_acted(
    team_home: Path, relance: object, tmp_path: Path, store_kind: StoreKind
) -> None:
    home = copy_home(team_home, tmp_path / "copy", store_kind)
    pending = (home.parent / "ids").read_text().split()[0]
    assert relance(home, "carol", "approve", [pending])[0] == 0  # type: ignore[operator]
    assert relance(home, "carol", "send", [])[0] == 0  # type: ignore[operator]
    code, out, _err = relance(home, "bob", "show", [pending])  # type: ignore[operator]
    assert code == 0 and "approuvé par carol · envoyé par carol" in out
    code, out, _err = relance(home, "bob", "show", [pending, "--json"])  # type: ignore[operator]
    assert json.loads(out)["by"] == {"approve": "carol", "send": "carol"}
    customer = json.loads(out)["customer_id"]
    log = ["--outcome", "no-answer"]
    assert relance(home, "bob", "log-call", [customer, *log])[0] == 0  # type: ignore[operator]
    code, out, _err = relance(  # type: ignore[operator]
        home, "mia", "brief", [customer, "--offline", "--markdown"]
    )
    assert code == 0
    assert "pas de réponse (par bob)" in out and "(par carol)" in out
    code, out, _err = relance(  # type: ignore[operator]
        home, "mia", "brief", [customer, "--offline", "--json"]
    )
    timeline = json.loads(out)["timeline"]
    assert [t["by"] for t in timeline if t["kind"] == "call.logged"][-1] == "bob"
    assert {t["by"] for t in timeline} >= {None, "bob", "carol"}  # demo history: no person
