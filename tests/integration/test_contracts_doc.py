"""docs/contracts.md and the code stay in step: every command titled there runs on a demo home and
its JSON has exactly the keys the document lists (all present; none undocumented)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT, run_cli
from tests.support.pg_neutral import SharedDemo, shared_demo, use_shared_demo

DOC = REPO_ROOT / "docs" / "contracts.md"
AS_OF = "2026-11-24"
ENV = {"RELANCE_TODAY": AS_OF}
HEADING = re.compile(r"^### `relance (?P<cmd>[^`]+)`\s*$")
ROW = re.compile(r"^\| `(?P<key>[^`]+)` \| (?P<meaning>.*) \|\s*$")


def documented() -> list[tuple[str, list[tuple[str, bool]]]]:
    """(command, [(key path, optional)]) for every `### \\`relance …\\`` section of the doc."""
    sections: list[tuple[str, list[tuple[str, bool]]]] = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if m := HEADING.match(line):
            sections.append((m["cmd"], []))
        elif line.startswith("## "):
            sections.append(("", []))  # a section without a command ends the previous table
        elif (m := ROW.match(line)) and sections and sections[-1][0]:
            sections[-1][1].append((m["key"], m["meaning"].startswith("optional")))
    return [s for s in sections if s[0]]


SECTIONS = documented()


@pytest.fixture(scope="module")
def shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SharedDemo:
    return shared_demo(request, tmp_path_factory, "contracts", "--as-of", AS_OF, env=ENV)


@pytest.fixture
def demo_home(shared: SharedDemo, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_shared_demo(shared, monkeypatch)


def _values(data: Any, path: str) -> list[Any] | None:
    """The values at `path` (`a.b`, `a[].b`) in `data`; None when a step is missing."""
    found = [data]
    for part in path.split("."):
        many = part.endswith("[]")
        name = part.removesuffix("[]")
        step: list[Any] = []
        for item in found:
            if not isinstance(item, dict) or name not in item:
                return None
            value = item[name]
            if many:
                assert isinstance(value, list), f"{path}: {name} is not an array"
                step.extend(value)
            else:
                step.append(value)
        found = step
    return found


def test_the_doc_documents_the_json_commands() -> None:
    commands = [cmd.split()[0] for cmd, _ in SECTIONS]
    for name in ("plan", "drafts", "show", "brief", "stats", "send", "sources", "matches"):
        assert name in commands, f"docs/contracts.md has no section for `relance {name}`"
    assert all(keys for _, keys in SECTIONS), "a section without a key table"


@pytest.mark.parametrize(("command", "keys"), SECTIONS, ids=[c for c, _ in SECTIONS])
def test_documented_keys_match_the_output(
    command: str, keys: list[tuple[str, bool]], demo_home: Path, tmp_path: Path
) -> None:
    args = shlex.split(command)
    if "FILE" in args:
        sample = tmp_path / "factures.csv"
        sample.write_text(
            "invoice_number,customer_id,customer_name,issue_date,due_date,amount\n"
            'FX-1,C900,Client Neuf,2026-11-01,2026-12-01,"120,00"\n',
            encoding="utf-8",
        )
        args = [str(sample) if a == "FILE" else a for a in args]
    done = run_cli(*args, home=demo_home, env=ENV)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    items = data if isinstance(data, list) else [data]
    assert items, f"`relance {command}` printed an empty array: nothing to check on the demo"
    top = {k for k, _ in keys if "." not in k and "[]" not in k}
    for item in items:
        undocumented = set(item) - top
        assert not undocumented, f"keys missing from docs/contracts.md: {sorted(undocumented)}"
    for key, optional in keys:
        if optional:
            continue
        if "." not in key:
            missing = [i for i in items if key not in i]
            assert not missing, f"`{key}` absent from {len(missing)} element(s)"
        else:
            assert any(_values(i, key) is not None for i in items), f"`{key}` never present"
