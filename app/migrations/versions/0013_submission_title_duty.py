"""A participant's dilemma keeps the title and primary duty the facilitator gave it (issue 19).

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


COLUMNS = (("title", 200), ("duty", 60))


def upgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        for name, length in COLUMNS:
            column_type = sqlmodel.sql.sqltypes.AutoString(length=length)
            batch_op.add_column(sa.Column(name, column_type, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
