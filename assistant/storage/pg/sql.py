"""The repositories' SQLite SQL, run on PostgreSQL: translated in this one place.

`translate(sql)` parses a statement as SQLite (sqlglot), rewrites what PostgreSQL says
differently, and writes it back for psycopg (`?` -> `%s`, `:name` -> `%(name)s`, `%` in text
doubled). Cached per statement text: a repository runs the same few texts again and again.

Rewritten here (none of it needs a special case in a repository):
- `INSERT OR IGNORE` -> `ON CONFLICT DO NOTHING`; `INSERT OR REPLACE` -> `ON CONFLICT (primary
  key) DO UPDATE` of every inserted column; `ON CONFLICT (k)` keys keep no NULLS ordering;
- `WHERE 1` (an integer as a condition) -> `TRUE`/`FALSE`; `NOT INDEXED` dropped;
- `julianday(x)` -> PostgreSQL's Julian day (a float, as SQLite gives); `date(x, mods…)`,
  `datetime(x, mods…)` -> the `YYYY-MM-DD[ HH:MM:SS]` text (`'localtime'`: the session's time
  zone, set to this machine's; `'now'`: the current instant in UTC, as SQLite);
  `strftime` -> `TO_CHAR` (sqlglot);
- `AVG(x)` -> a float (PostgreSQL gives NUMERIC); `CAST(x AS INTEGER)` -> `BIGINT`;
- `group_concat(x[, sep])` -> `STRING_AGG(CAST(x AS TEXT), sep)`; `rowid` -> `ctid` (order only);
- every identifier quoted (`end`, `rank`, `text` are column names);
- an `INSERT` into a table with a numbered id gets `RETURNING id` (`cursor.lastrowid`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _tables() -> dict[str, tuple[str | None, list[str]]]:
    """Table -> (identity column, primary-key columns), from the derived schema."""
    import sqlite3

    from assistant.storage.pg.schema import derive, sqlite_reference

    conn: sqlite3.Connection = sqlite_reference()
    try:
        found: dict[str, tuple[str | None, list[str]]] = {}
        for table in derive().tables:
            info = conn.execute(f'PRAGMA table_info("{table.name}")').fetchall()
            keys = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]
            found[table.name] = (table.identity, keys)
        return found
    finally:
        conn.close()


_LIST = re.compile(r"\bIN\s*\(\s*\?(?:\s*,\s*\?)+\s*\)", re.IGNORECASE)  # a chunk of keys
_MARK = re.compile(r"(?<!%)%s")


@lru_cache(maxsize=4096)
def translate(sql: str, returning: bool = False) -> str:
    """PostgreSQL text of one SQLite statement. `returning`: add `RETURNING <id>` to an INSERT
    into a table numbered by an identity column (none if it already returns something).
    A list of positional placeholders (`IN (?, ?, …)`, one text per chunk size) is parsed as
    `(?)` and widened after: parsing hundreds of placeholders with sqlglot took ~0.15 s a
    statement, most of a first import's time on PostgreSQL."""
    sizes: dict[int, int] = {}  # placeholder rank in the short text -> its list's length
    parts: list[str] = []
    rank, end = 0, 0
    for found in _LIST.finditer(sql):
        rank += sql.count("?", end, found.start())
        sizes[rank] = found.group().count("?")
        parts += [sql[end : found.start()], "IN (?)"]
        rank, end = rank + 1, found.end()
    if not sizes or "'" in sql:  # a literal might hold a "?": no shortcut
        return _translate(sql, returning)
    short = "".join([*parts, sql[end:]])
    pieces = _MARK.split(_translate(short, returning))
    if len(pieces) - 1 != short.count("?"):  # not one %s per ? in order: the long way
        return _translate(sql, returning)
    text = pieces[0]
    for i, piece in enumerate(pieces[1:]):
        text += ", ".join(["%s"] * sizes.get(i, 1)) + piece
    return text


