"""Processed phone messages: each client message id once per participant (issue 7).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 18:09:42.975816
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processedmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_processedmessage_participant_id_participant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processedmessage")),
        sa.UniqueConstraint(
            "participant_id",
            "message_id",
            name=op.f("uq_processedmessage_participant_id_message_id"),
        ),
    )
    with op.batch_alter_table("processedmessage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_processedmessage_participant_id"), ["participant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("processedmessage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processedmessage_participant_id"))

    op.drop_table("processedmessage")
