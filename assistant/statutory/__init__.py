"""Statutory figures (France, B2B): late interest by half-year, recovery indemnities, limitation,
collective proceedings, escalation decisions, formal notices and litigation files."""
