"""Facilitation (issue 8): the session's areas and results setting, a participant's area, the
heaviest duty on votes and group answers, and the difficulty asked with the revote.

Existing rows get empty values: no areas, results on phones (as before), no duty, no difficulty.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 18:08:10.575157
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("groupanswer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "duty",
                sqlmodel.sql.sqltypes.AutoString(length=60),
                nullable=False,
                server_default="",
            )
        )

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "area",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="",
            )
        )

    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("areas", sa.JSON(), nullable=True, server_default="[]"))
        batch_op.add_column(
            sa.Column("results_on_phones", sa.Boolean(), nullable=False, server_default=sa.true())
        )

    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "duty",
                sqlmodel.sql.sqltypes.AutoString(length=60),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("difficulty", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_column("difficulty")
        batch_op.drop_column("duty")

    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.drop_column("results_on_phones")
        batch_op.drop_column("areas")

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("area")

    with op.batch_alter_table("groupanswer", schema=None) as batch_op:
        batch_op.drop_column("duty")
