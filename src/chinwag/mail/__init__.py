"""Outgoing email: an SMTP sender over EmailSettings and the notification templates."""
