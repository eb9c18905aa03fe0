"""How a `Reason` is stored in a row: `<name>_code` + `<name>_params` (JSON), the old text column
`<name>` kept for rows written before codes (migration 21). Rows read back as a `Reason`, or as
their stored text when they have no code (or one this version does not know)."""

from __future__ import annotations

from typing import Any

from assistant.reasons import Reason, from_json, to_json


def fields(name: str, value: Reason | str | None, *, empty: str | None = None) -> dict[str, Any]:
    """Column values for `value` in columns `name`, `name_code`, `name_params`. A `Reason` is
    stored as its code (the text column gets `empty`); a str (free text, e.g. a reason carried
    from a row stored before codes) stays text."""
    if isinstance(value, Reason):
        return {name: empty, f"{name}_code": value.code.value, f"{name}_params": to_json(value)}
    return {name: empty if value is None else value, f"{name}_code": None, f"{name}_params": None}


def error_fields(value: Reason | str | None) -> dict[str, Any]:
    """`drafts.error`, `error_code`, `error_params`."""
    return fields("error", value)


def reason_fields(value: Reason | str) -> dict[str, Any]:
    """`drafts.reason` (NOT NULL: '' beside a code), `reason_code`, `reason_params`."""
    return fields("reason", value, empty="")


def read(row: dict[str, Any], name: str) -> Reason | str | None:
    """The value of columns `name*` of a row (`drafts.*`): a Reason, or the stored text."""
    code = row.get(f"{name}_code")
    if code:
        found = from_json(code, row.get(f"{name}_params"))
        if found is not None:
            return found
    return row.get(name)
