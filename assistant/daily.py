"""`relance daily`: the morning routine, unattended (cron or a systemd timer).

1. Import what waits in the watched folder (`RELANCE_WATCH_DIR`, default `<home>/a-importer`),
   each file once (by its SHA-256, whatever its name): customers, invoices, FEC and payments
   exports first, then bank statements (so a statement is matched against this morning's
   invoices). A refused file is reported, recorded, and not retried until its content changes.
2. Fetch replies when a mailbox is configured (the hook `Service.fetch_replies`, if present).
3. Draft what is due (the freshness gate applies: stale data drafts nothing and says why).
4. Report what awaits a person: drafts to review, approved drafts to send, credits to confirm,
   tasks (calls, escalations, holds); printed, or e-mailed with `--mail-to`.
The run exits 1 when a file was refused or the gate stopped the drafting.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.bank.facade import StaleDataError
from assistant.bank.formats import detect
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.imports import columns, fec
from assistant.imports.reader import header_score, read_table
from assistant.labels import step_label
from assistant.storage import bank_repo
from assistant.storage.drafts_lifecycle import DraftStatus

if TYPE_CHECKING:
    from assistant.service import Service
    from assistant.team.digest import DigestReport

ORDER = ("customers", "invoices", "fec", "payments", "bank")


@dataclass
class DailyFile:
    name: str
    kind: str | None
    outcome: str  # imported | rejected
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"file": self.name, "kind": self.kind, "outcome": self.outcome,
                "detail": self.detail}  # fmt: skip


@dataclass
class DailyReport:
    as_of: date
    folder: Path
    files: list[DailyFile] = field(default_factory=list)
    already_seen: int = 0
    replies: str | None = None  # None: no mailbox configured
    drafted: int | None = None
    stale: str | None = None
    digest: DigestReport | None = None  # drafted on the scenario's `digest_day` only
    pending_drafts: int = 0
    approved_drafts: int = 0
    stuck_drafts: int = 0
    proposed_matches: int = 0
    unmatched_credits: int = 0
    tasks: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.stale is None and not any(f.outcome == "rejected" for f in self.files)

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "folder": str(self.folder),
            "files": [f.as_json() for f in self.files],
            "already_seen": self.already_seen,
            "replies": self.replies,
            "drafted": self.drafted,
            "stale": self.stale,
            "digest": None if self.digest is None else self.digest.as_json(),
            "awaiting": {
                "pending_drafts": self.pending_drafts,
                "approved_drafts": self.approved_drafts,
                "stuck_drafts": self.stuck_drafts,
                "proposed_matches": self.proposed_matches,
                "unmatched_credits": self.unmatched_credits,
                "tasks": self.tasks,
            },
            "ok": self.ok,
        }

    def lines(self) -> list[str]:
        out = [tr("relance daily au {d} — dossier {f}", "relance daily as of {d} — folder {f}",
                  d=self.as_of.isoformat(), f=self.folder)]  # fmt: skip
        if not self.files:
            out.append(
                tr("  aucun nouveau fichier ({n} déjà traité(s))",
                   "  no new file ({n} already processed)", n=self.already_seen)
            )  # fmt: skip
        for f in self.files:
            mark = "✓" if f.outcome == "imported" else "✗"
            out.append(f"  {mark} {f.name} ({f.kind or '?'}) : {f.detail}")
        if self.replies is not None:
            out.append(tr("  réponses : {r}", "  replies: {r}", r=self.replies))
        if self.stale:
            out.append(tr("  brouillons : aucun — {m}", "  drafts: none — {m}", m=self.stale))
        else:
            out.append(tr("  brouillons créés : {n}", "  drafts created: {n}", n=self.drafted))
        if self.digest is not None:
            out.append(
                tr(
                    "  point hebdomadaire des commerciaux : {n} à valider ; déjà en file : {u}",
                    "  salespeople's weekly digest: {n} to review; already queued: {u}",
                    n=len(self.digest.created),
                    u=self.digest.unchanged,
                )
            )
        out.append(tr("À traiter par une personne :", "Awaiting a person:"))
        out.append(
            tr(
                "  brouillons à valider : {n} (relance review)",
                "  drafts to review: {n} (relance review)",
                n=self.pending_drafts,
            )
        )
        out.append(
            tr(
                "  approuvés à envoyer : {n} (relance send)",
                "  approved, to send: {n} (relance send)",
                n=self.approved_drafts,
            )
        )
        out.append(
            tr(
                "  encaissements à confirmer : {p} · sans facture : {u} (relance matches)",
                "  receipts to confirm: {p} · without invoice: {u} (relance matches)",
                p=self.proposed_matches,
                u=self.unmatched_credits,
            )
        )
        if self.stuck_drafts:
            out.append(
                tr(
                    "  envois interrompus à vérifier : {n} (relance stuck)",
                    "  interrupted sends to check: {n} (relance stuck)",
                    n=self.stuck_drafts,
                )
            )
        tasks = ", ".join(f"{step_label(k)} {v}" for k, v in sorted(self.tasks.items())) or "0"
        out.append(tr("  tâches : {t}", "  tasks: {t}", t=tasks))  # fmt: skip
        return out


def guess_kind(path: Path) -> str | None:
    """bank (a statement), fec, or the accounting export whose header fits best."""
    if detect(path) is not None:
        return "bank"
    best: tuple[int, str | None] = (1, None)
    for kind in ("customers", "invoices", "payments", "fec"):
        try:
            if kind == "fec":
                table = read_table(path, fec.recognises, delimiters=fec.FEC_DELIMITERS,
                                   quoting=fec.FEC_QUOTING)  # fmt: skip
                score = header_score(table.headers, fec.recognises)
            else:
                table = read_table(path, partial(columns.recognises, kind))
                score = header_score(table.headers, partial(columns.recognises, kind))
        except UserError:
            continue
        if score > best[0]:
            best = (score, kind)
    return best[1]


def _import(service: Service, kind: str, path: Path) -> str:
    if kind == "bank":
        report = service.import_bank(path)
        return tr("{a} ligne(s) nouvelle(s), {p} encaissement(s) appliqué(s), {q} à confirmer",
                  "{a} new line(s), {p} receipt(s) applied, {q} to confirm",
                  a=report.added, p=report.applied, q=report.proposed)  # fmt: skip
    result = service.import_fec(path) if kind == "fec" else service.import_file(kind, path)
    return tr("{a} ajoutée(s), {u} mise(s) à jour", "{a} added, {u} updated",
              a=result.added, u=result.updated)  # fmt: skip


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _is_digest_day(service: Service, as_of: date) -> bool:
    """The scenario's `digest_day` (docs/team.md): the weekly digest is drafted that day."""
    day = service.scenario().digest_day
    return day is not None and _WEEKDAYS[as_of.weekday()] == day


