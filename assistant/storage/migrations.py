"""Versioned schema migrations. A fresh DB and an old DB both reach the current schema.

Each migration is (version, name, SQL script) and runs once, inside a transaction; the applied
versions are recorded in `_migrations`. Never edit a released migration: add a new one.
Money is always integer cents (`*_cents`); dates are ISO `YYYY-MM-DD` text; timestamps ISO UTC.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime

from assistant.errors import UserError
from assistant.i18n import tr


def _money_guard(table: str, columns: Sequence[str]) -> str:
    """Triggers refusing a money value that is not an integer (SQLite would store 12.5 or
    '12,50' in an INTEGER column): money is integer cents at the bottom of the stack too."""
    bad = " OR ".join(f"typeof(NEW.{c}) NOT IN ('integer', 'null')" for c in columns)
    message = f"'{table}: money must be integer cents'"
    return "\n".join(
        f"""
        CREATE TRIGGER {table}_cents_{event.split()[0].lower()} BEFORE {event} ON {table}
        WHEN {bad}
        BEGIN SELECT RAISE(ABORT, {message}); END;"""
        for event in ("INSERT", f"UPDATE OF {', '.join(columns)}")
    )


MIGRATIONS: Sequence[tuple[int, str, str]] = (
    (
        1,
        "core: customers, invoices, payments, events",
        """
        CREATE TABLE customers (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            email TEXT,
            phone TEXT,
            language TEXT NOT NULL DEFAULT 'fr',
            country TEXT NOT NULL DEFAULT 'FR',
            segment TEXT,
            risk TEXT CHECK (risk IS NULL OR risk IN ('low', 'medium', 'high')),
            strategic INTEGER NOT NULL DEFAULT 0,
            salesperson_name TEXT,
            salesperson_email TEXT,
            customer_since TEXT,
            payment_terms_days INTEGER,
            sms_opt_in INTEGER NOT NULL DEFAULT 0,
            do_not_contact INTEGER NOT NULL DEFAULT 0,
            notes TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE closing_periods (
            customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            start TEXT NOT NULL,
            end TEXT NOT NULL,
            CHECK (end >= start),
            PRIMARY KEY (customer_id, start)
        );
        CREATE TABLE invoices (
            number TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            issue_date TEXT NOT NULL,
            due_date TEXT NOT NULL,
            amount_cents INTEGER NOT NULL,
            outstanding_cents INTEGER NOT NULL,
            currency TEXT NOT NULL DEFAULT 'EUR',
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'paid', 'disputed', 'credited', 'cancelled')),
            reference TEXT,
            pdf_path TEXT,
            paid_date TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX invoices_customer ON invoices(customer_id);
        CREATE INDEX invoices_status_due ON invoices(status, due_date);
        CREATE TABLE payments (
            id INTEGER PRIMARY KEY,
            invoice_number TEXT NOT NULL REFERENCES invoices(number),
            date TEXT NOT NULL,
            amount_cents INTEGER NOT NULL,
            source TEXT NOT NULL DEFAULT 'import',
            import_key TEXT UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE INDEX payments_invoice ON payments(invoice_number);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            on_date TEXT NOT NULL,
            actor TEXT NOT NULL,
            kind TEXT NOT NULL,
            customer_id TEXT,
            invoice_number TEXT,
            draft_id INTEGER,
            data TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX events_customer ON events(customer_id, on_date);
        CREATE INDEX events_invoice ON events(invoice_number);
        CREATE INDEX events_kind ON events(kind);
        """,
    ),
    (
        2,
        "workflow: steps done, promises, payment plans",
        """
        CREATE TABLE invoice_steps (
            invoice_number TEXT NOT NULL REFERENCES invoices(number),
            step TEXT NOT NULL,
            done_on TEXT NOT NULL,
            channel TEXT,
            source TEXT NOT NULL,
            draft_id INTEGER,
            PRIMARY KEY (invoice_number, step)
        );
        CREATE INDEX invoice_steps_done ON invoice_steps(done_on);
        CREATE TABLE promises (
            id INTEGER PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            invoice_number TEXT REFERENCES invoices(number),
            promised_date TEXT NOT NULL,
            amount_cents INTEGER,
            made_on TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'manual',
            note TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX promises_invoice ON promises(invoice_number);
        CREATE INDEX promises_customer ON promises(customer_id);
        CREATE TABLE payment_plans (
            id INTEGER PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            agreed_on TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'completed', 'broken', 'cancelled')),
            total_cents INTEGER NOT NULL,
            note TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE payment_plan_invoices (
            plan_id INTEGER NOT NULL REFERENCES payment_plans(id) ON DELETE CASCADE,
            invoice_number TEXT NOT NULL REFERENCES invoices(number),
            PRIMARY KEY (plan_id, invoice_number)
        );
        CREATE TABLE instalments (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER NOT NULL REFERENCES payment_plans(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            due_date TEXT NOT NULL,
            amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
            UNIQUE (plan_id, seq)
        );
        """,
    ),
    (
        4,
        "drafts: the review queue",
        """
        CREATE TABLE drafts (
            id INTEGER PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            step TEXT NOT NULL,
            channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'internal')),
            language TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved',
                'rejected', 'sending', 'sent', 'failed', 'superseded', 'cancelled')),
            recipient TEXT,
            cc TEXT NOT NULL DEFAULT '[]',
            subject TEXT NOT NULL DEFAULT '',
            body TEXT NOT NULL,
            template_name TEXT NOT NULL,
            template_subject TEXT NOT NULL DEFAULT '',
            template_body TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('llm', 'template')),
            violations TEXT NOT NULL DEFAULT '[]',
            segment TEXT,
            tone TEXT,
            tone_adjustment TEXT,
            policy_version TEXT NOT NULL,
            plan_date TEXT NOT NULL,
            scheduled_for TEXT NOT NULL,
            total_cents INTEGER NOT NULL DEFAULT 0,
            currency TEXT NOT NULL DEFAULT 'EUR',
            max_days_late INTEGER NOT NULL DEFAULT 0,
            reason TEXT NOT NULL DEFAULT '',
            parent_id INTEGER REFERENCES drafts(id),
            edited INTEGER NOT NULL DEFAULT 0,
            reject_reason TEXT,
            error TEXT,
            message_id TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            sent_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX drafts_status ON drafts(status);
        CREATE INDEX drafts_customer ON drafts(customer_id, step);
        CREATE UNIQUE INDEX drafts_one_active ON drafts(customer_id, step, channel)
            WHERE status IN ('pending', 'approved', 'sending');
        CREATE TABLE draft_invoices (
            draft_id INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
            invoice_number TEXT NOT NULL REFERENCES invoices(number),
            outstanding_cents INTEGER NOT NULL,
            PRIMARY KEY (draft_id, invoice_number)
        );
        CREATE INDEX draft_invoices_invoice ON draft_invoices(invoice_number);
        """,
    ),
    (
        3,
        "llm call log",
        """
        CREATE TABLE llm_calls (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            purpose TEXT NOT NULL,          -- rewrite | brief
            customer_id TEXT,
            step TEXT,
            draft_id INTEGER,               -- the draft it served (set when stored)
            attempt INTEGER NOT NULL,       -- 1, or 2 for the re-ask
            model TEXT NOT NULL,
            request TEXT NOT NULL,          -- JSON messages (tokens only, never facts or keys)
            response TEXT,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            latency_ms INTEGER NOT NULL,
            outcome TEXT NOT NULL,          -- accepted | violations | invalid | error
            violations TEXT NOT NULL DEFAULT '[]',
            error TEXT
        );
        CREATE INDEX llm_calls_draft ON llm_calls(draft_id);
        """,
    ),
    (
        5,
        "instalment reminders",
        """
        CREATE TABLE instalment_steps (
            instalment_id INTEGER NOT NULL REFERENCES instalments(id) ON DELETE CASCADE,
            step TEXT NOT NULL,
            done_on TEXT NOT NULL,
            source TEXT NOT NULL,
            draft_id INTEGER,
            PRIMARY KEY (instalment_id, step)
        );
        ALTER TABLE drafts ADD COLUMN instalment_id INTEGER REFERENCES instalments(id);
        """,
    ),
    (
        6,
        "money columns hold integer cents; an invoice's outstanding is within 0..amount",
        "\n".join(
            _money_guard(table, columns)
            for table, columns in (
                ("invoices", ("amount_cents", "outstanding_cents")),
                ("payments", ("amount_cents",)),
                ("promises", ("amount_cents",)),
                ("payment_plans", ("total_cents",)),
                ("instalments", ("amount_cents",)),
                ("drafts", ("total_cents",)),
                ("draft_invoices", ("outstanding_cents",)),
            )
        )
        + """
        CREATE TRIGGER invoices_outstanding_insert BEFORE INSERT ON invoices
        WHEN NEW.outstanding_cents < 0 OR NEW.outstanding_cents > NEW.amount_cents
        BEGIN SELECT RAISE(ABORT, 'invoices: outstanding_cents outside 0..amount_cents'); END;
        CREATE TRIGGER invoices_outstanding_update
        BEFORE UPDATE OF amount_cents, outstanding_cents ON invoices
        WHEN NEW.outstanding_cents < 0 OR NEW.outstanding_cents > NEW.amount_cents
        BEGIN SELECT RAISE(ABORT, 'invoices: outstanding_cents outside 0..amount_cents'); END;
        """,
    ),
    (
        7,
        "customers: payment terms counted to the end of the month (45 jours fin de mois)",
        """
        ALTER TABLE customers ADD COLUMN payment_terms_end_of_month INTEGER NOT NULL DEFAULT 0;
        """,
    ),
    (
        17,
        "drafts: fact checks of the current text, and a person's override with its reason",
        """
        ALTER TABLE drafts ADD COLUMN checks TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE drafts ADD COLUMN override_reason TEXT;
        """,
    ),
    (
        18,
        "drafts: the policy version a queued draft's text was last checked against",
        """
        ALTER TABLE drafts ADD COLUMN checked_version TEXT;
        """,
    ),
)


def _ensure_table(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )


def applied_versions(conn: sqlite3.Connection) -> set[int]:
    _ensure_table(conn)
    return {row[0] for row in conn.execute("SELECT version FROM _migrations")}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def current_version() -> int:
    return max(v for v, _, _ in MIGRATIONS)


def migrate(conn: sqlite3.Connection, upto: int | None = None) -> list[int]:
    """Apply pending migrations in order (each atomically). Returns the versions applied."""
    done = applied_versions(conn)
    if newer := sorted(done - {v for v, _, _ in MIGRATIONS}):
        raise UserError(
            tr(
                "base créée par une version plus récente de relance (schéma {v}) :"
                " mettez relance à jour",
                "database created by a newer relance (schema {v}): upgrade relance",
                v=newer[-1],
            )
        )
    ran: list[int] = []
    for version, name, script in sorted(MIGRATIONS):
        if version in done or (upto is not None and version > upto):
            continue
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        record = (
            "INSERT INTO _migrations (version, name, applied_at) VALUES "
            f"({int(version)}, {_quote(name)}, {_quote(stamp)});"
        )
        try:
            # executescript runs the whole script; BEGIN..COMMIT makes it atomic.
            conn.executescript(f"BEGIN IMMEDIATE;\n{script}\n;{record}\nCOMMIT;")
        except Exception:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        ran.append(version)
    return ran
