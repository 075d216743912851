"""Part 5's schema, exactly: prompts and runs.

A database that Part 5 created is already at this revision: `upgrade head`
finds its tables, records this revision and goes on to the next.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import DATETIME

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A Part 5 database has these tables already, without Alembic's record of
    # them: then this revision has nothing to do but be recorded. (Printing
    # the SQL, `upgrade --sql`, there is no database to look at.)
    if not context.is_offline_mode():
        existing = sa.inspect(op.get_bind()).get_table_names()
        if "prompt" in existing and "run" in existing:
            return
    op.create_table(
        "prompt",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("temperature", sa.Double(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name_key", sa.String(300, collation="utf8mb4_bin"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint("char_length(name) BETWEEN 1 AND 100", name="name_length"),
        sa.CheckConstraint(
            "char_length(template) BETWEEN 1 AND 10000", name="template_length"
        ),
        sa.CheckConstraint("char_length(model) BETWEEN 1 AND 100", name="model_length"),
        sa.CheckConstraint("temperature BETWEEN 0 AND 2", name="temperature_range"),
        sa.UniqueConstraint("name_key"),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
    )
    op.create_table(
        "run",
        sa.Column("prompt_id", sa.BigInteger(), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("temperature", sa.Double(), nullable=False),
        sa.Column("input", sa.Text(1_000_000), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("finish_reason", sa.String(50), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("completion_tokens", sa.Integer(), nullable=True),
        sa.Column("first_token_ms", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("created_at", DATETIME(fsp=6), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("text", sa.Text(4_000_000), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
    )
    # Part 5's models mark run.prompt_id and run.created_at as indexed, but
    # Part 5 creates its tables without their indexes: so does this revision.
    # The next one adds them.


def downgrade() -> None:
    op.drop_table("run")
    op.drop_table("prompt")
