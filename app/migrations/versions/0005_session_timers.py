"""Sessions keep a timer per phase (a session plan's timers; kollegasparring's steps) (issue 3).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 18:08:21.848788
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timers", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.drop_column("timers")
