"""Processed phone messages looked up by their id (issue 16): a crowd's batch asks for 500 ids at
once, and without an index on the id SQLite tried every participant with every id.

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processedmessage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_processedmessage_message_id"), ["message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("processedmessage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processedmessage_message_id"))
