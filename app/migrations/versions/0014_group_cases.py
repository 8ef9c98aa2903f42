"""Kollegasparring with own cases (issue 19): each group's case and case-giver (groupcase), the
session's own-cases switch and its place in a series, a person's jotted clarifying questions.

Existing sessions run as before: no own cases, no series; existing posts have no questions.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 14:59:01.320756
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "groupcase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("giver_id", sa.Integer(), nullable=True),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("duties", sa.JSON(), nullable=True),
        sa.Column("done_phase", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("takeaway", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("share", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("brief", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("keep_open", sa.Boolean(), nullable=False),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.Column("follow_up", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("device_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["carried_from_id"],
            ["groupcase.id"],
            name=op.f("fk_groupcase_carried_from_id_groupcase"),
        ),
        sa.ForeignKeyConstraint(
            ["giver_id"], ["participant.id"], name=op.f("fk_groupcase_giver_id_participant")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["group.id"], name=op.f("fk_groupcase_group_id_group")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["session.id"], name=op.f("fk_groupcase_session_id_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groupcase")),
    )
    with op.batch_alter_table("groupcase", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_groupcase_giver_id"), ["giver_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_groupcase_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_groupcase_session_id"), ["session_id"], unique=False)

    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "questions",
                sqlmodel.sql.sqltypes.AutoString(length=2000),
                nullable=False,
                server_default="",
            )
        )

    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("group_cases", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("follows_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_session_follows_id_session"), "session", ["follows_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_session_follows_id_session"), type_="foreignkey")
        batch_op.drop_column("follows_id")
        batch_op.drop_column("group_cases")

    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("questions")

    with op.batch_alter_table("groupcase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_groupcase_session_id"))
        batch_op.drop_index(batch_op.f("ix_groupcase_group_id"))
        batch_op.drop_index(batch_op.f("ix_groupcase_giver_id"))

    op.drop_table("groupcase")