def run_daily(
    service: Service,
    folder: Path,
    as_of: date,
    *,
    offline: bool = False,
    accept_stale: str | None = None,
) -> DailyReport:
    report = DailyReport(as_of, folder)
    store = service.store
    if folder.is_dir():
        seen = bank_repo.seen_files(store)
        waiting = []
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            if path.name.startswith((".", "~")):
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest in seen:
                report.already_seen += 1
                continue
            seen.add(digest)
            kind = guess_kind(path)
            waiting.append(
                (ORDER.index(kind) if kind else len(ORDER), path.name, path, kind, digest)
            )
        for _, name, path, kind, digest in sorted(waiting):
            try:
                if kind is None:
                    raise UserError(tr("type de fichier non reconnu", "file type not recognised"))
                item = DailyFile(name, kind, "imported", _import(service, kind, path))
            except UserError as exc:
                item = DailyFile(name, kind, "rejected", str(exc).splitlines()[0])
            with store.transaction():
                bank_repo.record_file(store, digest, name, kind, item.outcome, item.detail)
            report.files.append(item)
    fetch = getattr(service, "fetch_replies", None)
    if callable(fetch) and getattr(service.settings, "imap_host", None):
        try:
            report.replies = str(fetch())  # integration point for the mailbox (replies)
        except UserError as exc:
            report.replies = str(exc)
    try:
        report.drafted = len(
            service.draft(as_of, offline=offline, accept_stale=accept_stale).created
        )
    except StaleDataError as exc:
        report.stale = str(exc)
    if report.stale is None and _is_digest_day(service, as_of):  # stale data: not the digest either
        report.digest = service.salesperson_digests(as_of, accept_stale)  # type: ignore[attr-defined]
    counts = Counter(d.status for d in service.drafts(texts=False))
    report.pending_drafts = counts.get(DraftStatus.PENDING, 0)
    report.approved_drafts = counts.get(DraftStatus.APPROVED, 0)
    report.stuck_drafts = counts.get(DraftStatus.SENDING, 0)
    report.proposed_matches = len(service.matches("proposed"))
    report.unmatched_credits = len(service.matches("unmatched"))
    report.tasks = dict(Counter(a.step for a in service.plan(as_of).actions if a.requires_human))
    return report
