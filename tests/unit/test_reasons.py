"""Codes in the domain, words at the edge (assistant/reasons.py)."""

from __future__ import annotations

import ast
import string
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.i18n import set_language
from assistant.money import Money
from assistant.reasons import TEXTS, Code, Reason, from_json, render, to_json
from assistant.rules.balance import credit_reason
from assistant.service import Service
from assistant.storage.db import Store
from tests.unit.rules_builders import add_customer, add_invoice, mark, plan_on

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ("rules", "drafting", "delivery", "statutory", "bank", "replies")
WED = date(2026, 3, 11)

# positional index of `reason` in the constructors that carry one
_REASON_AT = {"Action": 6, "Hold": 2, "Skip": 3}
_REASON_KEYWORDS = {"reason", "cancel", "hold", "why", "error", "note"}


# -- the domain builds codes, never words ---------------------------------------------------
def _calls_tr(node: ast.AST, texts: set[str]) -> bool:
    """Does `node` call tr()/tr_in() or a name/function known to hold translated text?"""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            f = sub.func
            name = (
                f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            )
            if name in ("tr", "tr_in") or name in texts:
                return True
        if isinstance(sub, ast.Name) and sub.id in texts:
            return True
    return False


def translated_reasons(source: str, where: str = "<src>") -> list[str]:
    """Places in `source` where an Action/Hold/Skip reason (or a `reason=`-like keyword) is
    built with tr(), directly, through a variable, or through a function returning tr()."""
    tree = ast.parse(source)
    text_functions = {
        fn.name
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        for ret in ast.walk(fn)
        if isinstance(ret, ast.Return) and ret.value is not None and _calls_tr(ret.value, set())
    }
    found: list[str] = []
    scopes = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for scope in [tree, *scopes]:
        texts = set(text_functions)
        for node in ast.walk(scope):  # variables holding translated text in this scope
            assigned = isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign)
            if assigned and node.value and _calls_tr(node.value, texts):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                texts |= {t.id for t in targets if isinstance(t, ast.Name)}
        for node in ast.walk(scope):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = (
                f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            )
            args: list[ast.AST] = [k.value for k in node.keywords if k.arg in _REASON_KEYWORDS]
            if name in ("Action", "Hold", "Skip"):
                at = _REASON_AT[name]
                if len(node.args) > at:
                    args.append(node.args[at])
            elif name not in ("replace", "Pacing", "cancel_for_invoice", "store_draft"):
                args = [k.value for k in node.keywords if k.arg == "reason"]
            if name in ("cancel_for_invoice", "_cancel_drafts", "_after_state_change"):
                args += node.args[2:3] if name == "cancel_for_invoice" else node.args[-1:]
            if any(_calls_tr(a, texts) for a in args):
                found.append(f"{where}:{node.lineno}: {name}(...) built with tr()")
    return sorted(set(found))


def test_the_checker_finds_each_way_of_building_a_reason_with_tr() -> None:
    bad = """
def a():
    return Action(customer_id="C", reason=tr("x", "y"))
def b():
    why = tr("x", "y")
    return Hold("code", "C1", why)
def words():
    return tr("x", "y")
def c():
    return Skip("C1", None, "code", words())
def d(action):
    return replace(action, reason=tr("x", "y", n=1))
def e():
    return Pacing(hold=tr("x", "y"))
"""
    assert len(translated_reasons(bad)) == 5
    good = 'def f():\n    return Hold("code", "C1", Reason.of(Code.REPLY_PENDING, d="x"))\n'
    assert translated_reasons(good) == []


