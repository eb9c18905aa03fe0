"""Customer replies: read the mailbox, link, hold, suggest, triage (docs/replies.md)."""
