"""Reading a file named by a person or by a data file, safely: only a regular file, never more
than a cap, never blocking.

`relance import invoices /dev/zero` would read forever, a FIFO would hang, a directory or a
device is not a document. The file is opened without blocking (a FIFO opens at once), checked
on the open descriptor (what is read is what was checked), and read up to its cap only.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from assistant.i18n import tr


class FileRefused(ValueError):
    """A file that is not read; the message says why (one line, for a person)."""


def human_size(size: int) -> str:
    """`12 Ko`, `3,4 Mo` / `12 KB`, `3.4 MB` (binary multiples, as file managers show them)."""
    units = (tr("o", "B"), tr("Ko", "KB"), tr("Mo", "MB"), tr("Go", "GB"))
    value, unit = float(size), 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    text = f"{value:.0f}" if unit == 0 or value >= 10 else f"{value:.1f}"
    return f"{text.replace('.', tr(',', '.'))} {units[unit]}"


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of `path`, or FileRefused: missing, not a regular file (a FIFO, a device such
    as /dev/zero, a directory), unreadable, or larger than `max_bytes`."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileRefused(tr("fichier introuvable : {p}", "file not found: {p}", p=path)) from None
    except IsADirectoryError:
        raise FileRefused(tr("{p} est un dossier", "{p} is a directory", p=path)) from None
    except OSError as exc:
        raise FileRefused(
            tr("lecture impossible : {p} ({e})", "cannot read {p} ({e})", p=path, e=exc.strerror)
        ) from None
    info = os.fstat(fd)  # what is checked is what is read: the open descriptor
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileRefused(tr("{p} est un dossier", "{p} is a directory", p=path))
        raise FileRefused(
            tr(
                "{p} n'est pas un fichier ordinaire (tube, périphérique ou socket) : rien n'est lu",
                "{p} is not a regular file (pipe, device or socket): nothing is read",
                p=path,
            )
        )
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > max_bytes:
            raise _too_big(path, info.st_size, max_bytes)
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise FileRefused(
                tr("lecture impossible : {p} ({e})", "cannot read {p} ({e})", p=path, e=exc)
            ) from None
    if len(data) > max_bytes:  # it grew while being read
        raise _too_big(path, len(data), max_bytes)
    return data


def _too_big(path: Path, size: int, cap: int) -> FileRefused:
    return FileRefused(
        tr(
            "{p} : fichier trop volumineux ({s}, au plus {m})",
            "{p}: file too large ({s}, at most {m})",
            p=path,
            s=human_size(size),
            m=human_size(cap),
        )
    )
