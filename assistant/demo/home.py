"""The demo's home directory: tell a demo home from a real one, reset it, mark it.

A home is a demo home when its database records a `demo.created` event (or, if the database
cannot be read, when it holds the `.relance-demo` marker file). Anything else is the user's
data and is never touched.
"""

from __future__ import annotations

import json
import shutil
from enum import StrEnum
from pathlib import Path

from assistant.demo.build import DEMO_EVENT, DemoSummary
from assistant.storage import demo_repo

MARKER_FILE = ".relance-demo"
DB_NAME = "relance.db"
# What `relance` creates in a home; removed when a demo home is recreated.
DEMO_FILES = (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal", MARKER_FILE)
DEMO_DIRS = ("outbox", "policies", "prompts")


class HomeState(StrEnum):
    EMPTY = "empty"  # no database: free to use
    DEMO = "demo"  # a previous demo: may be recreated
    FOREIGN = "foreign"  # a real (or unknown) database: never touched


def home_state(home: Path) -> HomeState:
    """Classify `home` without creating, migrating or writing anything."""
    db = home / DB_NAME
    marker = (home / MARKER_FILE).is_file()
    if not db.exists():
        return HomeState.DEMO if marker else HomeState.EMPTY
    is_demo = demo_repo.has_event(db, DEMO_EVENT)
    if is_demo is None:  # unreadable
        return HomeState.DEMO if marker else HomeState.FOREIGN
    return HomeState.DEMO if is_demo else HomeState.FOREIGN


def remove_database(home: Path) -> None:
    """Remove the database files and the marker (a failed or previous demo build)."""
    for name in DEMO_FILES:
        (home / name).unlink(missing_ok=True)


def clear_demo_home(home: Path) -> None:
    """Remove what a previous demo left in `home` (only call it on a DEMO home)."""
    remove_database(home)
    for name in DEMO_DIRS:
        path = home / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)


def write_marker(home: Path, summary: DemoSummary) -> Path:
    path = home / MARKER_FILE
    info = {"company": summary.company, "seed": summary.seed, "as_of": summary.as_of.isoformat()}
    path.write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def write_demo_company(home: Path) -> Path:
    """The demo company as the home's `policies/company.yaml` (the sender of every message)."""
    import yaml

    from assistant.demo.catalog import COMPANY

    data = {
        "name": COMPANY.name,
        "legal_form": COMPANY.legal_form,
        "address": COMPANY.address,
        "email": COMPANY.email,
        "phone": COMPANY.phone,
        "iban": COMPANY.iban,
        "payment_link": COMPANY.payment_link,
        "contact": {
            "name": "Sophie Lambert",
            "role": "Comptabilité clients",
            "email": COMPANY.email,
            "phone": COMPANY.phone,
        },
        "cc_salesperson_steps": ["reminder_2"],
    }
    path = home / "policies" / "company.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# Entreprise de démonstration (relance demo). Modifiable à volonté.\n" + yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False
    )
    path.write_text(text, encoding="utf-8")
    return path
