"""Importers: a Slack workspace export (``slack``), Mattermost's bulk JSONL (``bulk``)."""
