"""Presence (issue 13): when a phone was last seen, and when its person left the session; and
which part of the result the projector shows (the reveal in steps).

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("left_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.execute("UPDATE participant SET seen_at = joined_at")
    with op.batch_alter_table("sessioncase", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reveal_step", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.alter_column(
            "seen_at", existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sessioncase", schema=None) as batch_op:
        batch_op.drop_column("reveal_step")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("left_at")
        batch_op.drop_column("seen_at")
