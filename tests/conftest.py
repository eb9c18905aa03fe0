"""Shared fixtures: a fresh home/store per test, a fixed clock, CLI runner helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from assistant.cli_load import command_name
from assistant.config import Settings
from assistant.i18n import set_language
from assistant.service import Service
from assistant.storage.db import Store, open_store
from tests.support import policy_verdict
from tests.support.examples import examples
from tests.support.pg_neutral import DEMO_MOVES as _DEMO_MOVES
from tests.support.postgres import (
    EMPTY_TEMPLATE,
    SCHEMA_TEMPLATE,
    PostgresCluster,
    postgres_bin_dir,
    start_cluster,
)

FIXED_NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
REPO_ROOT = Path(__file__).resolve().parent.parent

# Mutation testing (tools/mutation.sh) runs with `--hypothesis-profile=mutation`: the same
# examples for every mutant, so a verdict does not depend on the draw.
hypothesis_settings.register_profile(
    "mutation", derandomize=True, max_examples=examples(hypothesis_settings.default.max_examples)
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="the store every home uses (docs/postgresql.md, 'The whole suite on PostgreSQL')",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under mutmut (tools/mutation.sh sets MUTANT_UNDER_TEST, even to "" for its clean run), the
    PostgreSQL runs of the tests are left out: each mutant is a new pytest session, so each would
    start a PostgreSQL cluster (initdb) again; the store's SQL is not mutated (docs/mutation.md)
    and the SQLite run of the same test checks the mutated code."""
    if "MUTANT_UNDER_TEST" not in os.environ:
        return
    kept = [item for item in items if "postgresql" not in item.nodeid]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if "postgresql" in i.nodeid])
        items[:] = kept


def on_postgresql(config: pytest.Config) -> bool:
    """`pytest --store=postgresql`: every home's database is a fresh PostgreSQL database."""
    return bool(config.getoption("--store") == "postgresql")


def pg_for(request: pytest.FixtureRequest) -> bool:
    """This test's homes on PostgreSQL: `--store=postgresql`, unless marked `sqlite_only`."""
    return on_postgresql(request.config) and request.node.get_closest_marker("sqlite_only") is None


@pytest.fixture(autouse=True)
def _isolated_env(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No test sees the developer's keys, SMTP settings or home. With `--store=postgresql`,
    RELANCE_DATABASE_URL names a fresh empty database (`relance init` fills it)."""
    for name in list(os.environ):
        if name.startswith(("RELANCE_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RELANCE_HOME", str(tmp_path / "default-home"))
    if pg_for(request) and "store_kind" not in request.fixturenames:
        url = request.getfixturevalue("pg_empty_url")
        monkeypatch.setenv("RELANCE_DATABASE_URL", url)
        _homes_on_postgresql(url, monkeypatch)
    set_language("fr")


def _homes_on_postgresql(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--store=postgresql`: `Service.open` in a test makes the schema in the test's empty
    database, as it makes the SQLite file of a new home (the CLI still refuses a home without
    a database: it asks for `create` explicitly). A demo (always built in a SQLite home) moves
    to the database right after it is built, as a team would with `relance migrate`: in process
    (`Service.demo`) and after a `relance demo` started by `run_cli`."""
    opener = Service.open.__func__  # type: ignore[attr-defined]
    build = Service.demo.__func__  # type: ignore[attr-defined]

    def open_creating(cls: type[Service], settings: Settings, **options: object) -> Service:
        options.setdefault("create", True)
        return opener(cls, settings, **options)  # type: ignore[no-any-return]

    monkeypatch.setattr(Service, "open", classmethod(open_creating))

    def demo_then_move(cls: type[Service], settings: Settings, **options: object) -> object:
        from dataclasses import replace

        built = build(cls, settings, **options)
        built.service.close()
        StoreKind("postgresql", url).adopt(built.home)
        clock = options.get("clock")
        moved = cls.open(settings, clock=clock) if clock else cls.open(settings)  # type: ignore[arg-type]
        return replace(built, service=moved)

    monkeypatch.setattr(Service, "demo", classmethod(demo_then_move))
    monkeypatch.setattr(_DEMO_MOVES, "url", url)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 for the whole session (opt-in: only tests
    that ask for a `pg_*` fixture start it); skipped only when the server binaries are absent."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL absent (initdb, pg_ctl): apt-get install postgresql (.ci/run does)")

    def prepare(url: str) -> None:
        from assistant.storage.pg.connect import connect
        from assistant.storage.pg.schema import create_schema

        with connect(url) as conn:
            create_schema(conn)

    cluster = start_cluster(bin_dir, prepare)
    yield cluster
    cluster.stop()


def _fresh_database(cluster: PostgresCluster, template: str) -> Iterator[str]:
    name = cluster.new_database(template)
    yield cluster.url(name)
    cluster.drop_database(name)


@pytest.fixture
def pg_url(pg_cluster: PostgresCluster) -> Iterator[str]:
    """A fresh PostgreSQL database at the current relance schema (versions recorded)."""
    yield from _fresh_database(pg_cluster, SCHEMA_TEMPLATE)


@pytest.fixture
def pg_empty_url(pg_cluster: PostgresCluster) -> Iterator[str]:
    """A fresh, empty PostgreSQL database (the target of `relance migrate --to`)."""
    yield from _fresh_database(pg_cluster, EMPTY_TEMPLATE)


