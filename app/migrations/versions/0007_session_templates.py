"""Saved session plans (templates): cases in order, timers, group size (issue 3).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 19:22:17.203111
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sessiontemplate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("group_size", sa.Integer(), nullable=False),
        sa.Column("slugs", sa.JSON(), nullable=True),
        sa.Column("timers", sa.JSON(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessiontemplate")),
    )


def downgrade() -> None:
    op.drop_table("sessiontemplate")