@lru_cache(maxsize=4096)
def _translate(sql: str, returning: bool) -> str:
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="sqlite")
    for node in reversed(list(tree.walk(bfs=False))):  # children first: rewrites nest
        new = _rewrite(node, exp)
        if new is not node:
            node.replace(new)
    if isinstance(tree, exp.Insert):
        _insert(tree, exp, returning)
    for table in tree.find_all(exp.Table):
        if table.args.get("indexed") is not None:
            table.set("indexed", None)
    marks: list[str] = []
    for placeholder in list(tree.find_all(exp.Placeholder)):
        name = placeholder.name
        marks.append(f"%({name})s" if name and name != "?" else "%s")
        placeholder.replace(exp.var(f"__relance_param_{len(marks) - 1}__"))
    text = str(tree.sql("postgres", identify=True)).replace("%", "%%")  # literal percent signs
    for i in reversed(range(len(marks))):
        text = text.replace(f"__relance_param_{i}__", marks[i])
    return text


def _rewrite(node: Any, exp: Any) -> Any:
    simple_case = (
        isinstance(node, exp.If) and isinstance(node.parent, exp.Case) and node.parent.this
    )
    if isinstance(node, exp.Where | exp.Having | exp.And | exp.Or | exp.Not | exp.If) and not (
        simple_case  # CASE x WHEN value: a value, not a condition
    ):
        for key in ("this", "expression") if not isinstance(node, exp.If) else ("this",):
            child = node.args.get(key)
            if child is not None and not _is_condition(child, exp):
                node.set(key, _condition(child, exp))
        return node
    if isinstance(node, exp.AggFunc) and _is_condition(node.this, exp):  # SUM(x = 1)
        node.set("this", exp.Cast(this=node.this.copy(), to=exp.DataType.build("INT")))
        return node
    if isinstance(node, exp.Join) and node.args.get("on") is not None:
        if not _is_condition(node.args["on"], exp):
            node.set("on", _condition(node.args["on"], exp))
        return node
    if isinstance(node, exp.Select):  # a condition as a value is 0/1, as in SQLite
        for i, item in enumerate(node.expressions):
            value = item.this if isinstance(item, exp.Alias) else item
            if _is_condition(value, exp) and not isinstance(value, exp.Boolean):
                as_int = exp.Cast(this=value.copy(), to=exp.DataType.build("INT"))
                if isinstance(item, exp.Alias):
                    item.set("this", as_int)
                else:
                    node.expressions[i] = as_int
                    as_int.parent = node
        return node
    if isinstance(node, exp.In) and not node.expressions and not node.args.get("query"):
        return exp.Boolean(this=False)  # SQLite's `x IN ()`: never true
    if isinstance(node, exp.Subquery) and isinstance(node.parent, exp.From | exp.Join):
        if not node.alias:  # PostgreSQL names every subquery in FROM
            node.set("alias", exp.TableAlias(this=exp.to_identifier(f"_q{id(node) % 10**6}")))
        return node
    if isinstance(node, exp.OnConflict):
        for key in node.args.get("conflict_keys") or []:
            if isinstance(key, exp.Ordered):
                key.set("nulls_first", False)
        return node
    if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INT:
        return exp.DataType.build("BIGINT")
    if isinstance(node, exp.DataType) and node.this in (
        exp.DataType.Type.FLOAT,
        exp.DataType.Type.DOUBLE,
    ):
        return exp.DataType.build("DOUBLE PRECISION")
    if isinstance(node, exp.Avg):
        return exp.Cast(this=node.copy(), to=exp.DataType.build("DOUBLE PRECISION"))
    if isinstance(node, exp.GroupConcat):
        text = exp.Cast(this=node.this.copy(), to=exp.DataType.build("TEXT"))
        separator = node.args.get("separator") or exp.Literal.string(",")
        return exp.Anonymous(this="STRING_AGG", expressions=[text, separator])
    if isinstance(node, exp.Column) and node.name.lower() in ("rowid", "_rowid_", "oid"):
        return exp.column("ctid", table=node.table or None)
    if isinstance(node, exp.Date) and not node.args.get("zone"):
        return _date_text(_moment(node.this.copy(), "DATE", exp), exp)
    if isinstance(node, exp.Anonymous) and node.expressions:
        name = str(node.this).lower()
        value, modifiers = node.expressions[0].copy(), [m.copy() for m in node.expressions[1:]]
        if name == "julianday":
            return _julianday(value, exp)
        if name in ("date", "datetime"):
            return _date(value, modifiers, exp, with_time=name == "datetime")
    return node


