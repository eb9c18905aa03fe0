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


_DRAFT_COLUMNS = (
    "id, customer_id, step, channel, language, status, recipient, cc, subject, body,"
    " template_name, template_subject, template_body, source, violations, segment, tone,"
    " tone_adjustment, policy_version, plan_date, scheduled_for, total_cents, currency,"
    " max_days_late, reason, parent_id, edited, reject_reason, error, message_id, attempts,"
    " sent_at, created_at, updated_at, instalment_id"
)
# SQLite cannot alter a CHECK constraint: the drafts table is copied into a new one whose CHECK
# admits 'letter' (migrations run with foreign keys off, so the tables referencing drafts keep
# their rows; `migrate` checks every foreign key before committing). Indexes and money triggers
# are recreated as migrations 4 and 6 made them.
_DRAFTS_WITH_LETTER = f"""
    CREATE TABLE drafts_new (
        id INTEGER PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES customers(id),
        step TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'internal', 'letter')),
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
        parent_id INTEGER REFERENCES drafts_new(id),
        edited INTEGER NOT NULL DEFAULT 0,
        reject_reason TEXT,
        error TEXT,
        message_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        sent_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        instalment_id INTEGER REFERENCES instalments(id)
    );
    INSERT INTO drafts_new ({_DRAFT_COLUMNS}) SELECT {_DRAFT_COLUMNS} FROM drafts;
    DROP TABLE drafts;
    ALTER TABLE drafts_new RENAME TO drafts;
    CREATE INDEX drafts_status ON drafts(status);
    CREATE INDEX drafts_customer ON drafts(customer_id, step);
    CREATE UNIQUE INDEX drafts_one_active ON drafts(customer_id, step, channel)
        WHERE status IN ('pending', 'approved', 'sending');
    """ + _money_guard("drafts", ("total_cents",))


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
        8,
        "drafts: channel 'letter' (formal notices); the table is rebuilt to widen its CHECK",
        _DRAFTS_WITH_LETTER,
    ),
    (
        9,
        "statutory: customer legal identity and postal address, collective proceedings,"
        " escalation decisions, formal notices",
        """
        ALTER TABLE customers ADD COLUMN legal_form TEXT;
        ALTER TABLE customers ADD COLUMN siren TEXT;
        ALTER TABLE customers ADD COLUMN address_line1 TEXT;
        ALTER TABLE customers ADD COLUMN address_line2 TEXT;
        ALTER TABLE customers ADD COLUMN postal_code TEXT;
        ALTER TABLE customers ADD COLUMN city TEXT;
        ALTER TABLE customers ADD COLUMN proceedings_kind TEXT CHECK (proceedings_kind IS NULL
            OR proceedings_kind IN ('sauvegarde', 'redressement', 'liquidation'));
        ALTER TABLE customers ADD COLUMN proceedings_published_on TEXT;
        ALTER TABLE customers ADD COLUMN proceedings_declared_on TEXT;
        CREATE TABLE escalations (
            id INTEGER PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            decision TEXT NOT NULL
                CHECK (decision IN ('plan', 'notice', 'handoff', 'writeoff', 'resume')),
            decided_on TEXT NOT NULL,
            note TEXT,
            invoices TEXT NOT NULL DEFAULT '[]',
            amount_cents INTEGER NOT NULL DEFAULT 0,
            actor TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX escalations_customer ON escalations(customer_id, decided_on);
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            draft_id INTEGER NOT NULL UNIQUE,  -- the letter draft (no FK: drafts may be rebuilt)
            customer_id TEXT NOT NULL REFERENCES customers(id),
            as_of TEXT NOT NULL,
            deadline TEXT NOT NULL,
            principal_cents INTEGER NOT NULL,
            indemnity_cents INTEGER NOT NULL,
            interest_cents INTEGER NOT NULL,
            credits_cents INTEGER NOT NULL DEFAULT 0,
            total_cents INTEGER NOT NULL,
            currency TEXT NOT NULL DEFAULT 'EUR',
            data TEXT NOT NULL,              -- the frozen claim statement (JSON)
            pdf_path TEXT,
            posted_on TEXT,
            tracking_number TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX notices_customer ON notices(customer_id);
        """
        + _money_guard("escalations", ("amount_cents",))
        + _money_guard(
            "notices",
            (
                "principal_cents",
                "indemnity_cents",
                "interest_cents",
                "credits_cents",
                "total_cents",
            ),
        ),
    ),
    (
        10,
        "customer replies: messages read from the mailbox, mailbox state, invalid addresses",
        """
        CREATE TABLE replies (
            id INTEGER PRIMARY KEY,
            dedupe_key TEXT NOT NULL UNIQUE,  -- the Message-ID, else a hash of the raw message
            source TEXT NOT NULL,             -- imap:<user>@<host>/<folder>:<uidvalidity>:<uid>
            message_id TEXT,
            kind TEXT NOT NULL CHECK (kind IN ('reply', 'auto_reply', 'bounce')),
            status TEXT NOT NULL CHECK (status IN ('new', 'triaged', 'recorded')),
            customer_id TEXT REFERENCES customers(id),
            draft_id INTEGER REFERENCES drafts(id),
            match TEXT NOT NULL CHECK (match IN ('thread', 'address', 'domain', 'person', 'none')),
            received_at TEXT NOT NULL,
            received_on TEXT NOT NULL,
            from_address TEXT NOT NULL DEFAULT '',
            from_name TEXT NOT NULL DEFAULT '',
            subject TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',     -- the sender's own words (quotes, signature cut)
            body TEXT NOT NULL DEFAULT '',     -- the whole message as plain text
            return_on TEXT,                    -- automatic reply: the return date it states
            bounced_address TEXT,              -- bounce: the recipient that failed
            bounce_status TEXT,                -- bounce: RFC 3464 status, e.g. 5.1.1
            bounce_diagnostic TEXT,
            suggestion TEXT,                   -- JSON (replies/suggestion.py)
            outcome TEXT,                      -- a person's triage
            triage TEXT,                       -- JSON: the triage's parameters and effects
            triaged_by TEXT,
            triaged_on TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX replies_customer ON replies(customer_id, status);
        CREATE INDEX replies_status ON replies(status, kind);
        CREATE TABLE mailbox_state (
            mailbox TEXT PRIMARY KEY,          -- <user>@<host>/<folder>
            uidvalidity INTEGER NOT NULL,
            last_uid INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE invalid_addresses (
            address TEXT PRIMARY KEY,          -- lower case
            reply_id INTEGER REFERENCES replies(id) ON DELETE SET NULL,
            since TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT '',   -- RFC 3464 status of the bounce
            cleared_on TEXT,                   -- a person said the address works
            cleared_by TEXT
        );
        ALTER TABLE drafts ADD COLUMN bounced_on TEXT;
        ALTER TABLE llm_calls ADD COLUMN reply_id INTEGER;
        CREATE INDEX drafts_message_id ON drafts(message_id);
        """,
    ),
    (
        11,
        "account balances: unallocated credits per customer, collective customer accounts",
        """
        CREATE TABLE customer_credits (
            id INTEGER PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            source TEXT NOT NULL,           -- fec | invoices (the import that found it)
            ref TEXT NOT NULL,              -- stable key within the source
            on_date TEXT NOT NULL,
            amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
            currency TEXT NOT NULL DEFAULT 'EUR',
            label TEXT,
            file TEXT NOT NULL,
            lines TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            UNIQUE (source, ref)
        );
        CREATE INDEX customer_credits_customer ON customer_credits(customer_id);
        ALTER TABLE customers ADD COLUMN collective INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE customers ADD COLUMN collective_reason TEXT;
        """
        + _money_guard("customer_credits", ("amount_cents",)),
    ),
    (
        12,
        "sources agree: payments keyed by source + external reference; what an export saw paid",
        """
        ALTER TABLE payments ADD COLUMN external_ref TEXT;
        CREATE UNIQUE INDEX payments_source_ref ON payments(source, external_ref)
            WHERE external_ref IS NOT NULL;
        ALTER TABLE invoices ADD COLUMN observed_paid_cents INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE invoices ADD COLUMN observed_on TEXT;
        """
        + _money_guard("invoices", ("observed_paid_cents",)).replace(
            "invoices_cents_", "invoices_observed_cents_"
        ),
    ),
    (
        13,
        "bank statements, their lines, payment matches and the customers' known IBANs",
        """
        CREATE TABLE bank_statements (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL,              -- IBAN (compact), else the bank's account id
            currency TEXT NOT NULL,
            format TEXT NOT NULL,               -- camt053 | cfonb120 | ofx | csv
            reference TEXT,
            opening_date TEXT,
            closing_date TEXT NOT NULL,         -- the day up to which the bank's data reaches
            opening_cents INTEGER,
            closing_cents INTEGER,
            file TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            lines_added INTEGER NOT NULL DEFAULT 0,
            imported_at TEXT NOT NULL
        );
        CREATE INDEX bank_statements_account ON bank_statements(account, closing_date);
        CREATE TABLE bank_lines (
            id INTEGER PRIMARY KEY,
            statement_id INTEGER NOT NULL REFERENCES bank_statements(id),
            account TEXT NOT NULL,
            line_key TEXT NOT NULL UNIQUE,      -- bank reference, else a stable hash
            booking_date TEXT NOT NULL,
            value_date TEXT,
            amount_cents INTEGER NOT NULL,      -- signed: a credit is positive
            currency TEXT NOT NULL,
            reversal INTEGER NOT NULL DEFAULT 0,
            label TEXT NOT NULL DEFAULT '',
            payer TEXT,
            payer_iban TEXT,
            remittance TEXT NOT NULL DEFAULT '',
            bank_ref TEXT,
            end_to_end TEXT,
            kind_code TEXT,
            reverses_line_id INTEGER REFERENCES bank_lines(id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX bank_lines_account ON bank_lines(account, amount_cents);
        CREATE TABLE payment_matches (
            id INTEGER PRIMARY KEY,
            line_id INTEGER NOT NULL UNIQUE REFERENCES bank_lines(id),
            status TEXT NOT NULL CHECK (status IN
                ('proposed', 'applied', 'rejected', 'unmatched', 'reversed')),
            chosen INTEGER,                     -- rank of the candidate applied
            auto INTEGER NOT NULL DEFAULT 0,    -- applied by policy, without a person
            decided_by TEXT,
            decided_on TEXT,
            reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX payment_matches_status ON payment_matches(status);
        CREATE TABLE match_candidates (
            match_id INTEGER NOT NULL REFERENCES payment_matches(id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,              -- 0: the best proposal
            customer_id TEXT NOT NULL REFERENCES customers(id),
            score INTEGER NOT NULL,
            evidence TEXT NOT NULL DEFAULT '[]', -- JSON [{code, ...parameters}]
            PRIMARY KEY (match_id, rank)
        );
        CREATE TABLE match_allocations (
            match_id INTEGER NOT NULL REFERENCES payment_matches(id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,
            invoice_number TEXT NOT NULL REFERENCES invoices(number),
            amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
            PRIMARY KEY (match_id, rank, invoice_number)
        );
        CREATE INDEX match_allocations_invoice ON match_allocations(invoice_number);
        CREATE TABLE customer_bank_accounts (
            iban TEXT NOT NULL,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            source TEXT NOT NULL,               -- match:<id> (learned) or manual
            first_seen TEXT NOT NULL,
            PRIMARY KEY (iban, customer_id)
        );
        """
        + "\n".join(
            _money_guard(table, columns)
            for table, columns in (
                ("bank_statements", ("opening_cents", "closing_cents")),
                ("bank_lines", ("amount_cents",)),
                ("match_allocations", ("amount_cents",)),
            )
        ),
    ),
    (
        14,
        "daily routine: the files of the watched folder already processed",
        """
        CREATE TABLE daily_files (
            sha256 TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT,
            outcome TEXT NOT NULL CHECK (outcome IN ('imported', 'rejected')),
            detail TEXT,
            at TEXT NOT NULL
        );
        """,
    ),
    (
        15,
        "drafts: fact checks of the current text, and a person's override with its reason",
        """
        ALTER TABLE drafts ADD COLUMN checks TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE drafts ADD COLUMN override_reason TEXT;
        """,
    ),
    (
        16,
        "drafts: the policy version a queued draft's text was last checked against",
        """
        ALTER TABLE drafts ADD COLUMN checked_version TEXT;
        """,
    ),
    (
        18,
        "indexes for per-customer planning: payment plans by customer and by invoice",
        """
        CREATE INDEX IF NOT EXISTS payment_plans_customer ON payment_plans(customer_id);
        CREATE INDEX IF NOT EXISTS payment_plan_invoices_invoice
            ON payment_plan_invoices(invoice_number);
        """,
    ),
    (
        19,
        "users: the people of a team and their role (docs/roles.md)",
        """
        CREATE TABLE users (
            name TEXT PRIMARY KEY CHECK (length(trim(name)) > 0),
            role TEXT NOT NULL CHECK (role IN ('accountant', 'collector', 'manager', 'admin')),
            email TEXT,
            enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            disabled_at TEXT
        );
        CREATE INDEX IF NOT EXISTS events_draft ON events(draft_id);
        """,
    ),
    (
        21,
        "drafts: the reason and the error note as a code with JSON parameters (assistant/"
        "reasons.py); the old text columns stay for rows written before",
        """
        ALTER TABLE drafts ADD COLUMN reason_code TEXT;
        ALTER TABLE drafts ADD COLUMN reason_params TEXT;
        ALTER TABLE drafts ADD COLUMN error_code TEXT;
        ALTER TABLE drafts ADD COLUMN error_params TEXT;
        """,
    ),
    (
        22,
        "drafts: a version counted at every change (compare-and-set), and who has a draft open"
        " (claims: docs/concurrency.md)",
        """
        ALTER TABLE drafts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        CREATE TABLE draft_claims (
            draft_id INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
            person TEXT NOT NULL CHECK (length(trim(person)) > 0),
            claimed_at TEXT NOT NULL,
            held_until TEXT NOT NULL,
            PRIMARY KEY (draft_id)
        );
        """,
    ),
    (
        23,
        "people write as themselves (docs/team.md): customer owners, a signature per person,"
        " several contacts per customer with a role",
        """
        ALTER TABLE customers ADD COLUMN owner TEXT REFERENCES users(name);
        CREATE INDEX customers_owner ON customers(owner);
        ALTER TABLE users ADD COLUMN signature TEXT;
        CREATE TABLE customer_contacts (
            id INTEGER PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('accounting', 'purchasing', 'management')),
            email TEXT NOT NULL CHECK (length(trim(email)) > 0),
            name TEXT,
            phone TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (customer_id, role, email)
        );
        CREATE INDEX customer_contacts_customer ON customer_contacts(customer_id);
        """,
    ),
    (
        24,
        "drafts: the review queue's first page in its default order and its counts read from"
        " indexes (storage/queue_repo.py)",
        """
        CREATE INDEX drafts_queue_days ON drafts(status, max_days_late DESC, id);
        CREATE INDEX drafts_queue_summary ON drafts(status, segment, checks);
        """,
    ),
    (
        25,
        "policy files in the database (docs/policies-db.md): on PostgreSQL every desk reads and"
        " edits the same policies and templates; a missing row is the shipped default",
        """
        CREATE TABLE policy_files (
            path TEXT PRIMARY KEY CHECK (length(trim(path)) > 0),
            text TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        );
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
        # Foreign keys off while a migration runs (SQLite's procedure for rebuilding a table:
        # dropping a referenced table must not cascade), then checked before the commit.
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            # executescript runs the whole script; BEGIN..COMMIT makes it atomic.
            conn.executescript(f"BEGIN IMMEDIATE;\n{script}\n;{record}")
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration {version}: foreign keys broken: {broken[:5]}")
            conn.execute("COMMIT")
        except Exception:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.execute("PRAGMA foreign_keys = ON")
        ran.append(version)
    return ran
