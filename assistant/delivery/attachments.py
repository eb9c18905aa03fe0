"""Invoice PDFs attached to e-mails: only PDFs, only from the allowed folder, size capped.

An invoices file may name a PDF per invoice. A data file must not be able to attach
`../../.ssh/id_rsa` or `/etc/passwd` to a customer e-mail, so a path is accepted only when,
symbolic links resolved, it is inside the allowed folder: `RELANCE_ATTACHMENTS_DIR` when set,
else the folder of the imported file. The file must be a regular file that is a PDF by its
content (it starts with `%PDF-`, whatever its name) and at most `MAX_PDF_BYTES`.

The check runs at import (a bad path rejects the row) and again when the message is built (the
file may have changed since: a swapped symbolic link, another content); then the draft fails
with the reason instead of leaving with a wrong attachment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.files import FileRefused, human_size, read_regular_file
from assistant.i18n import tr

MAX_PDF_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


class AttachmentRefused(ValueError):
    """A PDF that may not be attached; the message says why."""


@dataclass(frozen=True)
class Attachment:
    path: Path
    size: int
    problem: str | None = None  # why it cannot be attached (the draft would fail)

    @property
    def name(self) -> str:
        return self.path.name

    def label(self) -> str:
        """`F9.pdf (12 Ko)`, or the problem."""
        if self.problem:
            return f"{self.name} : {self.problem}"
        return f"{self.name} ({human_size(self.size)})"

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "size": self.size,
            "path": str(self.path),
            "problem": self.problem,
        }


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _outside(value: str, root: Path) -> AttachmentRefused:
    return AttachmentRefused(
        tr(
            "{v} : hors du dossier autorisé pour les pièces jointes ({r})",
            "{v}: outside the folder allowed for attachments ({r})",
            v=value,
            r=root,
        )
    )


def _read_pdf(path: Path, shown: str) -> bytes:
    try:
        data = read_regular_file(path, MAX_PDF_BYTES)
    except FileRefused as exc:
        raise AttachmentRefused(str(exc)) from None
    if not data.startswith(PDF_MAGIC):
        raise AttachmentRefused(
            tr(
                "{v} : ce n'est pas un PDF (contenu)",
                "{v}: not a PDF (by its content)",
                v=shown,
            )
        )
    return data


def accept_import_pdf(value: str, folder: Path | None, root: Path | None) -> str:
    """The absolute, resolved path of an invoice PDF named in an import file (relative to the
    file's `folder`), or AttachmentRefused. `root` is the configured folder, else `folder`."""
    allowed = (root or folder or Path.cwd()).expanduser().resolve()
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = (folder or Path.cwd()) / path
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        raise AttachmentRefused(
            tr("{v} : fichier introuvable", "{v}: file not found", v=value)
        ) from None
    except (OSError, RuntimeError) as exc:  # a loop of symbolic links, no permission
        raise AttachmentRefused(f"{value} : {exc}") from None
    if not _inside(resolved, allowed):
        raise _outside(value, allowed)
    _read_pdf(resolved, value)
    return str(resolved)


def stored_attachment(stored: str, root: Path | None) -> Attachment:
    """What a stored PDF path gives now (name, size, or why it cannot be attached)."""
    path = Path(stored)
    try:
        data = _read_checked(path, root)
    except AttachmentRefused as exc:
        size = path.stat().st_size if path.is_file() else 0
        return Attachment(path, size, str(exc))
    return Attachment(path, len(data))


def read_attachment(stored: str, root: Path | None) -> tuple[str, bytes]:
    """(file name, bytes) of a stored PDF, checked again; AttachmentRefused otherwise."""
    path = Path(stored)
    return path.name, _read_checked(path, root)


def _read_checked(path: Path, root: Path | None) -> bytes:
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        raise AttachmentRefused(
            tr("{v} : fichier introuvable", "{v}: file not found", v=path)
        ) from None
    except (OSError, RuntimeError) as exc:
        raise AttachmentRefused(f"{path} : {exc}") from None
    if resolved != path:  # a link put in its place since the import
        raise AttachmentRefused(
            tr(
                "{v} : remplacé par un lien vers {t}",
                "{v}: replaced by a link to {t}",
                v=path,
                t=resolved,
            )
        )
    if root is not None and not _inside(resolved, root.expanduser().resolve()):
        raise _outside(str(path), root)
    return _read_pdf(resolved, str(path))
