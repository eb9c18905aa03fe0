"""Option values checked without pydantic where the check cannot change them.

typer (0.29) checks every option's value with a pydantic `TypeAdapter`, built when the option is
first parsed, even for an option not given (`--help`, `--lang` left out): `relance drafts`
imported pydantic and built six adapters for nothing. typer's own `coerce` already returns
`None` (an option not given) before any check; and for a text option, the check hands a `str`
back as it is. `install()` builds typer's check only when a value needs it: every other value,
and every other kind of option (numbers, paths, choices, lists, files), gets typer's own check,
with its words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param


@dataclass(frozen=True)
class Deferred(RuntimeParam):
    """typer's check for `descriptor`, built at its first use; text stays as given."""

    descriptor: TypeDescriptor
    built: list[RuntimeParam] = field(default_factory=list, compare=False, hash=False)

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if type(value) is str and is_plain_text(self.descriptor):
            return value
        if not self.built:
            self.built.append(build_runtime_param(self.descriptor))
        return self.built[0]._coerce_value(value, param=param, ctx=ctx)


def is_plain_text(descriptor: TypeDescriptor) -> bool:
    """A single `str` value with no parser, file or custom click type of its own."""
    info = descriptor.parameter_info
    return (
        descriptor.annotation is str
        and descriptor.file_annotation is None
        and info.parser is None
        and getattr(info, "click_type", None) is None
    )


_installed: list[bool] = []


def install() -> None:
    """Give typer's parameters the deferred check (idempotent)."""
    if _installed:
        return
    import typer.core as core

    def get_runtime_param(self: Any) -> RuntimeParam:
        if self._runtime_param is None:
            d = self.type_descriptor
            self._runtime_param = Deferred(
                parameter_info=d.parameter_info, annotation=d.annotation, descriptor=d
            )
        return self._runtime_param

    core._TyperParameter.get_runtime_param = get_runtime_param  # type: ignore[method-assign]
    _installed.append(True)
