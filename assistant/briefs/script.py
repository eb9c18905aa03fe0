"""The call script of a brief, in sections, and its template (offline) wording.

Sections: opening, facts to state, questions, likely objections with answers, the proposal,
a closing with a dated commitment. The template text is written from the fact sheet and the
computed options; the LLM version (llm/brief.py) fills the same sections through locked tokens.
Lines for the collector are in the collector's language; what to say to the customer (quoted)
is in the customer's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from assistant.briefs.factsheet import FactSheet, OpenInvoice
from assistant.briefs.options import PlanOption
from assistant.company import Company
from assistant.dates import format_date
from assistant.i18n import language, tr, tr_in, ui_locale
from assistant.labels import outcome_label, segment_phrase, step_phrase
from assistant.money import cents_to_str, format_money, locale_for

MAX_LISTED = 6  # invoices spelled out in "facts to state" (the table lists them all)


@dataclass
class Objection:
    objection: str
    answer: str


@dataclass
class Script:
    opening: str
    facts: list[str]
    questions: list[str]
    objections: list[Objection]
    proposal: str
    closing: str

    def lines(self) -> list[str]:
        """The flat `script` of `brief --json`: one labelled line per item."""
        return [
            tr("Ouverture : {t}", "Opening: {t}", t=self.opening),
            *(tr("Fait à rappeler : {t}", "Fact to state: {t}", t=f) for f in self.facts),
            *(tr("Question : {t}", "Question: {t}", t=q) for q in self.questions),
            *(
                tr("Objection « {o} » : {a}", "Objection “{o}”: {a}", o=x.objection, a=x.answer)
                for x in self.objections
            ),
            tr("Proposition : {t}", "Proposal: {t}", t=self.proposal),
            tr("Conclusion : {t}", "Closing: {t}", t=self.closing),
        ]

    def texts(self) -> list[str]:
        """Every piece of text (for the checks)."""
        pairs = [t for x in self.objections for t in (x.objection, x.answer)]
        return [self.opening, *self.facts, *self.questions, *pairs, self.proposal, self.closing]

    def map(self, fn: Callable[[str], str]) -> Script:
        return Script(
            fn(self.opening),
            [fn(f) for f in self.facts],
            [fn(q) for q in self.questions],
            [Objection(fn(x.objection), fn(x.answer)) for x in self.objections],
            fn(self.proposal),
            fn(self.closing),
        )

    def as_json(self) -> dict[str, object]:
        return {
            "opening": self.opening,
            "facts": self.facts,
            "questions": self.questions,
            "objections": [{"objection": x.objection, "answer": x.answer} for x in self.objections],
            "proposal": self.proposal,
            "closing": self.closing,
        }


@dataclass
class Levers:
    """Statutory levers, computed from the policy: information for the collector, no threat."""

    indemnity_cents: int = 0
    indemnity_invoices: int = 0
    indemnity_per_invoice_cents: int = 0
    interest_cents: int = 0
    interest_rate: str = ""  # annual rate in force on the brief's date, percent
    # (half-year key "2026-H2", annual rate, cents) for each half-year of the delays
    interest_by_half_year: tuple[tuple[str, str, int], ...] = ()
    paid_late_indemnity_cents: int = 0  # on invoices paid late within the policy's window
    paid_late_invoices: tuple[str, ...] = ()
    limitation_warnings: tuple[str, ...] = ()
    estimated_rates: tuple[str, ...] = ()  # half-years missing from the rate table

    @property
    def any(self) -> bool:
        return bool(
            self.indemnity_cents
            or self.interest_cents
            or self.paid_late_indemnity_cents
            or self.limitation_warnings
        )


@dataclass
class Recommendation:
    option_id: str | None
    why: str = ""


def money(cents: int, sheet: FactSheet, locale: str | None = None) -> str:
    return format_money(cents, sheet.currency, locale or ui_locale())


def day(d: date, locale: str | None = None) -> str:
    return format_date(d, locale or ui_locale(), "long")


def _fold_first(text: str) -> str:
    """The first letter without accent, lowercased (for French elision: d'Atelier)."""
    import unicodedata

    first = unicodedata.normalize("NFKD", text[:1].lower())[:1]
    return first or "x"


def plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _invoice_clause(i: OpenInvoice, sheet: FactSheet) -> str:
    return tr(
        "{n} : {a}, échue le {d} ({l} jours de retard)",
        "{n}: {a}, due on {d} ({l} days late)",
        n=i.number,
        a=money(i.outstanding_cents, sheet),
        d=day(i.due_date),
        l=i.days_late,
    )


def invoice_line(sheet: FactSheet) -> str:
    """The overdue invoices (else the open ones), one clause each."""
    invoices = sheet.overdue or [i for i in sheet.open_invoices if i.status == "open"]
    return " ; ".join(_invoice_clause(i, sheet) for i in invoices)


def not_due_line(sheet: FactSheet) -> str:
    return ", ".join(
        tr("{n} le {d}", "{n} on {d}", n=i.number, d=day(i.due_date)) for i in sheet.not_due
    )


def asks_overdue_only(option: PlanOption, sheet: FactSheet) -> bool:
    """`pay_now` settles the whole balance; on the phone we ask for what is overdue and let
    invoices not yet due keep their terms (asking for them early would be a wrong claim)."""
    return option.id == "pay_now" and bool(sheet.overdue) and bool(sheet.not_due)


def option_phrase(option: PlanOption, sheet: FactSheet, locale: str | None = None) -> str:
    """A computed option as a noun phrase (`2 mensualités (500,00 € le ... et ...)`)."""
    lang = "en" if (locale or ui_locale()).startswith("en") else "fr"
    if option.id == "pay_now":
        first = option.instalments[0]
        if asks_overdue_only(option, sheet):
            return tr_in(
                lang,
                "règlement des {a} échus au plus tard le {d}, le reste à ses échéances",
                "payment of the overdue {a} by {d} at the latest, the rest when due",
                a=money(sheet.overdue_cents, sheet, locale),
                d=day(first.date, locale),
            )
        return tr_in(
            lang,
            "règlement de {a} au plus tard le {d}",
            "payment of {a} by {d} at the latest",
            a=money(first.amount_cents, sheet, locale),
            d=day(first.date, locale),
        )
    parts = [
        tr_in(
            lang,
            "{a} le {d}",
            "{a} on {d}",
            a=money(x.amount_cents, sheet, locale),
            d=day(x.date, locale),
        )
        for x in option.instalments
    ]
    joined = ", ".join(parts[:-1]) + tr_in(lang, " et ", " and ") + parts[-1]
    return tr_in(
        lang,
        "{n} mensualités ({p})",
        "{n} monthly instalments ({p})",
        n=len(option.instalments),
        p=joined,
    )


def log_call_hint(sheet: FactSheet, option: PlanOption | None) -> str:
    """The exact `relance log-call` for the recommended option, once agreed."""
    cid = sheet.customer.id
    if option is None:
        return f"relance log-call {cid} --outcome promise --date AAAA-MM-JJ"
    if option.id == "pay_now":
        first = option.instalments[0]
        amount = sheet.overdue_cents if asks_overdue_only(option, sheet) else first.amount_cents
        return (
            f"relance log-call {cid} --outcome promise --date {first.date.isoformat()}"
            f" --amount {cents_to_str(amount)}"
        )
    return f"relance log-call {cid} --outcome plan --instalments {len(option.instalments)}"


def summary_text(sheet: FactSheet) -> str:
    """The situation in a few sentences: what is owed, how they pay, what happened lately."""
    c = sheet.customer
    open_count = sum(1 for i in sheet.open_invoices if i.status == "open")
    overdue = sheet.overdue
    parts = [
        tr(
            "{name} doit {total} sur {n} {inv}",
            "{name} owes {total} on {n} {inv}",
            name=c.name,
            total=money(sheet.outstanding_cents, sheet),
            n=open_count,
            inv=plural(
                open_count,
                tr("facture ouverte", "open invoice"),
                tr("factures ouvertes", "open invoices"),
            ),
        )
    ]
    if overdue:
        parts.append(
            tr(
                " : {a} échus sur {k} {inv} (jusqu'à {d} jours de retard)",
                ": {a} overdue on {k} {inv} (up to {d} days late)",
                a=money(sheet.overdue_cents, sheet),
                k=len(overdue),
                inv=plural(len(overdue), tr("facture", "invoice"), tr("factures", "invoices")),
                d=max(i.days_late for i in overdue),
            )
        )
        if sheet.not_due:
            parts.append(
                tr(
                    ", {a} pas encore échus",
                    ", {a} not yet due",
                    a=money(sum(i.outstanding_cents for i in sheet.not_due), sheet),
                )
            )
    elif open_count:
        parts.append(tr(", aucune encore échue", ", none overdue yet"))
    if sheet.credit_cents:
        parts.append(
            tr(
                " (factures : {g}, moins un crédit non affecté de {c} : paiement ou avoir à"
                " lettrer)",
                " (invoices: {g}, less an unallocated credit of {c}: a payment or credit note"
                " to letter)",
                g=money(sheet.gross_outstanding_cents, sheet),
                c=money(sheet.credit_cents, sheet),
            )
        )
    text = "".join(parts) + ". "
    if sheet.paid_count_12m and sheet.on_time_share is not None:
        n = sheet.paid_count_12m
        on_time = round(sheet.on_time_share * n)
        late = round(sheet.avg_days_late or 0)
        if on_time == 0:
            text += tr(
                "Sur 12 mois : {none} à l'échéance, {a} jours de retard en moyenne. ",
                "Over 12 months: {none} on time, {a} days late on average. ",
                none=tr("la facture réglée ne l'a pas été", "the paid invoice was not paid")
                if n == 1
                else tr(
                    "aucune des {n} factures réglées ne l'a été",
                    "none of the {n} paid invoices was paid",
                    n=n,
                ),
                a=late,
            )
        else:
            text += tr(
                "Sur 12 mois : {k} {f} sur {n} à l'échéance, {a} jours de retard en moyenne. ",
                "Over 12 months: {k} of {n} paid invoices paid on time, {a} days late on average. ",
                k=on_time,
                f=plural(on_time, "facture réglée", "factures réglées"),
                n=n,
                a=late,
            )
    if sheet.last_payment:
        text += tr(
            "Dernier paiement : {a} le {d}. ",
            "Last payment: {a} on {d}. ",
            a=money(sheet.last_payment[1], sheet),
            d=day(sheet.last_payment[0]),
        )
    if sheet.promises_made:
        made, kept, broken = sheet.promises_made, sheet.promises_kept, sheet.promises_broken
        bits = [tr("{m} {w}", "{m} made", m=made, w=plural(made, "faite", "faites"))]
        if kept == made:
            bits.append(tr("toutes tenues", "all kept") if made > 1 else tr("tenue", "kept"))
        else:
            if kept:
                bits.append(tr("{k} {w}", "{k} kept", k=kept, w=plural(kept, "tenue", "tenues")))
            if broken:
                bits.append(
                    tr(
                        "{b} {w}",
                        "{b} broken",
                        b=broken,
                        w=plural(broken, "non tenue", "non tenues"),
                    )
                )
            if made - kept - broken:
                bits.append(tr("{o} en cours", "{o} open", o=made - kept - broken))
        text += tr("Promesses : ", "Promises: ") + ", ".join(bits)
        if sheet.broken_promise_dates:
            text += tr(
                " (dernière non tenue : règlement promis pour le {d})",
                " (last broken: payment promised by {d})",
                d=day(sheet.broken_promise_dates[-1]),
            )
        text += ". "
    if sheet.open_promise_date:
        text += tr(
            "Promesse en cours : règlement promis pour le {d}. ",
            "Promise running: payment promised by {d}. ",
            d=day(sheet.open_promise_date),
        )
    numbers = {i.number for i in overdue}
    sent = sheet.reminders_about(numbers)
    if sent:
        last = sent[-1]
        text += tr(
            "Déjà {n} {msg} sur ces factures, la dernière le {d} ({s}). ",
            "Already {n} {msg} about these invoices, the last on {d} ({s}). ",
            n=len(sent),
            msg=plural(len(sent), tr("relance", "reminder"), tr("relances", "reminders")),
            d=day(last.on),
            s=step_phrase(last.step),
        )
    call = sheet.last_call
    if call:
        text += tr(
            "Dernier appel le {d} : {o}. ",
            "Last call on {d}: {o}. ",
            d=day(call.on),
            o=outcome_label(call.outcome),
        )
    if sheet.disputed_cents:
        disputed = ", ".join(i.number for i in sheet.open_invoices if i.status == "disputed")
        text += tr(
            "Litige en cours sur {a} ({n}) : ne pas en réclamer le paiement. ",
            "Dispute in progress on {a} ({n}): do not ask for that payment. ",
            a=money(sheet.disputed_cents, sheet),
            n=disputed,
        )
    if c.language != language():
        text += tr(
            "Client {l} : mener l'appel en {l2} (phrases à dire ci-dessous dans sa langue). ",
            "{l} customer: hold the call in {l2} (lines to say below in their language). ",
            l=tr("anglophone", "English-speaking")
            if c.language == "en"
            else tr("francophone", "French-speaking"),
            l2=tr("anglais", "English") if c.language == "en" else tr("français", "French"),
        )
    return text.strip()


def template_script(
    sheet: FactSheet, options: list[PlanOption], rec: Recommendation, company: Company
) -> Script:
    c = sheet.customer
    cust = "en" if c.language == "en" else "fr"
    cloc = locale_for(cust, c.country)
    overdue = sheet.overdue
    seller = (
        c.salesperson_name or c.salesperson_email or tr_in(cust, "le commercial", "the salesperson")
    )
    chosen = next((o for o in options if o.id == rec.option_id), None)
    plans = [o for o in options if o.id != "pay_now"]
    about = (
        tr_in(cust, "{n} factures échues", "{n} overdue invoices", n=len(overdue))
        if len(overdue) > 1
        else tr_in(cust, "une facture échue", "an overdue invoice")
        if overdue
        else tr_in(cust, "vos factures en cours", "your open invoices")
    )
    opening = tr(
        "demander la personne qui valide les paiements, puis : « {q} »",
        "ask for the person who approves payments, then: “{q}”",
        q=tr_in(
            cust,
            "Bonjour, ici {me}, {de}{co}. Je vous appelle au sujet de {about} ; avez-vous"
            " quelques minutes ?",
            "Hello, this is {me} from {co}. I'm calling about {about}; do you have a few minutes?",
            me=company.contact.name,
            de="d'" if _fold_first(company.name) in "aeiouy" else "de ",
            co=company.name,
            about=about,
        ),
    )

    facts = [_invoice_clause(i, sheet) for i in overdue[:MAX_LISTED]]
    if len(overdue) > MAX_LISTED:
        facts.append(
            tr(
                "et {n} autres (voir le tableau)",
                "and {n} more (see the table)",
                n=len(overdue) - MAX_LISTED,
            )
        )
    if len(overdue) > 1:
        facts.append(
            tr("Total échu : {a}", "Total overdue: {a}", a=money(sheet.overdue_cents, sheet))
        )
    if sheet.not_due:
        facts.append(
            tr(
                "Pas encore échu, à ne pas présenter comme un retard : {a} ({l})",
                "Not yet due, not to be presented as late: {a} ({l})",
                a=money(sum(i.outstanding_cents for i in sheet.not_due), sheet),
                l=not_due_line(sheet),
            )
        )
    sent = sheet.reminders_about({i.number for i in overdue})
    if sent:
        per_invoice = [
            f"{i.number} ({', '.join(dict.fromkeys(step_phrase(t.step) for t in steps))})"
            for i in overdue[:MAX_LISTED]
            if (steps := sheet.reminders_about({i.number}))
        ]
        facts.append(
            tr(
                "Déjà relancé : {l} ; dernier envoi le {d}",
                "Already reminded: {l}; last sent on {d}",
                l=", ".join(per_invoice),
                d=day(sent[-1].on),
            )
        )
    if sheet.broken_promise_dates:
        facts.append(
            tr(
                "Promesse non tenue : règlement promis pour le {d}",
                "Broken promise: payment promised by {d}",
                d=day(sheet.broken_promise_dates[-1]),
            )
        )
    if not facts:
        facts.append(
            tr("Encours : {a}", "Outstanding: {a}", a=money(sheet.outstanding_cents, sheet))
        )

    questions = [
        tr_in(
            cust,
            "Les factures ont-elles bien été reçues et validées pour paiement ?",
            "Were the invoices received and approved for payment?",
        ),
        tr_in(
            cust,
            "Un point bloque-t-il le règlement (bon de commande, adresse de facturation,"
            " prestation) ?",
            "Is anything blocking payment (purchase order, billing address, the work itself)?",
        ),
        tr_in(
            cust,
            "Qui valide les paiements, et quand a lieu votre prochaine campagne de virements ?",
            "Who approves payments, and when is your next payment run?",
        ),
        tr_in(
            cust,
            "Quelle date de règlement pouvez-vous me confirmer pour {a} ?",
            "Which payment date can you confirm for {a}?",
            a=money(sheet.overdue_cents or sheet.outstanding_cents, sheet, cloc),
        ),
    ]

    objections = [
        Objection(
            tr_in(cust, "Nous n'avons pas reçu la facture", "We never received the invoice"),
            tr_in(
                cust,
                "la renvoyer par e-mail pendant l'appel, vérifier l'adresse de facturation et"
                " convenir d'une date de règlement.",
                "resend it by e-mail during the call, check the billing address and agree on"
                " a payment date.",
            ),
        ),
        Objection(
            tr_in(cust, "Le paiement est parti", "The payment has been made"),
            tr_in(
                cust,
                "demander la date, le montant et la référence du virement ; ne clore qu'à"
                " réception des fonds.",
                "ask for the date, amount and reference of the transfer; close only once the"
                " money is in.",
            ),
        ),
        Objection(
            tr_in(cust, "Notre trésorerie est tendue", "Cash is tight at the moment"),
            tr_in(
                cust,
                "proposer {o} plutôt qu'un report sans date (autres options ci-dessous).",
                "offer {o} rather than an open-ended delay (other options below).",
                o=tr_in(cust, "l'option recommandée", "the recommended option")
                if chosen is not None and chosen.id != "pay_now"
                else tr_in(cust, "un échéancier", "a payment plan"),
            )
            if plans
            else tr_in(
                cust,
                "obtenir un premier versement daté plutôt qu'un report sans date.",
                "get a first dated payment rather than an open-ended delay.",
            ),
        ),
        Objection(
            tr_in(cust, "Nous contestons la prestation", "We dispute the work"),
            tr_in(
                cust,
                "noter le motif précis et la facture concernée, ouvrir un litige (les relances"
                " s'arrêtent) et prévenir {s}.",
                "note the exact reason and invoice, open a dispute (reminders stop) and tell {s}.",
                s=seller,
            ),
        ),
    ]
    if sheet.broken_promise_dates:
        objections.append(
            Objection(
                tr_in(cust, "Nous allons payer très bientôt", "We'll pay very soon"),
                tr_in(
                    cust,
                    "rappeler avec calme que le règlement promis pour le {d} n'est pas arrivé"
                    " à temps ; obtenir une date et un montant précis.",
                    "calmly recall that the payment promised by {d} did not arrive on time; get"
                    " an exact date and amount.",
                    d=day(sheet.broken_promise_dates[-1], cloc),
                ),
            )
        )

    plan = sheet.running_plan
    next_due = plan.next_due if plan is not None else None
    if next_due is not None:
        proposal = tr(
            "s'en tenir au plan de paiement en cours : échéance n° {n} de {a} le {d}"
            " (aucune autre option).",
            "stick to the payment plan in progress: instalment {n} of {a} on {d}"
            " (no other option).",
            n=next_due.seq,
            a=money(next_due.amount_cents, sheet),
            d=day(next_due.due),
        )
        commitment = tr_in(
            cust,
            "Je note donc l'échéance de {a} pour le {d}, comme convenu.",
            "So I'm noting the {a} instalment for {d}, as agreed.",
            a=money(next_due.amount_cents, sheet, cloc),
            d=day(next_due.due, cloc),
        )
    elif chosen is None:
        proposal = tr("demander une date de paiement ferme.", "ask for a firm payment date.")
        commitment = tr_in(
            cust,
            "Je note donc votre règlement pour le … ; je vous le confirme par e-mail aujourd'hui.",
            "So I'm noting your payment for …; I'll confirm it by e-mail today.",
        )
    else:
        proposal = option_phrase(chosen, sheet)
        if sheet.not_due and not asks_overdue_only(chosen, sheet):
            proposal += tr(
                ", pour tout l'encours dont {a} pas encore échus",
                ", for the whole balance, {a} of it not yet due",
                a=money(sum(i.outstanding_cents for i in sheet.not_due), sheet),
            )
        proposal += "."
        if rec.why:
            proposal += tr(" Pourquoi : {w}.", " Why: {w}.", w=rec.why)
        commitment = tr_in(
            cust,
            "Je récapitule : {p}. Je vous le confirme par e-mail aujourd'hui.",
            "To sum up: {p}. I'll confirm it by e-mail today.",
            p=option_phrase(chosen, sheet, cloc),
        )
    closing = tr(
        "obtenir un engagement daté et le reformuler : « {q} » Puis l'enregistrer : `{cmd}`",
        "get a dated commitment and restate it: “{q}” Then record it: `{cmd}`",
        q=commitment,
        cmd=log_call_hint(sheet, chosen),
    )
    return Script(opening, facts, questions, objections, proposal, closing)


def describe_levers(levers: Levers, sheet: FactSheet) -> list[str]:
    """The levers as lines for the collector (never part of the script by default)."""
    out = []
    if levers.indemnity_cents:
        out.append(
            tr(
                "Indemnité forfaitaire de recouvrement : {a} ({u} × {n} {f})",
                "Fixed recovery indemnity: {a} ({u} × {n} {f})",
                a=money(levers.indemnity_cents, sheet),
                u=money(levers.indemnity_per_invoice_cents, sheet),
                n=levers.indemnity_invoices,
                f=plural(
                    levers.indemnity_invoices,
                    tr("facture échue", "overdue invoice"),
                    tr("factures échues", "overdue invoices"),
                ),
            )
        )
    if levers.interest_cents:
        out.append(
            tr(
                "Intérêts de retard au {d} : {a} (taux annuel {r} %)",
                "Late-payment interest as of {d}: {a} (annual rate {r}%)",
                d=day(sheet.as_of),
                a=money(levers.interest_cents, sheet),
                r=levers.interest_rate.replace(".", ",")
                if language() == "fr"
                else levers.interest_rate,
            )
        )
        if len(levers.interest_by_half_year) > 1:
            out.extend(
                tr("  dont {h} à {r} % : {a}", "  of which {h} at {r}%: {a}",
                   h=half, r=rate.replace(".", ",") if language() == "fr" else rate,
                   a=money(cents, sheet))
                for half, rate, cents in levers.interest_by_half_year
            )  # fmt: skip
    if levers.estimated_rates:
        out.append(
            tr(
                "Taux absent du barème pour {h} : celui du semestre précédent est utilisé,"
                " à compléter dans statutory_rates.yaml",
                "Rate missing from the table for {h}: the previous half-year's is used;"
                " add it to statutory_rates.yaml",
                h=", ".join(levers.estimated_rates),
            )
        )
    if levers.paid_late_indemnity_cents:
        out.append(
            tr(
                "Pour information : indemnités dues sur factures payées en retard : {a} ({n})",
                "For information: indemnities owed on invoices paid late: {a} ({n})",
                a=money(levers.paid_late_indemnity_cents, sheet),
                n=", ".join(levers.paid_late_invoices),
            )
        )
    out.extend(
        tr("Prescription proche : {w}", "Limitation near: {w}", w=w)
        for w in levers.limitation_warnings
    )
    return out


def profile_line(sheet: FactSheet) -> str:
    bits = [segment_phrase(sheet.segment)]
    if sheet.relationship_months is not None:
        bits.append(
            tr("client depuis {m} mois", "customer for {m} months", m=sheet.relationship_months)
        )
    return " · ".join(bits)
