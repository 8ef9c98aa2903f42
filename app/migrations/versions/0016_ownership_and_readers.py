"""Ownership and sharing (issue 18): co-facilitators per session, readers per published summary.

A session's owner stays `session.facilitator_id` (the facilitator who made it), now indexed. Summaries
published before this migration were readable by every reviewer; they stay so (each reviewer of the
day becomes a reader), while new ones are published to named reviewers.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _pair_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["session.id"], name=op.f(f"fk_{name}_session_id_session")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f(f"fk_{name}_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("session_id", "user_id", name=op.f(f"uq_{name}_session_id_user_id")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{name}_user_id"), ["user_id"], unique=False)


def upgrade() -> None:
    _pair_table("sessionfacilitator")
    _pair_table("summaryreader")
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_facilitator_id"), ["facilitator_id"], unique=False
        )
    op.execute(
        "INSERT INTO summaryreader (session_id, user_id) "
        'SELECT s.id, u.id FROM session s, "user" u '
        "WHERE s.published_at IS NOT NULL AND u.role = 'reviewer'"
    )


def downgrade() -> None:
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_facilitator_id"))
    for name in ("summaryreader", "sessionfacilitator"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_user_id"))
            batch_op.drop_index(batch_op.f(f"ix_{name}_session_id"))
        op.drop_table(name)
