"""SQL store on SQLAlchemy Core (async): SQLite via aiosqlite, PostgreSQL via asyncpg, MySQL/MariaDB via asyncmy."""
