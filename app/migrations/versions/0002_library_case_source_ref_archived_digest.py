"""Library cases: source reference, archived flag, seed-file digest, updated_at; session cases
keep their secondary duties (issue 3).

Existing rows get empty digests, so the next start reloads every seed case once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:01:07.738547
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("librarycase", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "source_ref", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "file_digest", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column(
                "updated_at",
                sqlmodel.sql.sqltypes.UTCDateTime(),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )

    with op.batch_alter_table("sessioncase", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secondary_duties", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessioncase", schema=None) as batch_op:
        batch_op.drop_column("secondary_duties")

    with op.batch_alter_table("librarycase", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("file_digest")
        batch_op.drop_column("archived")
        batch_op.drop_column("source_ref")
