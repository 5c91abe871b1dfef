"""Search backends behind one interface (base.SearchEngine): SQL (PostgreSQL pg_trgm, SQLite FTS5, MySQL LIKE)."""
