"""Delivery of approved drafts: MIME building, SMTP / .eml outbox, SMS outbox, send loop."""
