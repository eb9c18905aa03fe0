"""The service façade: the one entry point used by the CLI and the TUI.

Domain logic lives in the modules it calls (imports, rules, llm, delivery, stats); this class
wires them to the store and the settings, and keeps every write inside a transaction.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from assistant import people, policy_source, policy_verdict, roles
from assistant.bank.facade import BankFeatures
from assistant.config import Settings
from assistant.delivery.attachments import stored_attachment
from assistant.demo import DEFAULT_SEED
from assistant.drafting import conflicts, queue, queue_page
from assistant.drafting.queue import DraftView
from assistant.drafting.queue_page import QueuePage, QueueSummary, QueueView
from assistant.errors import PolicyError, UserError
from assistant.i18n import tr
from assistant.invoice_status import InvoiceStatus
from assistant.labels import invoice_status_label, status_label
from assistant.paths import bundled_dir
from assistant.reasons import Code, Reason
from assistant.roles import guarded
from assistant.storage import invoices_repo, repo
from assistant.storage.claims_repo import Claim
from assistant.storage.db import Clock, Store, utc_now
from assistant.storage.drafts_lifecycle import DraftStatus
from assistant.storage.select import open_home_store
from assistant.storage.users_repo import User
from assistant.team.facade import TeamFeatures

if TYPE_CHECKING:  # loaded lazily, by the methods that use them (start-up time)
    from assistant.briefs.brief import Brief
    from assistant.briefs.factsheet import FactSheet
    from assistant.cancel import Cancellation
    from assistant.company import Company
    from assistant.delivery.send import Sender, SendReport
    from assistant.demo.build import DemoSummary
    from assistant.drafting.pipeline import (
        DraftRequest,
        DraftRunReport,
        Rewriter,
    )
    from assistant.drafting.refresh import RefreshReport
    from assistant.drafting.templates import Rendered, TemplateStore
    from assistant.firm import CompanyRef
    from assistant.imports import ImportReport
    from assistant.kpis import Kpis
    from assistant.llm.backend import ChatBackend
    from assistant.models import Customer, Invoice
    from assistant.policy_io import PolicyImport
    from assistant.policy_source import OwnPolicy
    from assistant.replies import inbox, triage
    from assistant.rules import (
        Action,
        Plan,
        ScenarioPolicy,
    )
    from assistant.stats import PortfolioSummary
    from assistant.statutory.notice import NoticeResult
    from assistant.storage.replies_repo import Reply

T = TypeVar("T")


@dataclass(frozen=True)
class InitReport:
    home: Path
    database: Path | str  # the SQLite file, or the PostgreSQL URL without its password
    policies_copied: list[str]


class Service(BankFeatures, TeamFeatures):
    """Application façade over one home directory (database + editable policies)."""

    def __init__(self, settings: Settings, store: Store, *, actor: str = "user") -> None:
        self.settings = settings
        self.store = store
        self.actor = actor
        self.person: User | None = None  # the acting person once the team has people
        self.company: CompanyRef | None = None  # chosen with --company (docs/companies.md)
        # A chat model set by the caller (tests, embedding); else built from the settings.
        self.chat_backend: ChatBackend | None = None
        # policy problems met while reading (stats, briefs, send go on with shipped defaults)
        self.policy_warnings: list[str] = []
        self._checked: tuple[str, list[str]] | None = None  # (policy version, problems)
        if store.kind != "sqlite":  # policies live in the team's database (policies-db.md)
            policy_source.attach(settings.home, store)

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        actor: str = "user",
        create: bool = False,
        person: bool = True,
    ) -> Service:
        """The service of the home (or of the --company chosen, docs/companies.md). `person`
        False: nobody checked nor acting (the firm's own checks, `assistant/firm.py`)."""
        from assistant import firm

        company = firm.select(settings)  # None: the default company (the home's own)
        url = settings.database_url.get_secret_value() if settings.uses_postgres else None
        if url is None:
            _make_home(settings.home)  # the SQLite file lives there
        schema = company.schema if company is not None else None
        store = open_home_store(settings.home, url, clock, create=create, schema=schema)  # type: ignore[union-attr]
        if url is not None:  # once the database has answered: a refused command makes no folder
            try:
                _make_home(settings.home)
            except UserError:
                store.close()
                raise
        service = cls(settings, store, actor=actor)
        service.company = company
        if not person:
            return service
        try:
            service.person = people.acting_user(service.store, settings.user)
        except UserError:
            service.close()
            if company is None:
                raise
            raise firm.not_granted(firm.acting_name(settings), company) from None
        except BaseException:
            service.close()
            raise
        if service.person is not None:  # events name the person (docs/roles.md)
            service.actor = service.person.name
        return service

    # -- people and roles (docs/roles.md) -------------------------------------------------
    def may(self, operation: str) -> bool:
        """May the acting person run `operation` (a key of `roles.OPERATIONS`)? Always
        True while the database has no people."""
        return self.person is None or roles.allowed(operation, self.person.role)

    def require(self, operation: str) -> None:
        """The one gate: a UserError naming the role `operation` needs, nothing done."""
        if self.person is not None:
            people.require(self.person, operation)

    def users(self) -> list[User]:
        return people.all_users(self.store)

    def add_user(self, name: str, role: str, email: str | None = None) -> User:
        return people.add_user(self.store, name, role, email, self.actor)

    def disable_user(self, name: str) -> User:
        return people.disable_user(self.store, name, self.actor)

    def export_status(self, as_of: date) -> list[dict[str, Any]]:
        """`relance export status`: one row per customer and open invoice (docs/contracts.md)."""
        from assistant.export_status import status_rows
        from assistant.storage.export_repo import open_invoice_rows

        return status_rows(open_invoice_rows(self.store), self.plan(as_of).actions, as_of)

    @property
    def home(self) -> Path:
        return self.settings.home

    def close(self) -> None:
        policy_source.detach(self.settings.home, self.store)
        self.store.close()

    # -- home -------------------------------------------------------------------------
    def init_home(self) -> InitReport:
        """Create the home, the database and editable copies of the shipped policies."""
        copied: list[str] = []
        source = bundled_dir("policies")
        target = self.home / "policies"
        shared = self.store.kind != "sqlite"  # the team's policies are in the database
        for path in [] if shared else sorted(source.rglob("*")):
            if path.is_dir() or path.name.startswith((".", "_")):
                continue
            dest = target / path.relative_to(source)
            if dest.exists():
                continue  # never overwrite the manager's edits
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
            copied.append(str(dest.relative_to(self.home)))
        with self.store.transaction():
            self.store.record_event("home.initialised", actor=self.actor, data={"copied": copied})
        where = getattr(self.store, "url", None) or self.settings.db_path  # never a password
        return InitReport(self.home, where, copied)

    # -- demo and portfolio summary -----------------------------------------------------
    @classmethod
    def demo(
        cls,
        settings: Settings,
        *,
        as_of: date | None = None,
        seed: int = DEFAULT_SEED,
        clock: Clock = utc_now,
    ) -> DemoHome:
        """Build a fresh demo in `settings.home`; refuse a home holding a non-demo database."""
        from assistant.demo.bank import add_demo_statement
        from assistant.demo.build import build_demo, demo_summary
        from assistant.demo.home import (
            HomeState,
            clear_demo_home,
            home_state,
            remove_database,
            write_demo_company,
            write_marker,
        )
        from assistant.demo.replies import add_demo_replies

        # always a SQLite home, its own company (never the team's database, nor a --company)
        settings = settings.model_copy(update={"database_url": None, "company": None})
        home = settings.home
        state = home_state(home)
        if state is HomeState.FOREIGN:
            raise UserError(
                tr(
                    "{db} existe et n'est pas une démo : refus de l'écraser. "
                    "Choisissez un autre dossier avec --home.",
                    "{db} exists and is not a demo: refusing to overwrite it. "
                    "Choose another directory with --home.",
                    db=settings.db_path,
                )
            )
        if state is HomeState.DEMO:
            clear_demo_home(home)
        service = cls.open(settings, clock=clock)
        try:
            summary = build_demo(service.store, as_of or service.store.today(), seed)
            write_marker(home, summary)
            service.init_home()
            write_demo_company(home)
            add_demo_replies(service, summary.as_of)
            add_demo_statement(service.store, home, summary.as_of)
            summary = demo_summary(service.store)
        except BaseException:
            service.close()
            remove_database(home)
            raise
        return DemoHome(service, summary, home, recreated=state is HomeState.DEMO)

    def demo_summary(self) -> DemoSummary:
        """The summary of the demo this home holds (UserError if it holds none)."""
        from assistant.demo.build import demo_summary

        return demo_summary(self.store)

    def portfolio_summary(self, as_of: date) -> PortfolioSummary:
        """Open and overdue amounts, overdue by age bucket, disputes, pending promises."""
        from assistant.stats import portfolio_summary

        return portfolio_summary(self.store, as_of)

    # -- imports ----------------------------------------------------------------------
    def import_file(
        self,
        kind: str,
        path: Path,
        *,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Import invoices, customers or payments from a CSV/XLSX file (all-or-nothing)."""
        if f"import {kind}" in roles.OPERATIONS:  # the role table, as `guarded` (per kind)
            self.require(f"import {kind}")
        from assistant.imports import import_file

        return import_file(
            self.store,
            kind,
            path,
            actor=self.actor,
            dry_run=dry_run,
            progress=progress,
            attachments_root=self.settings.attachments_dir,
        )

    @guarded("import fec")
    def import_fec(
        self,
        path: Path,
        *,
        dry_run: bool = False,
        terms_days: int | None = None,
        split_collective: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Customers and open receivables (accounts 411*) from a FEC file, using lettering.
        Due date = piece date + the customer's terms, else `terms_days`, else the policy's
        `default_payment_terms_days`."""
        from assistant.imports import import_fec

        if terms_days is None:
            terms_days = self.scenario().default_payment_terms_days
        return import_fec(
            self.store,
            path,
            actor=self.actor,
            dry_run=dry_run,
            terms_days=terms_days,
            split_collective=split_collective,
            progress=progress,
        )

    # -- rules: plan, disputes, promises ------------------------------------------------
    def scenario(self) -> ScenarioPolicy:
        """The scenario policy in effect (PolicyError if the manager's copy is invalid)."""
        from assistant.rules import load_scenario

        return load_scenario(self.home)

    def plan(self, as_of: date, *, explain: bool = False) -> Plan:
        """Due actions on `as_of`, with the reasons; reads only. `explain`: also why each
        open invoice has no action today. Refused while a policy file is invalid."""
        from assistant.rules import make_plan

        self.check_policies()
        return make_plan(self.store, self.home, as_of, explain=explain)

    def plan_for(self, customer_id: str, as_of: date) -> Plan:
        """One customer's plan: exactly the full plan's actions, skips and warnings for it,
        reading only its data (briefs, calls, regenerating a draft)."""
        from assistant.rules import make_plan

        self.check_policies()
        return make_plan(self.store, self.home, as_of, customer_ids=(customer_id,))

    def policy_problems(self) -> list[str]:
        """Every problem of the policy files in effect (validated as the editor does),
        remembered per policy version."""
        version = self.policy_version()
        if self._checked is None or self._checked[0] != version:
            found = policy_verdict.remembered(self.home, version)  # no validator loaded
            if found is None:
                from assistant import policy_edit

                found = policy_edit.checked_policy_problems(self.home, version)
            self._checked = (version, found)
        return self._checked[1]

    def policy_verdict_known(self) -> bool:
        """Is the verdict on the policy files in effect known without validating them (the
        remembered one)? Validating takes about a second: the TUI does it in a worker."""
        version = self.policy_version()
        if self._checked is not None and self._checked[0] == version:
            return True
        return policy_verdict.remembered(self.home, version) is not None

    def check_policies(self) -> None:
        """Planning and drafting need every policy file valid: PolicyError otherwise."""
        problems = self.policy_problems()
        if problems:
            raise PolicyError(
                tr(
                    "politique invalide, planification et brouillons arrêtés : {p}",
                    "invalid policy, planning and drafting stopped: {p}",
                    p=problems[0],
                )
                + (
                    tr(" (+{n} autre(s))", " (+{n} more)", n=len(problems) - 1)
                    if len(problems) > 1
                    else ""
                )
            )

    def reading(self, load: Callable[[Path | None], T]) -> T:
        """A policy for reading only (results, briefs, sending approved drafts): the home's,
        or, when it is invalid, the shipped one, with a warning kept in `policy_warnings`."""
        try:
            return load(self.home)
        except PolicyError as exc:
            warning = tr(
                "{e} — valeurs livrées par défaut utilisées en attendant la correction",
                "{e} — shipped defaults used until it is fixed",
                e=str(exc).splitlines()[0],
            )
            if warning not in self.policy_warnings:
                self.policy_warnings.append(warning)
            return load(None)

    def invoice(self, number: str) -> Invoice:
        """The invoice, or a clear error."""
        invoice = repo.get_invoice(self.store, number)
        if invoice is None:
            raise UserError(tr("facture inconnue : {n}", "unknown invoice: {n}", n=number))
        return invoice

    def customer(self, customer_id: str) -> Customer:
        """The customer, or a clear error."""
        customer = repo.get_customer(self.store, customer_id)
        if customer is None:
            raise UserError(tr("client inconnu : {c}", "unknown customer: {c}", c=customer_id))
        return customer

    @guarded("dispute")
    def open_dispute(self, number: str, reason: str) -> Invoice:
        """Block an invoice at once: no reminder until the dispute is resolved."""
        invoice = self.invoice(number)
        if not reason.strip():
            raise UserError(tr("un motif est nécessaire", "a reason is required"))
        if invoice.status is not InvoiceStatus.OPEN:
            raise UserError(
                tr(
                    "{n} est {s} : seul une facture ouverte peut être contestée",
                    "{n} is {s}: only an open invoice can be disputed",
                    n=number,
                    s=invoice_status_label(invoice.status.value),
                )
            )
        with self.store.transaction():
            self._set_status(number, InvoiceStatus.DISPUTED)
            self.store.record_event(
                "dispute.opened",
                actor=self.actor,
                customer_id=invoice.customer_id,
                invoice_number=number,
                data={"reason": reason.strip()},
            )
            self._after_state_change(number, Reason.of(Code.DISPUTE_OPENED))
        return self.invoice(number)

    @guarded("resolve")
    def resolve_dispute(self, number: str, note: str | None = None) -> Invoice:
        invoice = self.invoice(number)
        if invoice.status is not InvoiceStatus.DISPUTED:
            raise UserError(tr("{n} n'est pas en litige", "{n} is not disputed", n=number))
        status = InvoiceStatus.OPEN if invoice.outstanding_cents > 0 else InvoiceStatus.PAID
        with self.store.transaction():
            self._set_status(number, status)
            self.store.record_event(
                "dispute.resolved",
                actor=self.actor,
                customer_id=invoice.customer_id,
                invoice_number=number,
                data={"status": status.value, "note": note},
            )
        return self.invoice(number)

    def _set_status(self, number: str, status: InvoiceStatus) -> None:
        invoices_repo.set_invoice_status(self.store, number, status)

    @guarded("promise")
    def record_promise(
        self,
        number: str,
        promised: date,
        amount_cents: int | None = None,
        *,
        made_on: date | None = None,
        source: str = "manual",
        note: str | None = None,
    ) -> int:
        """A promise to pay pauses reminders until its date + grace; broken, it calls a human."""
        invoice = self.invoice(number)
        made = made_on or self.store.today()
        if invoice.status is not InvoiceStatus.OPEN:
            raise UserError(
                tr(
                    "{n} est {s} : pas de promesse possible",
                    "{n} is {s}: no promise possible",
                    n=number,
                    s=invoice_status_label(invoice.status.value),
                )
            )
        from assistant.inputs import check_amount, check_horizon  # babel, dateutil

        check_horizon(promised, made, self.scenario().promise_horizon_months, "--date")
        if amount_cents is not None:
            check_amount(amount_cents, invoice.outstanding_cents, "--amount")
        with self.store.transaction():
            promise_id = repo.insert_promise(
                self.store,
                invoice.customer_id,
                number,
                promised,
                amount_cents,
                made,
                source=source,
                note=note,
                actor=self.actor,
            )
            self._after_state_change(number, Reason.of(Code.PROMISE_TO_PAY))
        return promise_id

    def mark_done(self, action: Action, on_date: date, *, source: str = "manual") -> int:
        """Record a planned action as done (a call made, an escalation decided...)."""
        with self.store.transaction():
            return repo.mark_steps_done(
                self.store,
                list(action.invoices),
                action.step,
                on_date,
                source=source,
                actor=self.actor,
                channel=action.channel,
                instalment_id=action.instalment_id,
            )

    def _after_state_change(self, invoice_number: str, why: Reason) -> None:
        """Inside the transaction of a dispute/promise/payment: drafts naming the invoice that
        have not left yet are cancelled (the next `draft` run proposes what is still due)."""
        queue.cancel_for_invoice(self.store, invoice_number, why, self.actor)

    # -- drafts -------------------------------------------------------------------------
    def policy_version(self) -> str:
        from assistant.policyfile import policy_version  # YAML: not for commands that only read

        return policy_version(self.home)

    @guarded("draft")
    def draft(
        self,
        as_of: date,
        *,
        offline: bool = False,
        progress: Callable[[int, int], None] | None = None,
        accept_stale: str | None = None,
        on_wait: Callable[[], None] | None = None,
    ) -> DraftRunReport:
        """Drafts for the plan's actions (idempotent: a second run the same day adds nothing).
        Refused when the payment data is stale, unless `accept_stale` gives the reason.
        With example company facts the drafts are made, and the report says what to fill in.
        One run at a time per home: another one waits (`on_wait` is told), then adds nothing."""
        from assistant.company import load_company, placeholder_problem
        from assistant.drafting.lock import draft_lock
        from assistant.drafting.pipeline import run_drafts
        from assistant.drafting.templates import TemplateStore

        self.check_fresh("draft", as_of, accept_stale)
        if not offline and self.llm_available:
            from assistant.llm.guardrails import warm_up

            # the guardrails' language model (0.5 s of CPU, its decompression off the GIL)
            # loads while the plan is made and the SDK imported, not while answers wait
            warm_up()
        company = load_company(self.home)
        with draft_lock(self.home, on_wait, self.company.code if self.company else None):
            plan = self.plan(as_of)
            refreshed = self.refresh_drafts()
            report = run_drafts(
                self.store,
                plan,
                company,
                TemplateStore(self.home),
                rewriter=None if offline or not self.llm_available else self._rewriter(),
                policy_version=self.policy_version(),
                actor=self.actor,
                progress=progress,
                parties=self.parties(),
            )
        report.notes[:0] = refreshed.lines()
        if problem := placeholder_problem(company):
            report.notes.insert(0, problem)
        return report

    def refresh_drafts(self) -> RefreshReport:
        """Queued drafts made under another policy version are rendered again; those whose
        text changes get a new version to review (see `drafting/refresh.py`)."""
        from assistant.company import load_company
        from assistant.drafting.refresh import refresh_drafts
        from assistant.drafting.templates import TemplateStore

        return refresh_drafts(
            self.store,
            load_company(self.home),
            TemplateStore(self.home),
            policy_version=self.policy_version(),
            actor=self.actor,
            parties=self.parties(),
        )

    def company_problem(self) -> str | None:
        """Why nothing can be approved yet (example company facts), or None."""
        from assistant.company import load_company, placeholder_problem

        return placeholder_problem(load_company(self.home))

    @property
    def llm_available(self) -> bool:
        """Template mode without a key, or with RELANCE_LLM=off."""
        if self.settings.llm == "off":
            return False
        return self.chat_backend is not None or self.settings.llm_enabled

    def _backend(self) -> ChatBackend:
        from assistant.llm.backend import OpenAIBackend

        if self.chat_backend is not None:
            return self.chat_backend
        key = self.settings.openai_api_key
        if key is None:
            raise UserError(tr("OPENAI_API_KEY n'est pas défini", "OPENAI_API_KEY is not set"))
        return OpenAIBackend(
            api_key=key.get_secret_value(),
            model=self.settings.model,
            base_url=self.settings.openai_base_url,
            timeout_s=self.settings.llm_timeout_s,
            max_retries=self.settings.llm_max_retries,
        )

    def _rewriter(self, adjustment: str | None = None) -> Rewriter:
        from assistant.llm.prompts import PromptStore
        from assistant.llm.rewrite import LlmRewriter
        from assistant.llm.tone import load_tone_policy

        return LlmRewriter(
            backend=self._backend(),
            tone=load_tone_policy(self.home),
            prompts=PromptStore(self.home),
            store=self.store,
            concurrency=self.settings.llm_concurrency,
            adjustment=adjustment,
        )

    @guarded("regenerate")
    def regenerate(
        self,
        draft_id: int,
        *,
        adjustment: str | None = None,
        language: str | None = None,
        offline: bool = False,
        cancel: Cancellation | None = None,
        version: int | None = None,
    ) -> DraftView:
        """A new version of a pending draft (softer, firmer, shorter, longer; or another
        language), still within the policy; the old one is superseded (a compare-and-set on
        `version`, else the version read here). Once `cancel` is cancelled nothing is written
        (`Cancelled` is raised), even after the model answered."""
        from assistant.drafting.pipeline import outcome_checks, store_draft, template_outcome
        from assistant.llm.tone import TONE_ADJUSTMENTS

        view = queue.get_draft(self.store, draft_id)
        if version is not None and version != view.version:
            raise conflicts.StaleDraft(self.store, draft_id, version, DraftStatus.PENDING)
        if (other := conflicts.others_claim(self.store, draft_id, self.actor)) is not None:
            raise conflicts.Claimed(other, forceable=False)
        if view.status != DraftStatus.PENDING or view.channel in ("internal", "letter"):
            raise UserError(
                tr(
                    "brouillon {i} : seul un brouillon client en attente peut être régénéré",
                    "draft {i}: only a pending customer draft can be regenerated",
                    i=draft_id,
                )
            )
        if adjustment is not None and adjustment not in TONE_ADJUSTMENTS:
            raise UserError(
                tr(
                    "ton inconnu : {t} (attendu : {all})",
                    "unknown tone: {t} (expected: {all})",
                    t=adjustment,
                    all=", ".join(TONE_ADJUSTMENTS),
                )
            )
        if language is not None and language not in ("fr", "en"):
            raise UserError(tr("langue attendue : fr ou en", "expected language: fr or en"))
        req = self._request_for(view, language=language, llm=self.llm_available and not offline)
        if adjustment is not None and not req.rewrite:
            req = self._tone_variant(req, adjustment)  # no model: the manager's tone variant
        outcome = template_outcome(req)
        if req.rewrite:
            if cancel is not None:
                cancel.check()
            outcome = self._rewriter(adjustment)([req], lambda n: None)[0]
        same = (outcome.subject, outcome.body) == (view.subject, view.body)
        same = same and (req.recipient, req.cc) == (view.recipient, view.cc)  # new contacts
        if same and req.language == view.language and outcome.source == "template":
            raise UserError(
                tr(
                    "brouillon {i} : la nouvelle version serait identique, rien n'est changé",
                    "draft {i}: the new version would be the same, nothing changed",
                    i=draft_id,
                )
            )
        new_id = store_draft(
            self.store,
            req,
            outcome,
            policy_version=self.policy_version(),
            actor=self.actor,
            supersedes=draft_id,
            seen=view.version,
            tone_adjustment=adjustment,
            checks=outcome_checks(req, outcome),
            cancel=cancel,
        )
        return queue.get_draft(self.store, new_id)

    def _tone_variant(self, req: DraftRequest, adjustment: str) -> DraftRequest:
        """Without a model, another tone comes from a variant of the template written by the
        manager (`templates/fr/reminder_1.softer.j2`); without one, say a model is needed."""
        from assistant.drafting.templates import TemplateStore

        templates = TemplateStore(self.home)
        base = req.template_name.removesuffix(".j2")
        variant = f"{base}.{adjustment}.j2"
        if not templates.exists(variant):
            raise UserError(
                tr(
                    "changer le ton demande un modèle de langue (OPENAI_API_KEY) ou une variante"
                    " du modèle : policies/templates/{v}",
                    "changing the tone needs a language model (OPENAI_API_KEY) or a variant of"
                    " the template: policies/templates/{v}",
                    v=variant,
                )
            )
        context = {**req.facts.context, **req.facts.values}
        return replace(req, template_name=variant, fallback=templates.render(variant, context))

    def _request_for(
        self,
        view: DraftView,
        *,
        language: str | None = None,
        llm: bool = False,
        templates: TemplateStore | None = None,
        company: Company | None = None,
    ) -> DraftRequest:
        """The drafting request behind a pending draft, rebuilt from today's facts."""
        from assistant.company import load_company
        from assistant.drafting.pipeline import build_requests
        from assistant.drafting.templates import TemplateStore
        from assistant.rules import Plan

        plan = self.plan_for(view.customer_id, date.fromisoformat(view.plan_date))
        actions = [
            a for a in plan.actions if a.customer_id == view.customer_id and a.step == view.step
        ]
        requests, _ = build_requests(
            self.store,
            Plan(plan.as_of, actions),
            company or load_company(self.home),
            templates or TemplateStore(self.home),
            llm_enabled=llm,
            language=language or view.language,
            parties=self.parties(),
        )
        req = next((r for r in requests if r.channel == view.channel), None)
        if req is None:
            raise UserError(
                tr(
                    "brouillon {i} : l'action n'est plus due (situation changée)",
                    "draft {i}: the action is no longer due (situation changed)",
                    i=view.id,
                )
            )
        return req

    def call_tasks(self, as_of: date) -> list[Action]:
        """Today's tasks for a person: calls, missed instalments, escalations (replies to
        triage have their own screen)."""
        from assistant.replies.holds import REPLY_PENDING, REPLY_QUESTION

        replies = (REPLY_PENDING, REPLY_QUESTION)
        return [a for a in self.plan(as_of).actions if a.requires_human and a.step not in replies]

    def find_customer(self, text: str) -> str:
        """A customer id from an id or a name (accents and case ignored) that names only one
        customer; a clear error otherwise."""
        from assistant.search import match_customers

        if repo.get_customer(self.store, text.strip()) is not None:
            return text.strip()  # the id itself: no need to read every name
        names = self.customer_names()
        found = match_customers(names, text)
        if len(found) == 1:
            return found[0]
        if not found:
            raise UserError(tr("client inconnu : {c}", "unknown customer: {c}", c=text))
        listed = ", ".join(f"{names[c]} ({c})" for c in found[:5])
        raise UserError(
            tr(
                "« {t} » désigne plusieurs clients : {l}{more} ; précisez le nom ou le code",
                "'{t}' names several customers: {l}{more}; give more of the name or the id",
                t=text,
                l=listed,
                more=" …" if len(found) > 5 else "",
            )
        )

    def customer_names(self) -> dict[str, str]:
        """Customer id -> name, for screens that list ids."""
        return invoices_repo.customer_names(self.store)

    # -- policies (manager) -------------------------------------------------------------
    def policy_files(self) -> list[str]:
        from assistant import policy_edit

        return policy_edit.list_policies(self.home)

    def validate_policy(self, relative: str, text: str) -> None:
        from assistant import policy_edit

        policy_edit.validate_policy(self.home, relative, text)

    def read_policy(self, relative: str) -> str:
        from assistant import policy_edit

        return policy_edit.read_policy(self.home, relative)

    def policy_file(self, relative: str) -> OwnPolicy:
        """The file in effect with, on PostgreSQL, its version (0: the shipped default) and
        who saved it: the editor saves against that version (docs/policies-db.md)."""
        from assistant import policy_edit

        return policy_edit.policy_file(self.home, relative)

    @guarded("policies")
    def save_policy(self, relative: str, text: str, *, seen: int | None = None) -> SavedPolicy:
        """Validate then save (the previous version is kept); queued drafts follow the new
        policy (re-rendered, to review again when their text changes). `seen`: the version
        the person edited (PostgreSQL): another desk's save since refuses this one."""
        from assistant import policy_edit

        before = self.policy_version()
        old_text = self.read_policy(relative)
        policy_edit.validate_policy(self.home, relative, text)
        changes = policy_edit.fact_changes(relative, old_text, text)
        with self.store.transaction():  # the row (or file) and its event together
            version = policy_edit.save_policy(
                self.home, relative, text, self.store.clock(), seen=seen, actor=self.actor
            )
            after = self.policy_version()
            self.store.record_event(
                "policy.saved",
                actor=self.actor,
                data={
                    "file": relative,
                    "from_version": before,
                    "to_version": after,
                    "file_version": version,
                    "changes": changes,
                },
            )
        refreshed = self.refresh_drafts()
        notes = [c["text"] for c in changes] + refreshed.lines()
        return SavedPolicy(after, notes, refreshed, version)

    def policy_list(self) -> list[dict[str, Any]]:
        """`relance policy list`: every policy file in effect and where it comes from."""
        from assistant import policy_io

        return policy_io.listing(self.home)

    def export_policies(self, folder: Path) -> list[str]:
        """`relance policy export DIR`: the files in effect, written as files."""
        from assistant import policy_io

        return policy_io.export(self.home, folder)

    @guarded("policy import")
    def import_policies(self, folder: Path, *, dry_run: bool = False) -> PolicyImport:
        """`relance policy import DIR`: every file validated as the editor does, then all
        written (through the database on PostgreSQL) with one event each, or none."""
        from assistant import policy_io

        report = policy_io.import_folder(
            self.home, self.store, self.actor, self.policy_version, folder, dry_run=dry_run
        )
        if report.changed and not dry_run:
            report.notes.extend(self.refresh_drafts().lines())
        return report

    def preview_policy(self, draft_id: int, relative: str, text: str) -> Rendered:
        """A real draft re-rendered under an edited (unsaved) policy; refused if invalid."""
        from assistant import policy_edit
        from assistant.company import Company, load_company
        from assistant.drafting.refresh import request_for
        from assistant.drafting.templates import Rendered, TemplateStore
        from assistant.llm.tone import TonePolicy
        from assistant.policyfile import parse_policy_text

        policy_edit.validate_policy(self.home, relative, text)
        view = queue.get_draft(self.store, draft_id)
        if relative == "tone.yaml":
            tone = parse_policy_text(text, TonePolicy, relative)
            rule = tone.rule_for(view.step, view.segment, view.language)
            return Rendered(view.subject, rule.model_dump_json(indent=1))
        templates, company = TemplateStore(self.home), None
        if relative.startswith("templates/"):
            templates = TemplateStore(self.home, {relative.removeprefix("templates/"): text})
        elif relative == "company.yaml":
            company = parse_policy_text(text, Company, relative)
        # rebuilt from the draft itself (no plan needed: previews work on internal notices,
        # and while another policy file is being fixed)
        company = company or self.reading(load_company)
        req = request_for(self.store, view, company, templates, self.parties())
        return req.fallback

    def template_variables(self, name: str | None = None) -> list[str]:
        """The variables a template may use (shown by the policy editor); `name` (e.g.
        `templates/fr/formal_notice.j2`) for a template with its own set."""
        from assistant import policy_edit

        return policy_edit.template_variables(name)

    def drafts(self, status: str | None = None, *, texts: bool = True) -> list[DraftView]:
        return queue.list_drafts(self.store, status, texts=texts)

    # -- the review queue, one page at a time (filtered, sorted and counted by SQL) ----------
    def queue_page(self, view: QueueView, number: int, size: int) -> QueuePage:
        return queue_page.page(self.store, view, number, size)

    def queue_ids(self, view: QueueView) -> list[int]:
        return queue_page.ids(self.store, view)

    def queue_summary(self, status: str | None) -> QueueSummary:
        return queue_page.summary(self.store, status)

    def drafts_by_ids(self, ids: Iterable[int]) -> list[DraftView]:
        return queue_page.by_ids(self.store, ids)

    def draft_count(self, status: DraftStatus) -> int:
        return queue_page.count(self.store, status)

    def get_draft(self, draft_id: int) -> DraftView:
        """One draft, with its attachments (name, size, or why one cannot be attached)."""
        view = queue.get_draft(self.store, draft_id)
        view.attachments = []
        for number in view.invoices:
            invoice = repo.get_invoice(self.store, number)
            if invoice is not None and invoice.pdf_path:
                found = stored_attachment(invoice.pdf_path, self.settings.attachments_dir)
                view.attachments.append(found)
        view.by = people.draft_people(self.store, draft_id)
        if (claim := conflicts.holder(self.store, draft_id)) is not None:
            view.claim = {"person": claim.person, "until": claim.held_until}
        return view

    # -- two people on one queue (docs/concurrency.md) ------------------------------------
    def claim_draft(self, draft_id: int) -> Claim:
        """Open a draft (the interface's draft view): the person's claim for a few minutes,
        or the live claim of the other person who has it open."""
        queue.get_draft(self.store, draft_id)
        return conflicts.claim(self.store, draft_id, self.actor)

    @guarded("edit")
    def take_over_draft(self, draft_id: int) -> Claim:
        """Take a draft over from the person who has it open (recorded as an event)."""
        return conflicts.take_over(self.store, draft_id, self.actor)

    def release_draft(self, draft_id: int) -> None:
        conflicts.release(self.store, draft_id, self.actor)

    def draft_claims(self) -> dict[int, Claim]:
        """Drafts other people have open now (the queue's marker)."""
        return conflicts.others_claims(self.store, self.actor)

    @guarded("approve")
    def approve(
        self,
        draft_ids: list[int],
        on: date | None = None,
        *,
        override: str | None = None,
        versions: Mapping[int, int] | None = None,
        force: bool = False,
    ) -> list[DraftView]:
        """A person's yes; a text failing the fact checks needs `override` (the reason).
        All or nothing: every id is checked first; one refused, none is approved.
        `versions`: the version of each draft the person saw (a stale one is refused);
        `force`: act on drafts another person has open (recorded)."""
        from assistant.statutory import notice

        if problem := self.company_problem():
            raise UserError(problem)
        day = on or self.store.today()
        ids = self._known_drafts(draft_ids)
        seen = versions or {}
        with self.store.transaction():
            conflicts.check_free(self.store, ids, self.actor, force=force, operation="approve")
            views = [
                queue.approve(self.store, i, day, self.actor, override, seen=seen.get(i))
                for i in ids
            ]
            conflicts.released_after(self.store, ids)
        for view in views:
            if view.channel == "letter":  # the PDF carries the approved text
                notice.refresh_pdf(self, view.id)
        return views

    @guarded("reject")
    def reject(
        self,
        draft_ids: list[int],
        reason: str,
        on: date | None = None,
        *,
        versions: Mapping[int, int] | None = None,
        force: bool = False,
    ) -> list[DraftView]:
        """All or nothing, as `approve`."""
        day = on or self.store.today()
        ids = self._known_drafts(draft_ids)
        seen = versions or {}
        with self.store.transaction():
            conflicts.check_free(self.store, ids, self.actor, force=force, operation="reject")
            views = [
                queue.reject(self.store, i, reason, day, self.actor, seen=seen.get(i)) for i in ids
            ]
            conflicts.released_after(self.store, ids)
            return views

    def _known_drafts(self, draft_ids: list[int]) -> list[int]:
        """The ids once each, in order; UserError naming the first unknown one."""
        ids = list(dict.fromkeys(draft_ids))
        for draft_id in ids:
            queue.get_draft(self.store, draft_id)
        return ids

    @guarded("unapprove")
    def unapprove(
        self, draft_ids: list[int], *, versions: Mapping[int, int] | None = None
    ) -> list[DraftView]:
        """Back to pending, until the send starts (all ids checked first: all or nothing)."""
        views = [queue.get_draft(self.store, i) for i in draft_ids]
        for view in views:
            if view.status != DraftStatus.APPROVED:
                raise UserError(
                    tr(
                        "brouillon {i} : {s}, seul un brouillon approuvé et pas encore parti"
                        " peut revenir en attente",
                        "draft {i}: {s}, only an approved draft not yet sent can go back"
                        " to pending",
                        i=view.id,
                        s=status_label(view.status),
                    )
                )
        seen = versions or {}
        with self.store.transaction():
            ids = [v.id for v in views]
            conflicts.check_free(self.store, ids, self.actor, force=False, operation="unapprove")
            return [queue.unapprove(self.store, i, self.actor, seen=seen.get(i)) for i in ids]

    @guarded("edit")
    def edit_draft(
        self,
        draft_id: int,
        body: str,
        subject: str | None = None,
        *,
        version: int | None = None,
        force: bool = False,
    ) -> DraftView:
        """Save a person's edit with the fact checks of the new text. `version`: the one the
        person edited (else the one read here); `force`: as `approve`."""
        from assistant.statutory import notice

        view = queue.get_draft(self.store, draft_id)
        seen = view.version if version is None else version
        checks = self.check_text(draft_id, subject if subject is not None else view.subject, body)
        with self.store.transaction():
            conflicts.check_free(self.store, [draft_id], self.actor, force=force, operation="edit")
            view = queue.edit(self.store, draft_id, subject, body, self.actor, checks, seen=seen)
        if view.channel == "letter":
            notice.refresh_pdf(self, view.id)
        return view

    def check_text(self, draft_id: int, subject: str, body: str) -> list[str]:
        """The fact checks a draft's text would get (live in the editor, and on save): amounts,
        dates, references, IBAN, links, e-mail addresses, phone numbers, forbidden phrases."""
        from assistant.company import load_company
        from assistant.drafting.checks import check_text, facts_of_draft
        from assistant.llm.tone import load_tone_policy

        view = queue.get_draft(self.store, draft_id)
        facts = facts_of_draft(self.store, view, load_company(self.home))
        rule = None
        # the tone rules are the reminders'; a salesperson notice and a formal notice (a letter
        # whose words a manager's template sets) are not reminders
        if view.channel not in ("internal", "letter"):
            rule = load_tone_policy(self.home).rule_for(view.step, view.segment, view.language)
        return check_text(subject, body, facts, rule)

    # -- results ----------------------------------------------------------------------------
    def stats(self, as_of: date) -> Kpis:
        """KPIs: DSO, overdue by age, payment after each step, promises, drafts."""
        from assistant.kpis import compute_kpis
        from assistant.rules import load_scenario

        return compute_kpis(self.store, as_of, self.reading(load_scenario).promise_grace_days)

    # -- delivery ---------------------------------------------------------------------------
    def sender(self, *, backoff_s: float | None = None) -> Sender:
        """The send loop as configured (SMTP or `.eml` outbox); UserError if misconfigured."""
        from assistant.delivery.setup import make_sender
        from assistant.rules import load_scenario

        scenario = self.reading(load_scenario)
        return make_sender(
            self.store,
            self.settings,
            self.home,
            actor=self.actor,
            promise_grace_days=scenario.promise_grace_days,
            min_gap_days=scenario.min_gap_days,
            backoff_s=self.settings.send_backoff_s if backoff_s is None else backoff_s,
        )

    @guarded("send")
    def send(
        self,
        *,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
        accept_stale: str | None = None,
    ) -> SendReport:
        """Deliver approved drafts (exactly once); `sending` left by a crash is reported.
        Refused when the payment data is stale as of today, unless `accept_stale` says why.
        Approved drafts made under another policy or company facts are rendered again first:
        one whose text changes goes back to a person instead of leaving."""
        self.check_fresh("send", self.store.today(), accept_stale)
        renewed: list[int] = []
        if not dry_run:
            # a broken policy blocks drafting, not the send of approved drafts
            with contextlib.suppress(PolicyError):
                renewed = self.refresh_drafts().withdrawn
        report = self.sender().run(dry_run=dry_run, progress=progress)
        report.renewed = renewed
        return report

    @guarded("stuck")
    def resolve_stuck(self, draft_id: int, *, was_sent: bool) -> DraftView:
        from assistant.delivery.send import resolve_stuck

        return resolve_stuck(self.store, draft_id, was_sent=was_sent, actor=self.actor)

    # -- briefs and calls -----------------------------------------------------------------
    def _segment_of(self, customer_id: str, as_of: date, scenario: ScenarioPolicy) -> str:
        from assistant.rules import Planner, load_snapshot

        snap = load_snapshot(self.store, scenario, as_of, (customer_id,))
        facts = snap.customers.get(customer_id)
        return Planner(scenario).segment_for(facts, as_of).id if facts else "standard"

    def factsheet(
        self, customer_id: str, as_of: date, scenario: ScenarioPolicy | None = None
    ) -> FactSheet:
        from assistant.briefs.factsheet import build_factsheet
        from assistant.rules import load_scenario

        self.customer(customer_id)
        scenario = scenario or self.reading(load_scenario)
        return build_factsheet(
            self.store,
            customer_id,
            as_of,
            self._segment_of(customer_id, as_of, scenario),
            scenario.promise_grace_days,
        )

    def brief(self, customer_id: str, as_of: date, *, offline: bool = False) -> Brief:
        """Call-prep brief: facts, computed payment options, summary and script."""
        from assistant.briefs.brief import build_brief
        from assistant.briefs.options import load_plan_policy, plan_options
        from assistant.company import load_company
        from assistant.llm.brief import llm_brief
        from assistant.llm.prompts import PromptStore
        from assistant.llm.tone import load_tone_policy
        from assistant.rules import BusinessCalendar, load_scenario
        from assistant.rules.calendar import closing_spans
        from assistant.statutory.claims import claims_for

        scenario = self.reading(load_scenario)
        sheet = self.factsheet(customer_id, as_of, scenario)
        policy = self.reading(load_plan_policy)
        calendar = BusinessCalendar(scenario.sending_weekdays)
        spans = closing_spans([(p.start, p.end) for p in sheet.customer.closing_periods or []])
        options = plan_options(
            sheet.outstanding_cents, as_of, policy, calendar, sheet.customer.country, spans
        )
        company = self.reading(load_company)
        claims = claims_for(self.store, self.home, customer_id, as_of)
        brief = build_brief(sheet, options, company, policy, claims)
        if not offline and self.llm_available and not self.policy_warnings:
            brief = llm_brief(
                brief,
                self._backend(),
                load_tone_policy(self.home),
                PromptStore(self.home),
                self.store,
                company,
            )
        brief.owner = self.customer_owner(customer_id)  # docs/team.md
        brief.contacts = [c.as_json() for c in self.contacts(customer_id)]
        return brief

    @guarded("log-call")
    def log_call(
        self,
        customer_id: str,
        outcome: str,
        *,
        on: date,
        promised: date | None = None,
        amount_cents: int | None = None,
        instalments: int | None = None,
        invoice: str | None = None,
        note: str | None = None,
    ) -> dict[str, object]:
        """Record a call's outcome; it feeds the engine (promise, plan, dispute...)."""
        from assistant import calls

        return calls.log_call(
            self,
            customer_id,
            outcome,
            on=on,
            promised=promised,
            amount_cents=amount_cents,
            instalments=instalments,
            invoice=invoice,
            note=note,
        )

    # -- statutory: proceedings, escalation, formal notices, litigation files -----------------
    @guarded("proceedings")
    def set_proceedings(self, customer_id: str, **kwargs: Any) -> dict[str, Any]:
        """Collective proceedings: no reminder, call or notice; a declaration task instead."""
        from assistant.statutory import actions as statutory_actions

        return statutory_actions.set_proceedings(self, customer_id, **kwargs)

    @guarded("escalate")
    def escalate(
        self, customer_id: str, decision: str, *, on: date, note: str | None = None
    ) -> dict[str, Any]:
        """The escalation decision: plan, notice, handoff, writeoff (or resume)."""
        from assistant.statutory import actions as statutory_actions

        return statutory_actions.escalate(self, customer_id, decision, on=on, note=note)

    @guarded("notice")
    def create_notice(
        self,
        customer_id: str,
        as_of: date,
        deadline_days: int | None = None,
        currency: str | None = None,
    ) -> NoticeResult:
        """A formal-notice letter draft (PDF) for what the customer owes on `as_of`, in one
        currency (required when the customer owes in several)."""
        from assistant.statutory import notice

        return notice.create_notice(self, customer_id, as_of, deadline_days, currency)

    @guarded("notice")
    def notice_posted(self, draft_id: int, tracking: str, on: date) -> dict[str, Any]:
        from assistant.statutory import notice

        return notice.mark_posted(self, draft_id, tracking, on)

    @guarded("dossier")
    def dossier(
        self, customer_id: str, out: Path, as_of: date, currency: str | None = None
    ) -> dict[str, Any]:
        """The litigation file: one zip with a PDF summary, dossier.json and invoice PDFs."""
        from assistant.statutory.dossier import write_dossier

        self.customer(customer_id)
        return write_dossier(self, customer_id, out, as_of, currency)

    # -- customer replies (assistant/replies/) ---------------------------------------------
    @guarded("inbox fetch")
    def fetch_replies(self, *, suggest: bool = True) -> inbox.IngestReport:
        """New messages of the IMAP folder (RELANCE_IMAP_*): linked, held, suggested."""
        from assistant.replies import inbox

        return inbox.fetch_replies(self, suggest=suggest)

    @guarded("inbox import")
    def import_replies(self, path: Path, *, suggest: bool = True) -> inbox.IngestReport:
        """An `.eml` file, a folder of them or a Maildir (all or nothing)."""
        from assistant.replies import inbox

        return inbox.import_replies(self, path, suggest=suggest)

    def replies(self, status: str | None = None, customer_id: str | None = None) -> list[Reply]:
        from assistant.replies import inbox
        from assistant.storage import replies_repo

        inbox.status_check(status)
        return replies_repo.list_replies(self.store, status, customer_id)

    def reply(self, reply_id: int) -> Reply:
        from assistant.replies import triage

        return triage.get_reply(self, reply_id)

    @guarded("triage")
    def triage(self, reply_id: int, given: triage.TriageInput, *, on: date) -> Reply:
        """A person's decision on a reply: acts like a call outcome (see replies/triage.py)."""
        from assistant.replies import triage

        return triage.triage(self, reply_id, given, on=on)

    def answered_draft(self, reply: Reply) -> tuple[DraftView | None, bool]:
        """The message a reply answers: the one it threads to (True), else the last one sent
        to its customer before it arrived (False), else none."""
        if reply.draft_id is not None:
            return self.get_draft(reply.draft_id), True
        if reply.customer_id is None:
            return None, False
        from assistant.storage import replies_repo

        found = replies_repo.last_sent_draft(self.store, reply.customer_id, reply.received_at)
        return (self.get_draft(found) if found else None), False

    def purge_replies(self, as_of: date) -> int:
        from assistant.replies import inbox

        return inbox.purge_replies(self, as_of)

    @guarded("forget")
    def forget_customer(self, customer_id: str) -> dict[str, object]:
        """Erase a customer's messages on request; the accounting facts stay."""
        from assistant.replies import inbox

        return inbox.forget_customer(self, customer_id)


@dataclass
class SavedPolicy:
    """A saved policy file: the new policy version, what changed in words, the drafts redone."""

    version: str
    notes: list[str]
    refreshed: RefreshReport
    file_version: int | None = None  # the file's row version on PostgreSQL


@dataclass
class DemoHome:
    """A freshly built demo: its open service (the caller closes it), summary and home."""

    service: Service
    summary: DemoSummary
    home: Path
    recreated: bool  # a previous demo in this home was replaced


def _make_home(home: Path) -> None:
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            tr(
                "dossier inaccessible: {home} ({err})",
                "cannot use home: {home} ({err})",
                home=home,
                err=exc.strerror,
            )
        ) from exc
