"""Drafting: templates, facts, the draft pipeline and the review queue."""
