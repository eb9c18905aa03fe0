"""Failures of the machine, not of relance: a full disk, a read-only home, a busy database.

`describe(exc)` turns them into one line that says what happened and what to do, so that the
CLI and the UI never show "Erreur inattendue" (nor "restore a backup") for them. SQLite rolls
back the transaction that failed: nothing is half-written.
"""

from __future__ import annotations

import errno
import sqlite3

from assistant.i18n import tr

_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def _disk_full(where: object) -> str:
    return tr(
        "disque plein ({w}) : l'opération a été annulée, rien n'a été enregistré ;"
        " libérez de la place puis relancez",
        "disk full ({w}): the operation was cancelled, nothing was saved;"
        " free some space and run it again",
        w=where,
    )


def read_only(where: object) -> str:
    return tr(
        "{w} est en lecture seule (droits ou disque monté en lecture seule) : relance doit"
        " pouvoir y écrire ; corrigez les droits ou choisissez un autre --home",
        "{w} is read-only (permissions or a read-only disk): relance must be able to write"
        " there; fix the permissions or choose another --home",
        w=where,
    )


def describe(exc: BaseException, where: object = None) -> str | None:
    """One line for a failure of the environment, or None (then it is a bug: a traceback
    under RELANCE_DEBUG=1). `where`: the path concerned, when the caller knows it."""
    if isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError):
        text = str(exc).lower()
        place = where or tr("la base", "the database")
        if "disk is full" in text or "database or disk is full" in text:
            return _disk_full(place)
        if "readonly" in text or "read-only" in text:
            return read_only(place)
        if "locked" in text or "busy" in text:
            return tr(
                "base occupée par un autre relance depuis plus de 30 s : réessayez",
                "database busy with another relance for over 30 s: try again",
            )
        if "unable to open database file" in text:
            return tr(
                "impossible d'ouvrir {w} (dossier supprimé, droits, disque plein ?)",
                "cannot open {w} (folder removed, permissions, disk full?)",
                w=place,
            )
        if "disk i/o error" in text:
            return tr(
                "erreur d'entrée-sortie sur {w} (disque défaillant ou plein ?)",
                "input/output error on {w} (failing or full disk?)",
                w=place,
            )
        return None
    if isinstance(exc, OSError):
        place = where or exc.filename or tr("le disque", "the disk")
        if exc.errno in _FULL:
            return _disk_full(place)
        if exc.errno in _READ_ONLY:
            return read_only(place)
    return None