@dataclass(frozen=True)
class StoreKind:
    """The store a test runs on (`store_kind`): "sqlite" (the file in the home) or
    "postgresql" (`url`, set as RELANCE_DATABASE_URL for the test, in process and for the
    commands `run_cli` starts)."""

    name: str
    url: str | None = None

    @property
    def postgres(self) -> bool:
        return self.url is not None

    def adopt(self, home: Path) -> None:
        """After `relance demo` (always a SQLite home): on PostgreSQL, the home's database
        moved there with `relance migrate`, and the SQLite file set aside, so that a command
        still reading it would fail instead of passing unnoticed."""
        if self.url is None:
            return
        from assistant.storage.pg.move import move_home

        move_home(home / "relance.db", self.url)  # `relance migrate`, in process (faster)
        (home / "relance.db").rename(home / "relance.db.moved")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> StoreKind:
    """Runs the test once on each store (docs/postgresql.md, "Tests on both stores"). On
    PostgreSQL the database starts empty: `relance init`, `write_company` or
    `StoreKind.adopt` (after a demo) fill it."""
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_empty_url")
        monkeypatch.setenv("RELANCE_DATABASE_URL", url)
        tmp_path: Path = request.getfixturevalue("tmp_path")
        request.addfinalizer(lambda: _no_sqlite_file(tmp_path))
        return StoreKind("postgresql", url)
    monkeypatch.delenv("RELANCE_DATABASE_URL", raising=False)
    return StoreKind("sqlite")


def _no_sqlite_file(root: Path) -> None:
    """On PostgreSQL, no command made or used a SQLite database in the test's folders (a
    demo's is set aside by `StoreKind.adopt`): the test really ran on PostgreSQL."""
    found = [p for p in root.rglob("relance.db") if p.is_file()]
    assert not found, f"a SQLite database was used on the PostgreSQL run: {found}"


@pytest.fixture
def clock() -> datetime:
    return FIXED_NOW


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if pg_for(request):
        from assistant.storage.pg.store import open_pg_store

        url = request.getfixturevalue("pg_url")
        s: Store = open_pg_store(url, tmp_path, clock=lambda: FIXED_NOW)
    else:
        s = open_store(tmp_path / "test.db", clock=lambda: FIXED_NOW)
    yield s
    s.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings(RELANCE_HOME=home)


TEST_COMPANY = """\
name: "Atelier Test SARL"
legal_form: SARL
email: compta@atelier-test.example
phone: "04 72 00 00 00"
iban: "FR76 3000 6000 0112 3456 7890 189"
payment_link: "https://pay.atelier-test.example/"
contact:
  name: "Claire Martin"
  role: "Comptabilité clients"
  email: compta@atelier-test.example
  phone: "04 72 00 00 01"
"""


def write_company(home: Path, *, judged: bool = True) -> Path:
    """A home with its database (the CLI refuses a home without one) and real company facts
    (not the shipped examples): drafts can be approved in this home. `judged`: its policies'
    verdict is there, as after a first command (judged once per session:
    tests/support/policy_verdict.py)."""
    if not (home / "relance.db").exists():  # on PostgreSQL: the schema (once; idempotent)
        Service.open(Settings(RELANCE_HOME=home), clock=lambda: FIXED_NOW, create=True).close()
    path = home / "policies" / "company.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEST_COMPANY, encoding="utf-8")
    if os.environ.get("RELANCE_DATABASE_URL"):  # the team's policies are in the database
        from assistant.storage import policy_repo
        from tests.support.stores import open_home

        store = open_home(home)
        try:
            with store.transaction():
                policy_repo.put(store, "company.yaml", TEST_COMPANY, None, "test")
        finally:
            store.close()
    if judged:
        policy_verdict.seed(home, policy_verdict.company_verdict(TEST_COMPANY))
    return path


@pytest.fixture
def service(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Service]:
    """A home with the test company, whose policies were already judged (as after a first
    command), unless the test is marked `own_policy_verdict`."""
    judged = request.node.get_closest_marker("own_policy_verdict") is None
    write_company(settings.home, judged=judged)
    svc = Service.open(settings, clock=lambda: FIXED_NOW)
    yield svc
    svc.close()


def run_cli(*args: str, home: Path | None = None, env: dict[str, str] | None = None,
            input: str | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Run `relance` as a user would (a real subprocess), from outside the repo."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("RELANCE_", "OPENAI_"))}
    if url := os.environ.get("RELANCE_DATABASE_URL"):  # set by `store_kind` (PostgreSQL)
        full_env["RELANCE_DATABASE_URL"] = url
    full_env["PYTHONPATH"] = str(REPO_ROOT)
    full_env.update(env or {})
    cmd = [sys.executable, "-m", "assistant"]
    if home is not None:
        cmd += ["--home", str(home)]
    done = subprocess.run(
        cmd + list(args), capture_output=True, text=True, env=full_env, input=input,
        timeout=120, cwd=str(REPO_ROOT.parent) if REPO_ROOT.parent.exists() else None,
    )  # fmt: skip
    if _DEMO_MOVES.url and done.returncode == 0 and command_name(args) == "demo":
        demo_home = home or _option(args, "--home") or full_env.get("RELANCE_HOME")
        if demo_home:  # `--store=postgresql`
            StoreKind("postgresql", _DEMO_MOVES.url).adopt(Path(demo_home))
    return done


def _option(args: tuple[str, ...], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None
