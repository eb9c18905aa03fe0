"""The sender's own words: quoted history, signatures and mobile sign-offs cut.

Libraries do the work: `html2text` turns an HTML-only message into text, `quotequail` finds
the attribution line ("Le … a écrit :", "On … wrote:", also when wrapped over two lines) or
the Outlook header block ("De : … Envoyé : … Objet :") above the quoted message, and tells a
forward from a reply; `mail-parser-reply` (French and English) cuts signatures and
disclaimers. Three small rules on top, for what they miss in French mail:

1. non-breaking spaces (French typography puts one before ":" in "a écrit :") become spaces,
   otherwise neither library sees the attribution line;
2. "Envoyé de mon iPhone" and other mobile sign-offs are cut (the library knows "Envoyé
   depuis" only);
3. a forwarded message is kept (it is what the customer sends us: "voir ci-dessous"), its own
   quoted history cut, unless it is our own message quoted Outlook-style (its sender is at
   one of our domains): then it is history like any quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr

_SPACES = re.compile(r"[\u00a0\u202f\u2007\u2009]")
_BLANKS = re.compile(r"\n{3,}")
_SIGN_OFF = re.compile(
    r"^\s*(?:envoy[ée] (?:de|depuis) (?:mon|ma|un|une) .{0,40}|sent from my .{0,40}"
    r"|get outlook for .{0,30}|obtenir outlook pour .{0,30}|t[ée]l[ée]chargez outlook .{0,40})$",
    re.I | re.M,
)
_RULER = re.compile(r"(?:\n\s*(?:[*_=-]\s*){3,})+\s*$")  # a trailing "* * *" (an HTML <hr>)
_FORWARD = re.compile(
    r"^-{2,}\s*(?:forwarded message|message transf[ée]r[ée]|mail transf[ée]r[ée])\s*-{2,}$"
    r"|^(?:begin forwarded message|d[ée]but du message r[ée]exp[ée]di[ée])\s*:",
    re.I | re.M,
)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|tr|transf)\s*:", re.I)


@dataclass(frozen=True)
class Cleaned:
    text: str  # the sender's own words
    forwarded: str | None = None  # a message they forwarded, itself cleaned
    forwarded_from: str | None = None


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML part (quotes become "> " lines, no Markdown marks)."""
    import html2text

    converter = html2text.HTML2Text()
    converter.body_width = 0  # no re-wrapping: an attribution line stays on one line
    converter.unicode_snob = True  # "réglé", not "regle"
    converter.ignore_emphasis = True
    converter.ignore_images = True
    converter.ignore_links = True
    converter.ignore_tables = True
    return normalise(converter.handle(html))


def normalise(text: str) -> str:
    text = _SPACES.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def _cut_signature(text: str) -> str:
    from mailparser_reply.parser import EmailMessage

    message = EmailMessage(text=text, languages=["fr", "en"], keep_hyphen_lists=True).read()
    body = message.replies[0].body if message.replies else text
    body = _RULER.sub("", _SIGN_OFF.sub("", body).strip()).strip()
    return body or text.strip()


def _visible(text: str) -> str:
    """Lines quoted with ">" but no attribution line above them are history too."""
    import quotequail

    return "\n".join(part for shown, part in quotequail.quote(text) if shown).strip()


def own_words(text: str, own_domains: frozenset[str] = frozenset(), subject: str = "") -> Cleaned:
    """What the sender wrote in this message (and a message they forwarded, if any)."""
    import quotequail

    text = normalise(text)
    if not text:
        return Cleaned("")
    unwrapped = quotequail.unwrap(text)
    if unwrapped is None:
        return Cleaned(_cut_signature(_visible(text)))
    top = normalise(unwrapped.get("text_top") or "")
    sender = parseaddr(unwrapped.get("from") or "")[1].lower()
    ours = sender.rpartition("@")[2] in own_domains if sender else False
    forward = unwrapped.get("type") == "forward" and not ours
    explicit = bool(_FORWARD.search(text) or _FORWARD_SUBJECT.match(subject))
    own = _cut_signature(top) if top else ""
    if forward and explicit:
        inner = own_words(unwrapped.get("text") or "", own_domains)
        return Cleaned(own, inner.text or None, unwrapped.get("from"))
    if not own and not forward:
        return Cleaned("")
    return Cleaned(own)


def shown_text(cleaned: Cleaned, lang: str = "fr") -> str:
    """The words shown and classified: own words, then the forwarded message, marked."""
    if not cleaned.forwarded:
        return cleaned.text
    head = "message transféré" if lang == "fr" else "forwarded message"
    origin = f" ({cleaned.forwarded_from})" if cleaned.forwarded_from else ""
    return f"{cleaned.text}\n\n--- {head}{origin} ---\n{cleaned.forwarded}".strip()
