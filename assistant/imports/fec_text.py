"""Tolerant text for FEC files: a bad byte on a line relance never uses is a warning, not a refusal.

A FEC holds every entry of the year (payroll, purchases, bank...) while relance reads only the
customer-account lines. Decoding is per line: the file's encoding is UTF-8 when its non-ASCII
lines are UTF-8, else Windows-1252 (Latin-9 when its letters show). A line that does not decode
in the file's encoding is read as Latin-1 and noted (`notes`: line -> why); the importer refuses
it only if it is a line relance needs.

`repair_dos` mends a well-known legacy artefact: characters of the DOS code page 850 (`\\x90` for
`É`, `\\x82` for `é`...) left in names by an old export, which arrive as C1 control characters.
"""

from __future__ import annotations

import codecs
import re

from assistant.i18n import tr

_C1 = re.compile("[\x80-\x9f]")
_LATIN9_HINT = re.compile(r"¤|[A-Za-zÀ-ÿ][¦¨´¸¼½¾]|[¦¨´¸¼½¾][A-Za-zÀ-ÿ]")


def lenient_decode(data: bytes) -> tuple[str, str, dict[int, str]]:
    """(text, encoding, notes per line number) — never raises on a bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    utf8 = sum(1 for line in lines if not line.isascii() and _is_utf8(line))
    other = sum(1 for line in lines if not line.isascii() and not _is_utf8(line))
    encoding = "utf-8" if utf8 >= other and utf8 else "cp1252"
    if encoding == "cp1252":
        sample = data.decode("cp1252", errors="replace")
        if _LATIN9_HINT.search(sample) and not re.search(b"[\x80-\x9f]", data):
            encoding = "iso-8859-15"
    out: list[str] = []
    notes: dict[int, str] = {}
    for number, raw in enumerate(lines, start=1):
        try:
            out.append(raw.decode(encoding))
        except UnicodeDecodeError as exc:
            if encoding != "utf-8":  # the 5 bytes Windows-1252 leaves undefined: C1 characters,
                out.append(raw.decode(encoding, errors="latin1_same"))  # mended in names
                continue
            bad = raw[exc.start]
            out.append(raw.decode("latin-1"))
            notes[number] = tr(
                "octet 0x{b:02X} illisible en {enc} (lu en Latin-1)",
                "byte 0x{b:02X} unreadable as {enc} (read as Latin-1)",
                b=bad,
                enc=encoding,
            )
    return "\n".join(out), encoding, notes


def _same_code_point(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("latin1_same", _same_code_point)


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def repair_dos(value: str) -> str:
    """C1 control characters read as DOS code page 850 letters (`\\x90` -> `É`)."""
    if not _C1.search(value):
        return value
    return _C1.sub(lambda m: bytes([ord(m.group())]).decode("cp850"), value)
