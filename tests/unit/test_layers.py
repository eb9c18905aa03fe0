"""The layers are enforced, not described: the import contracts in pyproject.toml
(`[tool.importlinter]`, checked by `lint-imports`) and, at run time, what a command really loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from assistant.service import Service
from tests.unit.rules_builders import add_customer, add_invoice

ROOT = Path(__file__).resolve().parents[2]
UI = ("textual", "tui")
HEAVY = ("textual", "tui", "openai", "langchain_core", "langchain")


def _loaded_after(code: str) -> set[str]:
    """Top-level packages in sys.modules after running `code` in a fresh interpreter."""
    probe = (
        code
        + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "0 broken" in report, report


def test_every_assistant_module_loads_without_the_ui() -> None:
    code = (
        "import importlib, pkgutil, assistant\n"
        "for m in pkgutil.walk_packages(assistant.__path__, 'assistant.'):\n"
        "    if m.name != 'assistant.__main__':\n"
        "        importlib.import_module(m.name)\n"
    )
    loaded = _loaded_after(code)
    assert "assistant" in loaded
    assert not loaded & set(UI), loaded & set(UI)


def test_help_loads_no_ui_and_no_llm_client() -> None:
    code = (
        "import sys\n"
        "sys.argv = ['relance', '--help']\n"
        "from assistant.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
    )
    loaded = _loaded_after(code)
    assert "typer" in loaded  # the CLI did run
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
    # the help is typer's own: no Rich (assistant.render, cli_bank, cli_replies import it in the
    # commands that draw), no pydantic (assistant/cliparams.py)
    assert not loaded & {"rich", "pydantic", "pydantic_core"}, loaded


def test_the_review_command_does_load_the_ui() -> None:
    """The probe above can see the UI: starting it (the lazy import in the CLI) loads textual."""
    code = "import assistant.cli\nfrom tui.app import make_app\n"
    assert {"textual", "tui"} <= _loaded_after(code)


# What `relance drafts` must not load: the LLM client, the UI, the template engine, the bank
# statement and statutory parsers (the façade imports them in the methods that use them).
NOT_FOR_A_LISTING = (
    *HEAVY, "jinja2", "holidays", "lxml", "ofxparse", "schwifty", "reportlab",
    # nor the PostgreSQL driver and schema tools, YAML, the address checker, spreadsheets, IMAP
    "psycopg", "sqlglot", "yaml", "email_validator", "openpyxl", "imapclient", "pydantic_settings",
    # nor pydantic: typer's option checks, `Settings` and the models (assistant/cliparams.py,
    # assistant/config.py, assistant/invoice_status.py)
    "pydantic", "pydantic_core", "annotated_types",
    # nor the user's data folder lookup: --home is given (assistant/config.py, _DefaultHome)
    "platformdirs",
)  # fmt: skip
NOT_FOR_A_LISTING_MODULES = (
    # the other commands' modules (assistant/cli_load.py), the policy files, the replies
    "assistant.cli_bank",
    "assistant.cli_drafts",
    "assistant.cli_export",
    "assistant.cli_replies",
    "assistant.cli_statutory",
    "assistant.cli_team",
    "assistant.cli_users",
    "assistant.policyfile",
    "assistant.inputs",
    "assistant.replies.suggestion",
    "assistant.bank.formats",
    "assistant.bank.importer",
    "assistant.statutory.claims",
    "assistant.statutory.notice",
    "assistant.rules.engine",
    "assistant.llm.rewrite",
    "assistant.drafting.pipeline",
    "assistant.models",
    "assistant.settings_model",
    "typer._adapters",
)


def _modules_after_cli(*args: str) -> set[str]:
    """Every module in sys.modules after `relance <args>` ran in a fresh interpreter."""
    if os.environ.get("MUTANT_UNDER_TEST"):
        # a mutation run (docs/mutation.md): mutmut cannot see what a subprocess runs, and its
        # hook there fails on runpy's frame; what a command loads is no mutant's verdict
        pytest.skip("subprocess probe: not run under mutmut")
    probe = (
        "import json, runpy, sys\n"
        f"sys.argv = ['relance', *{list(args)!r}]\n"
        "try:\n"
        "    runpy.run_module('assistant', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "sys.stderr.write('\\nLOADED ' + json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip(), done.stderr  # the command did print its listing
    return set(json.loads(done.stderr.rsplit("LOADED ", 1)[1]))


@pytest.mark.sqlite_only  # the single-user listing: on PostgreSQL psycopg is needed
def test_listing_drafts_loads_neither_llm_ui_templates_nor_parsers(
    service: Service, tmp_path: Path
) -> None:
    add_customer(service.store, "C1", name="Dupont SARL")
    add_invoice(service.store, "F1", date(2026, 11, 10))
    assert service.draft(date(2026, 11, 24), offline=True).created  # a real row to list
    home = str(service.home)
    for args in (("--home", home, "drafts"), ("--home", home, "drafts", "--json")):
        modules = _modules_after_cli(*args)
        assert "assistant.service" in modules and "assistant.drafting.queue" in modules
        packages = {m.split(".")[0] for m in modules}
        assert not packages & set(NOT_FOR_A_LISTING), (args, packages & set(NOT_FOR_A_LISTING))
        assert not modules & set(NOT_FOR_A_LISTING_MODULES), (args, modules)
        if "--json" in args:  # amounts as decimal strings: no locale data, nothing drawn
            assert "babel" not in packages and "rich" not in packages, packages
