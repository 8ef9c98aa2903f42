"""Case perspective (issue 8): what the kodeks says, with its source, on library and session cases.

Existing rows get an empty perspective; the next start reloads the seed cases that now carry one.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")


def upgrade() -> None:
    with op.batch_alter_table("librarycase", schema=None) as batch_op:
        batch_op.add_column(_text("perspective"))
        batch_op.add_column(_text("perspective_source"))
        batch_op.add_column(_text("perspective_ref"))
    with op.batch_alter_table("sessioncase", schema=None) as batch_op:
        batch_op.add_column(_text("perspective"))
        batch_op.add_column(_text("perspective_source"))


def downgrade() -> None:
    with op.batch_alter_table("sessioncase", schema=None) as batch_op:
        batch_op.drop_column("perspective_source")
        batch_op.drop_column("perspective")
    with op.batch_alter_table("librarycase", schema=None) as batch_op:
        batch_op.drop_column("perspective_ref")
        batch_op.drop_column("perspective_source")
        batch_op.drop_column("perspective")
