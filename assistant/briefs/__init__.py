"""Call-prep briefs: fact sheet, payment-plan options, narrative and script, call outcomes."""
