"""relance: structured, human-validated payment reminders for French SMEs."""

__version__ = "0.1.0"
