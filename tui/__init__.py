"""Textual review UI. It talks to `assistant.service.Service` only; domain code never imports it."""
