"""The MySQL dialect chinwag connects with (``mysql+chinwag_asyncmy://``): SQLAlchemy's asyncmy dialect
with one DDL difference. MySQL 8 takes a default for a TEXT, BLOB or JSON column only as an expression
(``DEFAULT ('')``, 8.0.13 and later), MariaDB also as a literal; SQLAlchemy writes the literal, so a
migration's ``sa.Text(), server_default=""`` would fail on MySQL 8. Here such defaults are written
in parentheses when the server is MySQL, for CREATE TABLE and Alembic's ADD COLUMN alike."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.mysql.asyncmy import MySQLDialect_asyncmy
from sqlalchemy.dialects.mysql.base import MySQLDDLCompiler

DRIVER = "mysql+chinwag_asyncmy"


class ChinwagMySQLDDLCompiler(MySQLDDLCompiler):
    def get_column_default_string(self, column: sa.Column[Any]) -> str | None:
        default = super().get_column_default_string(column)
        if (default is not None and not self.dialect.is_mariadb and default[:1] in ("'", '"')
                and isinstance(column.type, sa.Text | sa.JSON | sa.LargeBinary)):
            return f"({default})"
        return default


class ChinwagMySQLDialect(MySQLDialect_asyncmy):
    ddl_compiler = ChinwagMySQLDDLCompiler
    supports_statement_cache = True


registry.register("mysql.chinwag_asyncmy", __name__, "ChinwagMySQLDialect")
