"""Part 6: the documents table; a run keeps its sources, and may have no prompt.

Also the two indexes of `run` that Part 5's models declare and Part 5 never
created: listing a prompt's runs, newest first, no longer reads every run.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.mysql import DATETIME

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("source", sa.String(2000), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("text", sa.Text(4_000_000), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("characters", sa.Integer(), nullable=False),
        sa.Column("embedding_model", sa.String(200), nullable=True),
        sa.Column("created_at", DATETIME(fsp=6), nullable=False),
        sa.Column("indexed_at", DATETIME(fsp=6), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_document_status", "document", ["status"])
    op.add_column("run", sa.Column("sources", sa.Text(16_000_000), nullable=True))
    op.create_index("ix_run_created_at", "run", ["created_at"])
    op.create_index("ix_run_prompt_id", "run", ["prompt_id"])
    # A run of /ask made without a library prompt has none.
    op.alter_column("run", "prompt_id", existing_type=sa.BigInteger(), nullable=True)


def downgrade() -> None:
    # Part 5 cannot hold a run without a prompt: those runs go with Part 6.
    op.execute("DELETE FROM run WHERE prompt_id IS NULL")
    op.alter_column("run", "prompt_id", existing_type=sa.BigInteger(), nullable=False)
    op.drop_index("ix_run_prompt_id", table_name="run")
    op.drop_index("ix_run_created_at", table_name="run")
    op.drop_column("run", "sources")
    op.drop_index("ix_document_status", table_name="document")
    op.drop_table("document")
