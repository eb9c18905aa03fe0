"""Formal notice (mise en demeure): a letter draft (channel `letter`) and its PDF.

The text comes from the manager's template `templates/<lang>/formal_notice.j2`, rendered in the
Jinja sandbox with computed facts (claims as of the notice date): never written by a model. The
draft is reviewed like any other (a person may edit the text, then approves it); the PDF is built
from the approved text plus the letterhead, both addresses and a detailed statement of the claim,
frozen when the notice was created. `send` e-mails it as an attachment when the policy allows
and the customer has an address; `relance notice ID --posted --tracking N` records the recorded
delivery (lettre recommandée avec accusé de réception).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.company import Company, load_company
from assistant.dates import format_date
from assistant.drafting.templates import TemplateStore
from assistant.errors import UserError
from assistant.i18n import tr, tr_in
from assistant.models import Customer
from assistant.money import cents_to_str, format_money, locale_for
from assistant.policyfile import policy_version
from assistant.reasons import Code, Reason, render
from assistant.rules.holds import load_holds
from assistant.statutory.claims import Claims, claims_for_a_letter, method_text
from assistant.statutory.rates import load_statutory_policy
from assistant.storage import statutory as db
from assistant.storage.drafts_lifecycle import DraftStatus, move
from assistant.storage.errors import IntegrityError

if TYPE_CHECKING:
    from assistant.service import Service

STEP = "formal_notice"
TEMPLATE = "formal_notice"
NOTICE_DIR = "notices"


@dataclass(frozen=True)
class NoticeResult:
    notice_id: int
    draft_id: int
    pdf_path: Path
    total_cents: int
    deadline: date
    currency: str


def create_notice(
    service: Service,
    customer_id: str,
    as_of: date,
    deadline_days: int | None = None,
    currency: str | None = None,
) -> NoticeResult:
    """A formal-notice draft for what the customer owes on `as_of` (overdue invoices)."""
    customer = service.customer(customer_id)
    _refuse_if_held(service, customer, as_of)
    policy = load_statutory_policy(service.home)
    days = policy.notice.deadline_days if deadline_days is None else deadline_days
    if not 1 <= days <= 90:
        raise UserError(tr("délai de 1 à 90 jours", "a deadline of 1 to 90 days"))
    if not customer.postal_address():
        raise UserError(
            tr(
                "{c} : adresse postale manquante (importez les colonnes Adresse, Code postal,"
                " Ville d'un fichier clients)",
                "{c}: no postal address (import the Address, Postal code, City columns of a"
                " customers file)",
                c=customer_id,
            )
        )
    claims = claims_for_a_letter(service.store, service.home, customer_id, as_of, currency)
    if not claims.overdue:
        raise UserError(
            tr(
                "{c} : aucune facture échue au {d}",
                "{c}: no overdue invoice on {d}",
                c=customer_id,
                d=as_of.isoformat(),
            )
        )
    if claims.estimated:
        raise UserError(
            tr(
                "taux absent du barème pour {h} : ajoutez-le à policies/statutory_rates.yaml"
                " avant une mise en demeure",
                "rate missing from the table for {h}: add it to policies/statutory_rates.yaml"
                " before a formal notice",
                h=", ".join(r.half.key for r in claims.estimated),
            )
        )
    company = load_company(service.home)
    deadline = as_of + timedelta(days=days)
    facts = _facts(customer, company, claims, deadline, days, policy.notice, as_of)
    rendered = TemplateStore(service.home).render(f"{customer.language}/{TEMPLATE}.j2", facts)
    total = _total(claims, policy.notice)
    recipient = None
    if policy.notice.send_by_email:  # the policy's route (management), else its own e-mail
        recipient, _cc = service.parties().email(service.store, customer, STEP, [])
    frozen = _frozen(customer, company, claims, deadline, days, policy.notice, facts, rendered)
    store = service.store
    try:
        with store.transaction():
            draft_id = db.insert_letter_draft(
                store,
                customer_id=customer.id,
                step=STEP,
                language=customer.language,
                recipient=recipient,
                subject=rendered.subject,
                body=rendered.body,
                template_name=f"{customer.language}/{TEMPLATE}.j2",
                policy_version=policy_version(service.home),
                as_of=as_of,
                total_cents=total,
                currency=claims.currency,
                max_days_late=max(c.days_late for c in claims.overdue),
                reason=Reason.of(Code.NOTICE_DECIDED),
                invoices={c.number: c.outstanding_cents for c in claims.overdue},
            )
            notice_id = db.insert_notice(
                store,
                {
                    "draft_id": draft_id,
                    "customer_id": customer.id,
                    "as_of": as_of.isoformat(),
                    "deadline": deadline.isoformat(),
                    "principal_cents": claims.principal_cents,
                    "indemnity_cents": frozen["indemnity_cents"],
                    "interest_cents": frozen["interest_cents"],
                    "credits_cents": claims.credits_cents,
                    "total_cents": total,
                    "currency": claims.currency,
                    "data": json.dumps(frozen, ensure_ascii=False, sort_keys=True),
                },
            )
            path = write_pdf(service.home, draft_id, frozen, rendered.subject, rendered.body)
            db.update_notice(store, notice_id, pdf_path=str(path))
            for kind in ("draft.created", "notice.created"):
                store.record_event(
                    kind,
                    actor=service.actor,
                    customer_id=customer.id,
                    draft_id=draft_id,
                    on_date=as_of,
                    data={
                        "step": STEP,
                        "channel": "letter",
                        "notice_id": notice_id,
                        "total_cents": total,
                        "deadline": deadline.isoformat(),
                        "invoices": [c.number for c in claims.overdue],
                    },
                )
    except IntegrityError as exc:
        pending = db.active_draft_id(store, customer.id, STEP)
        raise UserError(
            tr(
                "une mise en demeure est déjà en cours pour {c} (brouillon {i})",
                "a formal notice is already under way for {c} (draft {i})",
                c=customer.id,
                i=pending,
            )
        ) from exc
    return NoticeResult(notice_id, draft_id, path, total, deadline, claims.currency)


def _refuse_if_held(service: Service, customer: Customer, as_of: date) -> None:
    if customer.do_not_contact:
        raise UserError(
            tr(
                "{c} : client à ne pas contacter",
                "{c}: customer not to be contacted",
                c=customer.id,
            )
        )
    holds = load_holds(service.store, as_of, (customer.id,)).for_customer(customer.id)
    if holds:
        raise UserError(
            tr(
                "{c} : pas de mise en demeure ({r})",
                "{c}: no formal notice ({r})",
                c=customer.id,
                r=render(holds[0].reason),
            )
        )


def _total(claims: Claims, notice: Any) -> int:
    extra = (claims.indemnity_cents if notice.claim_indemnity else 0) + (
        claims.interest_cents if notice.claim_interest else 0
    )
    return max(claims.principal_cents + extra - claims.credits_cents, 0)


def _facts(
    customer: Customer,
    company: Company,
    claims: Claims,
    deadline: date,
    days: int,
    notice: Any,
    as_of: date,
) -> dict[str, object]:
    lang = customer.language
    loc = locale_for(lang, customer.country)

    def money(cents: int) -> str:
        return format_money(cents, claims.currency, loc)

    def day(d: date) -> str:
        return format_date(d, loc, "long")

    def percent(value: object) -> str:
        text = str(value)
        return (text.replace(".", ",") + " %") if lang == "fr" else f"{text}%"

    invoice_lines = "\n".join(
        tr_in(
            lang,
            "- Facture {n} du {i}, échue le {d} : {a}, reste dû {o} ({l} jours de retard)",
            "- Invoice {n} of {i}, due {d}: {a}, outstanding {o} ({l} days late)",
            n=c.number,
            i=day(c.issue_date),
            d=day(c.due_date),
            a=money(c.amount_cents),
            o=money(c.outstanding_cents),
            l=c.days_late,
        )
        for c in claims.overdue
    )
    by_half = claims.interest_by_half_year()
    rates = {r.half.key: r for r in claims.rates}
    rate_lines = "\n".join(
        tr_in(
            lang,
            "- {h} : taux annuel {r} ({b}) : {a}",
            "- {h}: annual rate {r} ({b}): {a}",
            h=_half_label(key, lang),
            r=percent(rates[key].rate),
            b=_basis(rates[key], lang),
            a=money(cents),
        )
        for key, cents in by_half.items()
    )
    return {
        "customer_name": customer.name,
        "company_name": company.name,
        "several": len(claims.overdue) > 1,
        "invoice_lines": invoice_lines,
        "principal": money(claims.principal_cents),
        "claim_indemnity": bool(notice.claim_indemnity and claims.indemnity_cents),
        "indemnity": money(claims.indemnity_cents),
        "indemnity_unit": money(claims.indemnity_per_invoice_cents),
        "claim_interest": bool(notice.claim_interest and claims.interest_cents),
        "interest": money(claims.interest_cents),
        "rate_lines": rate_lines,
        "interest_method": _method(lang),
        "credits": money(claims.credits_cents) if claims.credits_cents else "",
        "total_due": money(_total(claims, notice)),
        "as_of_date": day(as_of),
        "deadline": day(deadline),
        "deadline_days": days,
        "mention_proceedings": notice.mention_proceedings,
        "iban": company.iban,
        "payment_link": company.payment_link,
        "contact_person": company.contact_line(lang),
        "signature": company.signature(lang),
    }


def _method(lang: str) -> str:
    from assistant.i18n import language, set_language

    before = language()
    set_language(lang)
    try:
        return method_text()
    finally:
        set_language(before)


def _half_label(key: str, lang: str) -> str:
    year, half = key.split("-H")
    if lang == "fr":
        return f"{'1er' if half == '1' else '2nd'} semestre {year}"
    return f"H{half} {year}"


def _basis(rate: Any, lang: str) -> str:
    if rate.basis == "statutory":
        ecb = str(rate.ecb_rate).replace(".", ",") if lang == "fr" else str(rate.ecb_rate)
        return tr_in(lang, "taux BCE {e} % + 10 points", "ECB rate {e}% + 10 points", e=ecb)
    if rate.basis == "floor":
        return tr_in(lang, "3 fois le taux de l'intérêt légal", "3 times the legal interest rate")
    return tr_in(lang, "taux contractuel", "contractual rate")


def _frozen(
    customer: Customer,
    company: Company,
    claims: Claims,
    deadline: date,
    days: int,
    notice: Any,
    facts: dict[str, object],
    rendered: Any,
) -> dict[str, Any]:
    """What the PDF needs besides the (editable) text, as it was when the notice was made."""
    return {
        "language": customer.language,
        "country": customer.country,
        "as_of": claims.as_of.isoformat(),
        "deadline": deadline.isoformat(),
        "deadline_days": days,
        "currency": claims.currency,
        "sender": {
            "name": company.name,
            "legal_form": company.legal_form,
            "siren": getattr(company, "siren", ""),
            "address": company.address,
            "email": company.email,
            "phone": company.phone,
        },
        "debtor": {
            "id": customer.id,
            "name": customer.name,
            "legal_form": customer.legal_form,
            "siren": customer.siren,
            "address": customer.postal_address(),
            "email": customer.email,
        },
        "place": notice.place or _city(company.address),
        "invoices": [c.as_json() for c in claims.overdue],
        "rates": [r.as_json() for r in claims.rates],
        "principal_cents": claims.principal_cents,
        "indemnity_cents": claims.indemnity_cents if notice.claim_indemnity else 0,
        "interest_cents": claims.interest_cents if notice.claim_interest else 0,
        "credits_cents": claims.credits_cents,
        "total_cents": _total(claims, notice),
        "method": facts["interest_method"],
        "by_email": bool(notice.send_by_email and customer.email),
    }


def _city(address: str) -> str:
    """'27 quai des Célestins, 69002 Lyon' -> 'Lyon'."""
    last = address.rsplit(",", 1)[-1].strip()
    parts = last.split(" ", 1)
    return parts[1] if len(parts) == 2 and parts[0].isdigit() else last


def pdf_path(home: Path, draft_id: int) -> Path:
    return home / NOTICE_DIR / f"mise-en-demeure-{draft_id}.pdf"


def build_pdf(frozen: dict[str, Any], subject: str, body: str) -> bytes:
    from assistant.statutory.pdf import Doc, render  # reportlab: loaded only to write a PDF

    lang = frozen["language"]
    loc = locale_for(lang, frozen.get("country", "FR"))
    currency = frozen["currency"]

    def t(fr: str, en: str, **values: object) -> str:
        return tr_in(lang, fr, en, **values)

    def money(cents: int) -> str:
        return format_money(cents, currency, loc)

    def amount(text: str) -> str:
        from assistant.money import parse_amount

        return money(parse_amount(text))

    def day(text: str) -> str:
        return format_date(date.fromisoformat(text), loc, "short")

    sender, debtor = frozen["sender"], frozen["debtor"]
    left = [
        sender["name"],
        " ".join(
            x
            for x in (
                sender["legal_form"],
                t("SIREN {s}", "SIREN {s}", s=sender["siren"]) if sender["siren"] else "",
            )
            if x
        ),
        sender["address"],
        sender["email"],
        sender["phone"],
    ]
    right = [debtor["name"]]
    identity = [
        debtor["legal_form"] or "",
        t("SIREN {s}", "SIREN {s}", s=debtor["siren"]) if debtor["siren"] else "",
    ]
    right += [" ".join(x for x in identity if x), *debtor["address"]]
    as_of = date.fromisoformat(frozen["as_of"])
    doc = Doc(subject, sender["name"])
    doc.columns([x for x in left if x], [x for x in right if x]).space(6)
    doc.para(
        t("{p}, le {d}", "{p}, {d}", p=frozen["place"], d=format_date(as_of, loc, "long")),
        right=True,
    )
    doc.para(
        t("Lettre recommandée avec accusé de réception", "Recorded delivery letter"), bold=True
    )
    if frozen.get("by_email"):
        doc.small(t("Copie par e-mail à {e}", "Copy by e-mail to {e}", e=debtor["email"]))
    doc.para(t("Objet : {s}", "Subject: {s}", s=subject), bold=True).space(2)
    doc.text(body)
    doc.heading(t("Décompte au {d}", "Statement as of {d}", d=format_date(as_of, loc, "long")))
    doc.table(
        [
            t("Facture", "Invoice"),
            t("Date", "Date"),
            t("Échéance", "Due"),
            t("Montant", "Amount"),
            t("Reste dû", "Outstanding"),
            t("Retard (j)", "Days late"),
            t("Indemnité", "Indemnity"),
            t("Intérêts", "Interest"),
        ],
        [
            [
                i["invoice_number"],
                day(i["issue_date"]),
                day(i["due_date"]),
                amount(i["amount"]),
                amount(i["outstanding"]),
                str(i["days_late"]),
                amount(i["recovery_indemnity"]) if frozen["indemnity_cents"] else "—",
                amount(i["late_interest"]) if frozen["interest_cents"] else "—",
            ]
            for i in frozen["invoices"]
        ],
        numeric_from=3,
    )
    if frozen["interest_cents"]:
        doc.heading(t("Intérêts de retard par semestre", "Late interest by half-year"))
        rows = [
            [
                i["invoice_number"],
                f"{day(x['from'])} – {day(x['to'])}",
                str(x["days"]),
                (x["rate"].replace(".", ",") + " %") if lang == "fr" else x["rate"] + "%",
                amount(x["amount"]),
            ]
            for i in frozen["invoices"]
            for x in i["interest_by_half_year"]
        ]
        doc.table(
            [
                t("Facture", "Invoice"),
                t("Période", "Period"),
                t("Jours", "Days"),
                t("Taux annuel", "Annual rate"),
                t("Intérêts", "Interest"),
            ],
            rows,
            numeric_from=2,
        )
        doc.table(
            [t("Semestre", "Half-year"), t("Taux appliqué", "Rate applied"), t("Source", "Source")],
            [
                [
                    _half_label(r["half_year"], lang),
                    (r["rate"].replace(".", ",") + " %") if lang == "fr" else r["rate"] + "%",
                    r["source"],
                ]
                for r in frozen["rates"]
            ],
        )
        doc.small(t("Méthode : {m}.", "Method: {m}.", m=frozen["method"]))
    totals = [[t("Principal", "Principal"), money(frozen["principal_cents"])]]
    if frozen["indemnity_cents"]:
        totals.append(
            [t("Indemnités forfaitaires", "Fixed indemnities"), money(frozen["indemnity_cents"])]
        )
    if frozen["interest_cents"]:
        totals.append([t("Intérêts de retard", "Late interest"), money(frozen["interest_cents"])])
    if frozen["credits_cents"]:
        totals.append(
            [t("Avoirs déduits", "Credits deducted"), "-" + money(frozen["credits_cents"])]
        )
    totals.append([t("Total dû", "Total due"), money(frozen["total_cents"])])
    totals.append(
        [
            t("À régler au plus tard le", "To pay by"),
            format_date(date.fromisoformat(frozen["deadline"]), loc, "long"),
        ]
    )
    doc.table([t("Récapitulatif", "Summary"), ""], totals, numeric_from=1)
    return render(doc)


def write_pdf(home: Path, draft_id: int, frozen: dict[str, Any], subject: str, body: str) -> Path:
    path = pdf_path(home, draft_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(build_pdf(frozen, subject, body))
    tmp.replace(path)
    return path


def refresh_pdf(service: Service, draft_id: int) -> Path | None:
    """Rebuild a letter's PDF from its current text (after an edit, at approval)."""
    notice = db.notice_for_draft(service.store, draft_id)
    if notice is None:
        return None
    view = service.get_draft(draft_id)
    path = write_pdf(service.home, draft_id, notice["data"], view.subject, view.body)
    if notice["pdf_path"] != str(path):
        with service.store.transaction():
            db.update_notice(service.store, notice["id"], pdf_path=str(path))
    return path


