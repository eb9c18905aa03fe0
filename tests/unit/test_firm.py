"""Companies without a server: `--company` moved to the front like `--home`, the advisory keys
of a company, its code and schema name (docs/companies.md)."""

from __future__ import annotations

import pytest
import typer.main

from assistant import cli
from assistant.cli_load import load_modules
from assistant.cliargs import hoist_global_options
from assistant.errors import UserError
from assistant.firm import _check_code, schema_of
from assistant.storage.pg.store import _SCHEMA_LOCK, WRITER_LOCK, company_key


def test_company_after_the_command_moves_to_the_front() -> None:
    load_modules(None)  # every command registered, as for `relance --help`
    root = typer.main.get_command(cli.app)
    assert hoist_global_options(["plan", "--json", "--company", "alpha"], root) == [
        "--company",
        "alpha",
        "plan",
        "--json",
    ]
    assert hoist_global_options(["user", "grant", "bob", "--company=beta"], root) == [
        "--company=beta",
        "user",
        "grant",
        "bob",
    ]
    # the value of a command's own option stays
    assert hoist_global_options(["reject", "3", "--reason", "--company"], root) == [
        "reject",
        "3",
        "--reason",
        "--company",
    ]


def test_company_keys_never_meet_the_default_company_or_each_other() -> None:
    oids = (16384, 29285, 2**31 + 5, 2**32 - 1)  # 29285 = 0x7265, the default's send key
    keys = {company_key(oid, sub) for oid in oids for sub in (0, 1, 2, 2**31)}
    assert len(keys) == len(oids) * 4
    assert all(-(2**63) <= k < 2**63 for k in keys)  # a PostgreSQL bigint
    assert not keys & {WRITER_LOCK, _SCHEMA_LOCK}  # the default company's (high half 0)
    assert all(k >> 32 != 0 for k in keys)


def test_codes_and_schemas() -> None:
    assert _check_code(" Dupont_2 ", "  Dupont   SARL ") == ("dupont_2", "Dupont SARL")
    assert schema_of("dupont_2") == "company_dupont_2"
    for bad in ("default", "2x", "du-pont", "a b", "", "x" * 41, 'a"; drop'):
        with pytest.raises(UserError):
            _check_code(bad, "Name")
    with pytest.raises(UserError):
        _check_code("ok", "   ")
