"""Persistence: store protocols (base.py), errors, and the SQL implementation (sql/)."""
