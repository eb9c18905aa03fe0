"""The litigation file (`relance dossier CUSTOMER --out PATH`): one zip with a readable PDF
summary, a machine-readable `dossier.json` (schema: `dossier.schema.json` beside this module)
and the invoice PDFs where known. What a lawyer, a collection agency or the injonction de payer
form needs: who owes what, since when, every reminder sent, calls, promises, disputes, replies,
payments, and the claims (principal, indemnities, interest by half-year), as of one date."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.company import load_company
from assistant.dates import format_date
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.labels import outcome_label, step_phrase
from assistant.money import cents_to_str, format_money
from assistant.rules.promises import load_promises
from assistant.statutory.claims import METHOD, Claims, claims_for_a_letter, method_text
from assistant.storage import statutory as db

if TYPE_CHECKING:
    from assistant.service import Service

SCHEMA_ID = "relance-dossier/1"
SCHEMA_FILE = Path(__file__).with_name("dossier.schema.json")


def _money(cents: int | None) -> str | None:
    return None if cents is None else cents_to_str(cents)


def build_dossier(
    service: Service, customer_id: str, as_of: date, currency: str | None = None
) -> dict[str, Any]:
    store = service.store
    customer = service.customer(customer_id)
    company = load_company(service.home)
    claims = claims_for_a_letter(store, service.home, customer_id, as_of, currency)
    grace = service.scenario().promise_grace_days
    proceedings = next((p for p in db.proceedings(store) if p.customer_id == customer_id), None)
    events = [e for e in store.events(customer_id=customer_id) if e["on_date"] <= as_of.isoformat()]

    def of(kind: str) -> list[dict[str, Any]]:
        return [e for e in events if e["kind"] == kind]

    invoices = [
        {**c.as_json(), "status": status, "pdf": _pdf_name(c.pdf_path)}
        for status, group in (
            ("overdue", claims.overdue),
            ("not_due", claims.not_due),
            ("disputed", claims.disputed),
        )
        for c in group
    ]
    rates = {r.half.key: r for r in claims.rates}
    return {
        "schema": SCHEMA_ID,
        "as_of": as_of.isoformat(),
        "currency": claims.currency,
        "creditor": {
            "name": company.name,
            "legal_form": company.legal_form or None,
            "siren": company.siren or None,
            "address": company.address or None,
            "email": company.email or None,
            "phone": company.phone or None,
            "iban": company.iban or None,
        },
        "debtor": {
            "id": customer.id,
            "name": customer.name,
            "legal_form": customer.legal_form,
            "siren": customer.siren,
            "address": customer.postal_address(),
            "country": customer.country,
            "email": customer.email,
            "phone": customer.phone,
            "language": customer.language,
            "proceedings": None
            if proceedings is None
            else {
                "kind": proceedings.kind,
                "published_on": proceedings.published_on.isoformat(),
                "declared_on": proceedings.declared_on.isoformat()
                if proceedings.declared_on
                else None,
            },
        },
        "invoices": invoices,
        "claims": {
            "outstanding": cents_to_str(claims.outstanding_cents),
            "overdue": cents_to_str(claims.principal_cents),
            "recovery_indemnity": cents_to_str(claims.indemnity_cents),
            "recovery_indemnity_per_invoice": cents_to_str(claims.indemnity_per_invoice_cents),
            "late_interest": cents_to_str(claims.interest_cents),
            "late_interest_by_half_year": [
                {"half_year": key, "rate": str(rates[key].rate), "amount": cents_to_str(cents)}
                for key, cents in claims.interest_by_half_year().items()
            ],
            "unallocated_credits": cents_to_str(claims.credits_cents),
            "total": cents_to_str(claims.total_cents),
            "disputed": cents_to_str(sum(c.outstanding_cents for c in claims.disputed)),
            "paid_late_indemnity": cents_to_str(claims.paid_late_indemnity_cents),
            "paid_late_invoices": [p.as_json() for p in claims.paid_late],
            "rates": [r.as_json() for r in claims.rates],
            "method": METHOD,
        },
        "reminders": [
            {
                "date": e["on_date"],
                "channel": e["data"].get("channel"),
                "step": e["data"].get("step"),
                "message_id": e["data"].get("message_id"),
                "subject": e["data"].get("subject"),
                "recipient": e["data"].get("recipient"),
                "tracking_number": e["data"].get("tracking_number"),
                "invoices": list(e["data"].get("invoices") or []),
            }
            for e in of("message.sent")
        ],
        "calls": [
            {
                "date": e["on_date"],
                "outcome": e["data"].get("outcome"),
                "note": e["data"].get("note"),
                "invoices": list(e["data"].get("invoices") or []),
            }
            for e in of("call.logged")
        ],
        "promises": [
            {
                "made_on": p.made_on.isoformat(),
                "promised_date": p.promised_date.isoformat(),
                "amount": _money(p.amount_cents),
                "expected": _money(p.amount_cents or p.expected_cents),
                "invoice_number": p.invoice_number,
                "status": p.status(as_of, grace),
            }
            for p in load_promises(store, grace, as_of)
            if p.customer_id == customer_id and p.made_on <= as_of
        ],
        "disputes": [
            {
                "date": e["on_date"],
                "invoice_number": e["invoice_number"],
                "event": "opened" if e["kind"] == "dispute.opened" else "resolved",
                "reason": e["data"].get("reason") or e["data"].get("note"),
            }
            for e in events
            if e["kind"] in ("dispute.opened", "dispute.resolved")
        ],
        "replies": [
            {
                "date": e["on_date"],
                "invoices": list(e["data"].get("invoices") or []),
                "summary": e["data"].get("subject") or e["data"].get("text"),
            }
            for e in of("customer.replied")
        ],
        "payments": [
            {
                "date": p["date"],
                "invoice_number": p["invoice_number"],
                "amount": cents_to_str(p["amount_cents"]),
                "source": p["source"],
            }
            for p in db.payments_of(store, customer_id, as_of)
        ],
        "notices": [
            {
                "draft_id": n["draft_id"],
                "as_of": n["as_of"],
                "deadline": n["deadline"],
                "total": cents_to_str(n["total_cents"]),
                "status": n["draft_status"],
                "sent_at": n["sent_at"],
                "posted_on": n["posted_on"],
                "tracking_number": n["tracking_number"],
            }
            for n in db.notices(store, customer_id)
            if n["as_of"] <= as_of.isoformat()
        ],
        "decisions": [
            {
                "date": d.decided_on.isoformat(),
                "decision": d.decision,
                "note": d.note,
                "amount": cents_to_str(d.amount_cents),
            }
            for d in db.decisions(store, customer_id)
            if d.decided_on <= as_of
        ],
        "limitation_warnings": [
            {
                "invoice_number": w.number,
                "due_date": w.due_date.isoformat(),
                "limitation_date": w.limitation_date.isoformat(),
            }
            for w in claims.limitations
        ],
    }


def _pdf_name(path: str | None) -> str | None:
    if path and Path(path).is_file():
        return f"factures/{Path(path).name}"
    return None


def summary_pdf(data: dict[str, Any], claims: Claims) -> bytes:
    from assistant.statutory.pdf import Doc, render  # reportlab: loaded only to write a PDF

    loc = "fr_FR"
    cur = data["currency"]

    def money(text: str) -> str:
        from assistant.money import parse_amount

        return format_money(parse_amount(text), cur, loc)

    def day(text: str) -> str:
        return format_date(date.fromisoformat(text[:10]), loc, "short")

    debtor, creditor = data["debtor"], data["creditor"]
    doc = Doc(
        tr("Dossier de recouvrement — {n}", "Collection file — {n}", n=debtor["name"]),
        creditor["name"],
    )
    doc.heading(doc.title)
    doc.para(
        tr(
            "Situation au {d}",
            "As of {d}",
            d=format_date(date.fromisoformat(data["as_of"]), loc, "long"),
        )
    )
    left = [
        tr("Créancier", "Creditor"),
        creditor["name"],
        " ".join(x for x in (creditor["legal_form"], creditor["siren"]) if x),
        creditor["address"] or "",
        creditor["email"] or "",
    ]
    right = [
        tr("Débiteur", "Debtor"),
        f"{debtor['name']} ({debtor['id']})",
        " ".join(x for x in (debtor["legal_form"], debtor["siren"]) if x),
        *debtor["address"],
        debtor["email"] or "",
        debtor["phone"] or "",
    ]
    doc.columns([x for x in left if x], [x for x in right if x])
    if debtor["proceedings"]:
        p = debtor["proceedings"]
        doc.para(
            tr(
                "Procédure collective : {k}, publiée le {d}",
                "Collective proceedings: {k}, published on {d}",
                k=p["kind"],
                d=p["published_on"],
            ),
            bold=True,
        )
    c = data["claims"]
    doc.heading(tr("Créance", "Claim"))
    rows = [
        [tr("Principal échu", "Overdue principal"), money(c["overdue"])],
        [
            tr("Indemnités forfaitaires (40 €)", "Fixed indemnities (40 €)"),
            money(c["recovery_indemnity"]),
        ],
        [tr("Intérêts de retard", "Late interest"), money(c["late_interest"])],
    ]
    rows += [
        [
            tr("  dont {h} à {r} %", "  of which {h} at {r}%", h=x["half_year"], r=x["rate"]),
            money(x["amount"]),
        ]
        for x in c["late_interest_by_half_year"]
    ]
    if c["unallocated_credits"] != "0.00":
        rows.append(
            [tr("Avoirs non imputés", "Unallocated credits"), "-" + money(c["unallocated_credits"])]
        )
    rows += [
        [tr("Total réclamé", "Total claimed"), money(c["total"])],
        [
            tr("Encours total (y c. non échu)", "Total outstanding (incl. not due)"),
            money(c["outstanding"]),
        ],
        [tr("En litige (non réclamé)", "Disputed (not claimed)"), money(c["disputed"])],
        [
            tr(
                "Indemnités sur factures payées en retard (information)",
                "Indemnities on invoices paid late (information)",
            ),
            money(c["paid_late_indemnity"]),
        ],
    ]
    doc.table([tr("Poste", "Item"), tr("Montant", "Amount")], rows, numeric_from=1)
    doc.small(tr("Méthode des intérêts : {m}.", "Interest method: {m}.", m=method_text()))
    doc.heading(tr("Factures", "Invoices"))
    doc.table(
        [
            tr("Facture", "Invoice"),
            tr("Émise", "Issued"),
            tr("Échéance", "Due"),
            tr("Montant", "Amount"),
            tr("Reste dû", "Outstanding"),
            tr("Retard", "Late"),
            tr("Statut", "Status"),
        ],
        [
            [
                i["invoice_number"],
                day(i["issue_date"]),
                day(i["due_date"]),
                money(i["amount"]),
                money(i["outstanding"]),
                str(i["days_late"]),
                i["status"],
            ]
            for i in data["invoices"]
        ],
        numeric_from=3,
    )
    history: list[list[str]] = []
    for r in data["reminders"]:
        what = f"{r['channel'] or ''} : {step_phrase(r['step'])}"
        if r["subject"]:
            what += f" — « {r['subject']} »"
        if r["tracking_number"]:
            what += tr(" — recommandé {t}", " — recorded delivery {t}", t=r["tracking_number"])
        history.append([r["date"], what, ", ".join(r["invoices"])])
    for call in data["calls"]:
        note = f" — {call['note']}" if call["note"] else ""
        history.append(
            [
                call["date"],
                tr("appel : ", "call: ") + outcome_label(call["outcome"]) + note,
                ", ".join(call["invoices"]),
            ]
        )
    for p in data["promises"]:
        history.append(
            [
                p["made_on"],
                tr(
                    "promesse pour le {d} ({s})",
                    "promise for {d} ({s})",
                    d=p["promised_date"],
                    s=p["status"],
                ),
                p["invoice_number"] or "",
            ]
        )
    for d in data["disputes"]:
        history.append(
            [
                d["date"],
                tr("litige {e} : {r}", "dispute {e}: {r}", e=d["event"], r=d["reason"] or ""),
                d["invoice_number"] or "",
            ]
        )
    for p in data["payments"]:
        history.append(
            [
                p["date"],
                tr("paiement {a}", "payment {a}", a=money(p["amount"])),
                p["invoice_number"],
            ]
        )
    for r in data["replies"]:
        history.append(
            [r["date"], tr("réponse du client", "customer reply"), ", ".join(r["invoices"])]
        )
    for d in data["decisions"]:
        history.append([d["date"], tr("décision : {d}", "decision: {d}", d=d["decision"]), ""])
    history.sort(key=lambda row: row[0])
    if history:
        doc.heading(tr("Historique", "History"))
        doc.table(
            [tr("Date", "Date"), tr("Événement", "Event"), tr("Factures", "Invoices")],
            [[day(h[0]), h[1], h[2]] for h in history],
        )
    if data["limitation_warnings"]:
        doc.heading(tr("Prescription", "Limitation"))
        for w in claims.limitations:
            doc.para(w.text())
    return render(doc)


def write_dossier(
    service: Service, customer_id: str, out: Path, as_of: date, currency: str | None = None
) -> dict[str, Any]:
    """Write the zip atomically (a temporary file renamed), or raise a one-line UserError."""
    if out.suffix.lower() != ".zip":
        raise UserError(tr("--out : un fichier .zip est attendu", "--out: a .zip file is expected"))
    if not out.parent.is_dir():
        raise UserError(tr("dossier inexistant : {p}", "no such folder: {p}", p=out.parent))
    data = build_dossier(service, customer_id, as_of, currency)
    claims = claims_for_a_letter(service.store, service.home, customer_id, as_of, currency)
    files = ["resume.pdf", "dossier.json"]
    attachments = []
    for inv in claims.overdue + claims.not_due + claims.disputed:
        name = _pdf_name(inv.pdf_path)
        if name and inv.pdf_path:
            attachments.append((name, Path(inv.pdf_path)))
            files.append(name)
    for n in db.notices(service.store, customer_id):
        if n["pdf_path"] and Path(n["pdf_path"]).is_file() and n["as_of"] <= as_of.isoformat():
            name = f"mises-en-demeure/{Path(n['pdf_path']).name}"
            attachments.append((name, Path(n["pdf_path"])))
            files.append(name)
    data["files"] = files
    fd, tmp = tempfile.mkstemp(prefix=".dossier-", suffix=".zip", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("resume.pdf", summary_pdf(data, claims))
            archive.writestr("dossier.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            for name, path in attachments:
                archive.write(path, name)
        Path(tmp).replace(out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    with service.store.transaction():
        service.store.record_event(
            "dossier.written",
            actor=service.actor,
            customer_id=customer_id,
            on_date=as_of,
            data={"path": str(out), "total_cents": claims.total_cents, "files": files},
        )
    return {
        "path": str(out),
        "files": files,
        "total": cents_to_str(claims.total_cents),
        "currency": claims.currency,
    }
