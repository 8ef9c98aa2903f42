"""Hidden texts (issue 8): a reason or a group answer the facilitator (or the abuse list) hid.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("post", "groupanswer"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.false())
            )


def downgrade() -> None:
    for table in ("groupanswer", "post"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("hidden")
