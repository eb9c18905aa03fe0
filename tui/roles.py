"""The interface follows the role table (`assistant.roles.OPERATIONS`, docs/roles.md): a
binding whose operation the acting person may not run is hidden and refused.

`TUI_ACTIONS` only says which operation each screen action performs; who may run it is
the one table's business.
"""

from __future__ import annotations

from typing import Any

# screen class -> {action name -> operation of the role table}
TUI_ACTIONS: dict[str, dict[str, str]] = {
    "QueueScreen": {
        "approve": "approve",
        "bulk_approve": "approve",
        "unapprove": "unapprove",
        "send": "send",
        "reject": "reject",
        "settle_stuck": "stuck",
    },
    "DraftScreen": {
        "approve": "approve",
        "save": "edit",
        "reject": "reject",
        "regenerate": "regenerate",
        "unapprove": "unapprove",
        "take_over": "edit",
    },
    "CallsScreen": {"log_call": "log-call", "escalate": "escalate"},
    "PoliciesScreen": {"save": "policies"},
    "ReceiptsScreen": {"apply": "match", "reject": "match", "reassign": "match", "undo": "match"},
    "RepliesScreen": {"accept": "triage", "correct": "triage"},
}


class RoleGate:
    """Mixin for a screen: `check_action` returns False (hidden, refused) for an action the
    acting person's role may not run."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        operation = TUI_ACTIONS.get(type(self).__name__, {}).get(action)
        service: Any = getattr(getattr(self, "app", None), "service", None)
        if operation is not None and service is not None and not service.may(operation):
            return False
        return super().check_action(action, parameters)  # type: ignore[misc]
