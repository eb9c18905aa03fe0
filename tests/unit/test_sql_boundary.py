"""SQL lives only under assistant/storage/: every other module of `assistant/` calls repository
functions with domain names. Parsed with `ast`, so comments and docstrings that merely mention a
table do not count; a string literal (or f-string) starting with an SQL keyword does, and so does
any `.execute(` / `.executemany(` / `.query(` / `.query_one(` / `.scalar(` call or `.db[...]`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "assistant"
STORAGE = PACKAGE / "storage"

# Modules still being moved behind repositories (another branch of issue 14). The allowlist
# shrinks to empty: remove a module as soon as its SQL has moved; never add one.
ALLOWLIST: frozenset[str] = frozenset()  # empty: every module outside storage/ is SQL-free

# A statement's opening words (any case, after blanks): enough shape that an English sentence
# starting with "create" or "update" is not taken for SQL.
SQL_START = re.compile(
    r"\s*(SELECT\b(?=.*\bFROM\b)|SELECT\s+\d|INSERT\s+(OR\s+\w+\s+)?INTO\b"
    r"|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|WITH\s+(RECURSIVE\s+)?\w+\b.*\bAS\s*\("
    r"|CREATE\s+(TEMP\w*\s+|UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)\b|PRAGMA\b)",
    re.IGNORECASE | re.DOTALL,
)
DB_CALLS = frozenset({"execute", "executemany", "executescript", "query", "query_one", "scalar"})


def _leading_text(node: ast.AST) -> str | None:
    """The text a string literal or an f-string starts with (None for other nodes)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        first = node.values[0] if node.values else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the docstring nodes (module, classes, functions): prose, not queries."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and _leading_text(body[0].value) is not None:
                found.add(id(body[0].value))
    return found


def sql_uses(source: str, name: str = "<module>") -> list[str]:
    """Each SQL text or database call in `source`, as `name:line: what`."""
    tree = ast.parse(source, name)
    skip = _docstrings(tree)
    inside_fstring = {
        id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in skip or id(node) in inside_fstring:
            continue
        text = _leading_text(node)
        if text is not None and SQL_START.match(text):
            found.append(f"{name}:{node.lineno}: SQL text {text.strip()[:40]!r}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in DB_CALLS
        ):
            found.append(f"{name}:{node.lineno}: .{node.func.attr}(...) call")
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "db"
        ):
            found.append(f"{name}:{node.lineno}: .db[...] table access")
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if STORAGE not in p.parents)


def test_no_sql_outside_storage() -> None:
    found = []
    for path in _modules():
        rel = path.relative_to(PACKAGE).as_posix()
        if rel not in ALLOWLIST:
            found += sql_uses(path.read_text(encoding="utf-8"), rel)
    assert not found, "SQL outside assistant/storage/:\n" + "\n".join(found)


def test_the_allowlist_names_real_modules_that_still_need_it() -> None:
    """An entry whose module has no SQL left (or no longer exists) must be removed."""
    stale = []
    for rel in sorted(ALLOWLIST):
        path = PACKAGE / rel
        if not path.exists() or not sql_uses(path.read_text(encoding="utf-8"), rel):
            stale.append(rel)
    assert not stale, f"remove from ALLOWLIST (no SQL left): {stale}"


def test_the_scanner_sees_each_kind_of_sql() -> None:
    """What counts (by line) and what does not: docstrings, a word that only starts like a
    keyword. A sentence that starts with a keyword counts too: reword it or build it otherwise."""
    source = (
        '"""SELECT in a module docstring is prose."""\n'  # 1
        "def f(store, conn, x):\n"  # 2
        '    """Update the table: prose too."""\n'  # 3
        '    a = "  select id FROM t"\n'  # 4: SQL text (case and leading blanks ignored)
        '    b = f"WITH x AS (SELECT {x})"\n'  # 5: an f-string
        "    store.query(a)\n"  # 6: a store query
        '    conn.execute("x")\n'  # 7: a driver call
        '    store.db["drafts"].insert({})\n'  # 8: sqlite-utils table access
        '    c = "Selected customers"\n'  # 9: not a keyword
        '    d = "pragma " + "x"\n'  # 10: SQL text
        "    store.scalar(a); store.query_one(a); cur.executemany(a, [])\n"  # 11: three calls
        '    e = "create the due drafts"; g = "Update the plan"; h = "delete from view"\n'  # 12
        '    i = "CREATE INDEX i ON t(x)"; j = "update t set x = 1"; k = "SELECT 1"\n'  # 13: 3
    )
    lines = [int(f.split(":")[1]) for f in sql_uses(source, "m.py")]
    assert sorted(lines) == [4, 5, 6, 7, 8, 10, 11, 11, 11, 12, 13, 13, 13]


def test_one_of_the_moved_modules_with_sql_back_fails() -> None:
    """The check is real for the modules moved behind repositories: a query put back in one of
    them is reported (as `test_no_sql_outside_storage` would)."""
    path = PACKAGE / "rules" / "snapshot.py"
    source = path.read_text(encoding="utf-8")
    assert not sql_uses(source, "rules/snapshot.py")
    back = (
        source
        + '\n\ndef _count(store):\n    return store.scalar("SELECT count(*) FROM invoices")\n'
    )
    found = sql_uses(back, "rules/snapshot.py")
    assert len(found) == 2 and all(f.startswith("rules/snapshot.py:") for f in found), found
