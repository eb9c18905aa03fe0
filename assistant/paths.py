"""Where shipped resources (policies, prompts) live, installed or from a source checkout."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """Shipped copy of `policies` or `prompts`: inside the wheel, else the source tree."""
    installed = _PKG / "_bundled" / name
    if installed.is_dir():
        return installed
    source = _PKG.parent / name
    if source.is_dir():
        return source
    raise FileNotFoundError(f"resource directory {name!r} not found (broken install?)")


def resource_path(home: Path | None, kind: str, relative: str) -> Path:
    """A policy/prompt file: the user's copy in `<home>/<kind>/` wins over the shipped one."""
    if home is not None:
        user = home / kind / relative
        if user.is_file():
            return user
    return bundled_dir(kind) / relative