def _is_condition(node: Any, exp: Any) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, exp.Predicate | exp.Connector | exp.Not | exp.Boolean)


def _condition(node: Any, exp: Any) -> Any:
    """An integer where SQLite takes any value as true or false: PostgreSQL wants a boolean."""
    if isinstance(node, exp.Literal) and not node.is_string:
        return exp.Boolean(this=float(node.this) != 0)
    return exp.Paren(this=exp.NEQ(this=node.copy(), expression=exp.Literal.number(0)))


def _julianday(value: Any, exp: Any) -> Any:
    """SQLite's Julian day (days since noon, -4713-11-24): PostgreSQL counts from midnight."""
    julian = exp.Extract(this=exp.var("JULIAN"), expression=_moment(value, "TIMESTAMP", exp))
    as_float = exp.Cast(this=julian, to=exp.DataType.build("DOUBLE PRECISION"))
    return exp.Paren(this=exp.Sub(this=as_float, expression=exp.Literal.number("0.5")))


def _moment(value: Any, kind: str, exp: Any) -> Any:
    """`value` as a PostgreSQL `kind`; SQLite's 'now' is the current instant in UTC."""
    if isinstance(value, exp.Literal) and value.is_string and value.this.lower() == "now":
        utc = exp.AtTimeZone(this=exp.CurrentTimestamp(), zone=exp.Literal.string("UTC"))
        return exp.Cast(this=utc, to=exp.DataType.build(kind))
    return exp.Cast(this=value, to=exp.DataType.build(kind))


def _date(value: Any, modifiers: list[Any], exp: Any, *, with_time: bool = False) -> Any:
    local = [m for m in modifiers if isinstance(m, exp.Literal) and m.this == "localtime"]
    rest = [m for m in modifiers if m not in local]
    if local:  # an instant in the session's time zone (this machine's: see PgStore)
        moment: Any = _moment(value, "TIMESTAMPTZ", exp)
    else:
        moment = _moment(value, "TIMESTAMP" if with_time else "DATE", exp)
    for modifier in rest:  # '+3 days', '-1 month': an interval
        interval = exp.Cast(this=modifier, to=exp.DataType.build("INTERVAL"))
        moment = exp.Add(this=moment, expression=interval)
    return _date_text(moment, exp, with_time=with_time)


def _date_text(moment: Any, exp: Any, *, with_time: bool = False) -> Any:
    form = "YYYY-MM-DD HH24:MI:SS" if with_time else "YYYY-MM-DD"
    return exp.Anonymous(this="TO_CHAR", expressions=[moment, exp.Literal.string(form)])


def _insert(tree: Any, exp: Any, returning: bool) -> None:
    table = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    identity, keys = _tables().get(table.name, (None, []))
    alternative = (tree.args.get("alternative") or "").upper()
    if alternative == "IGNORE":
        tree.set("alternative", None)
        tree.set("conflict", exp.OnConflict(action=exp.var("DO NOTHING")))
    elif alternative == "REPLACE":
        tree.set("alternative", None)
        columns = (
            [c.name for c in tree.this.expressions] if isinstance(tree.this, exp.Schema) else []
        )
        sets = [
            exp.EQ(this=exp.column(c), expression=exp.column(c, table="excluded"))
            for c in columns
            if c not in keys
        ]
        tree.set(
            "conflict",
            exp.OnConflict(
                conflict_keys=[exp.to_identifier(k) for k in keys],
                action=exp.var("DO UPDATE" if sets else "DO NOTHING"),
                expressions=sets,
            ),
        )
    if returning and identity and not tree.args.get("returning"):
        tree.set("returning", exp.Returning(expressions=[exp.column(identity)]))