def test_no_domain_module_builds_a_reason_with_tr() -> None:
    found: list[str] = []
    for package in DOMAIN:
        for path in sorted((ROOT / "assistant" / package).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            found += translated_reasons(path.read_text(encoding="utf-8"), where)
    assert found == []


# -- the registry ---------------------------------------------------------------------------
def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("code", list(Code))
def test_every_code_has_french_and_english_with_the_same_placeholders(code: Code) -> None:
    fr, en = TEXTS[code]
    assert fr and en and _fields(fr) == _fields(en)


def test_parameters_are_formatted_at_render_time_in_the_language() -> None:
    why = credit_reason(Money(123_456, "EUR"), Money(-5_000, "EUR"))
    assert dict(why.params) == {"b_cents": -5_000, "c_cents": 123_456, "currency": "EUR"}
    assert "1\u202f234,56\xa0€" in render(why, "fr") or "1 234,56 €" in render(why, "fr")
    assert render(why, "en").startswith("unallocated credit of €1,234.56 to letter")
    step = Reason.of(Code.STEP_REACHED, label_offset=10, d="2026-03-23", due="2026-03-13")
    assert render(step, "fr") == "J+10 atteint le 2026-03-23 (échéance 2026-03-13)"
    assert render(step, "en") == "D+10 reached on 2026-03-23 (due 2026-03-13)"
    held = Reason.of(Code.HELD_BY_HUMAN_TASK, s_step="call")
    assert "Appel" in render(held, "fr") and "Call" in render(held, "en")


def test_a_reason_goes_on_with_more_parts_and_round_trips_through_json() -> None:
    why = Reason.of(Code.STEP_REACHED, label_offset=3, d="2026-03-16", due="2026-03-13")
    why += Reason.of(Code.GROUPED, n=2)
    assert render(why, "fr").endswith(" ; 2 factures regroupées")
    assert render(why, "en").endswith("; 2 invoices grouped")
    assert from_json(why.code, to_json(why)) == why
    assert from_json("no_such_code", "{}") is None  # a newer version's code: the text is shown


def test_render_in_another_language_leaves_the_process_language_alone() -> None:
    set_language("fr")
    why = Reason.of(Code.DO_NOT_CONTACT)
    assert render(why, "en") == "customer not to be contacted"
    assert render(why) == "client à ne pas contacter"


# -- the same plan, read in both languages ------------------------------------------------
def test_the_same_plan_renders_in_french_then_in_english(store: Store) -> None:
    add_customer(store, "C1")
    add_invoice(store, "F1", WED)
    add_invoice(store, "F2", WED + timedelta(days=1))
    mark(store, ["F1", "F2"], "reminder_1", WED + timedelta(days=5))
    plan = plan_on(store, WED + timedelta(days=12))  # planned in French
    (action,) = plan.actions
    french = render(action.reason)
    assert french.startswith("J+10 atteint le") and "2 factures regroupées" in french
    set_language("en")  # after planning: nothing is planned again
    english = render(action.reason)
    assert english.startswith("D+10 reached on") and "2 invoices grouped" in english
    assert action.as_json()["reason"] == english
    assert action.as_json()["reason_code"] == "step_reached"
    set_language("fr")
    assert action.as_json()["reason"] == french


def test_a_drafts_error_is_stored_as_a_code_and_read_in_either_language(
    service: Service,
) -> None:
    add_customer(service.store, "C1")
    add_invoice(service.store, "F-1", WED)
    service.draft(WED + timedelta(days=5))
    service.open_dispute("F-1", "prestation contestée")
    row = service.store.query("SELECT error, error_code, error_params FROM drafts WHERE id = 1")
    assert row == [
        {"error": None, "error_code": "dispute_opened", "error_params": row[0]["error_params"]}
    ]
    draft = service.get_draft(1)
    assert render(draft.error) == "litige ouvert"
    assert (
        draft.as_json()["error"] == "litige ouvert"
        and draft.as_json()["error_code"] == "dispute_opened"
    )
    assert draft.as_json()["reason_code"] == "step_reached"
    set_language("en")
    again = service.get_draft(1)
    assert render(again.error) == "dispute opened"
    assert again.as_json()["reason"].startswith("D+3 reached on")


def test_a_row_written_before_codes_shows_its_text_as_it_is(service: Service) -> None:
    add_customer(service.store, "C1")
    add_invoice(service.store, "F-1", WED)
    service.draft(WED + timedelta(days=5))
    service.store.conn.execute(
        "UPDATE drafts SET reason = 'J+3 atteint (ancien texte)', reason_code = NULL,"
        " reason_params = NULL, error = 'litige ouvert', error_code = NULL WHERE id = 1"
    )
    set_language("en")
    draft = service.get_draft(1)
    assert (draft.reason, draft.error) == ("J+3 atteint (ancien texte)", "litige ouvert")
    assert draft.as_json()["error_code"] is None and draft.as_json()["reason_code"] is None