def mark_posted(service: Service, draft_id: int, tracking: str, on: date) -> dict[str, Any]:
    """The approved letter went by recorded delivery: tracking number recorded; a letter not
    e-mailed yet becomes `sent` (it left)."""
    notice = db.notice_for_draft(service.store, draft_id)
    if notice is None:
        raise UserError(
            tr("{i} n'est pas une mise en demeure", "{i} is not a formal notice", i=draft_id)
        )
    tracking = tracking.strip()
    if not tracking:
        raise UserError(tr("numéro de suivi nécessaire", "a tracking number is required"))
    view = service.get_draft(draft_id)
    if view.status not in (DraftStatus.APPROVED, DraftStatus.SENT):
        raise UserError(
            tr(
                "brouillon {i} : statut {s}, approuvez la lettre avant de l'envoyer",
                "draft {i}: status {s}, approve the letter before posting it",
                i=draft_id,
                s=view.status,
            )
        )
    store = service.store
    with store.transaction():
        db.update_notice(store, notice["id"], posted_on=on.isoformat(), tracking_number=tracking)
        data = {
            "channel": "letter",
            "step": STEP,
            "tracking_number": tracking,
            "notice_id": notice["id"],
            "invoices": view.invoices,
            "subject": view.subject,
            "message_id": None,
            "recipient": "post",
        }
        if view.status == DraftStatus.APPROVED:
            move(store, draft_id, DraftStatus.APPROVED, DraftStatus.SENT, sent_at=store.now_iso())
            store.record_event(
                "message.sent",
                actor=service.actor,
                customer_id=view.customer_id,
                draft_id=draft_id,
                on_date=on,
                data=data,
            )
        store.record_event(
            "notice.posted",
            actor=service.actor,
            customer_id=view.customer_id,
            draft_id=draft_id,
            on_date=on,
            data=data,
        )
    return {
        "draft_id": draft_id,
        "tracking_number": tracking,
        "posted_on": on.isoformat(),
        "total": cents_to_str(notice["total_cents"]),
    }
