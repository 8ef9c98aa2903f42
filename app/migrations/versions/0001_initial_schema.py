"""Initial schema: the tables of the live session loop (issue 2).

Revision ID: 0001
Revises:
Create Date: 2026-11-25 17:53:22.948345
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "librarycase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("case_set", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("duty", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("secondary_duties", sa.JSON(), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=True),
        sa.Column("prompts", sa.JSON(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_librarycase")),
    )
    with op.batch_alter_table("librarycase", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_librarycase_slug"), ["slug"], unique=True)

    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_username"), ["username"], unique=True)

    op.create_table(
        "session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("group_size", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["facilitator_id"], ["user.id"], name=op.f("fk_session_facilitator_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session")),
    )
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_code"), ["code"], unique=True)

    op.create_table(
        "group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["session.id"], name=op.f("fk_group_session_id_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group")),
    )
    with op.batch_alter_table("group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_session_id"), ["session_id"], unique=False)

    op.create_table(
        "sessioncase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("duty", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=True),
        sa.Column("prompts", sa.JSON(), nullable=True),
        sa.Column("phase", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("deadline", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"], ["session.id"], name=op.f("fk_sessioncase_session_id_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessioncase")),
        sa.UniqueConstraint(
            "session_id", "position", name=op.f("uq_sessioncase_session_id_position")
        ),
    )
    with op.batch_alter_table("sessioncase", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessioncase_session_id"), ["session_id"], unique=False)

    op.create_table(
        "groupanswer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_case_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("option", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["group.id"], name=op.f("fk_groupanswer_group_id_group")
        ),
        sa.ForeignKeyConstraint(
            ["session_case_id"],
            ["sessioncase.id"],
            name=op.f("fk_groupanswer_session_case_id_sessioncase"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groupanswer")),
        sa.UniqueConstraint(
            "session_case_id", "group_id", name=op.f("uq_groupanswer_session_case_id_group_id")
        ),
    )
    with op.batch_alter_table("groupanswer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_groupanswer_group_id"), ["group_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_groupanswer_session_case_id"), ["session_case_id"], unique=False
        )

    op.create_table(
        "participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("alias", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["group.id"], name=op.f("fk_participant_group_id_group")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["session.id"], name=op.f("fk_participant_session_id_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant")),
    )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participant_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_participant_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_participant_token_hash"), ["token_hash"], unique=True)

    op.create_table(
        "post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_case_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"], name=op.f("fk_post_participant_id_participant")
        ),
        sa.ForeignKeyConstraint(
            ["session_case_id"],
            ["sessioncase.id"],
            name=op.f("fk_post_session_case_id_sessioncase"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post")),
        sa.UniqueConstraint(
            "session_case_id", "participant_id", name=op.f("uq_post_session_case_id_participant_id")
        ),
    )
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_post_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_post_session_case_id"), ["session_case_id"], unique=False
        )

    op.create_table(
        "vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_case_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("option", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"], name=op.f("fk_vote_participant_id_participant")
        ),
        sa.ForeignKeyConstraint(
            ["session_case_id"],
            ["sessioncase.id"],
            name=op.f("fk_vote_session_case_id_sessioncase"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote")),
        sa.UniqueConstraint(
            "session_case_id",
            "participant_id",
            "round",
            name=op.f("uq_vote_session_case_id_participant_id_round"),
        ),
    )
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vote_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_vote_session_case_id"), ["session_case_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_session_case_id"))
        batch_op.drop_index(batch_op.f("ix_vote_participant_id"))

    op.drop_table("vote")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_session_case_id"))
        batch_op.drop_index(batch_op.f("ix_post_participant_id"))

    op.drop_table("post")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_token_hash"))
        batch_op.drop_index(batch_op.f("ix_participant_session_id"))
        batch_op.drop_index(batch_op.f("ix_participant_group_id"))

    op.drop_table("participant")
    with op.batch_alter_table("groupanswer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_groupanswer_session_case_id"))
        batch_op.drop_index(batch_op.f("ix_groupanswer_group_id"))

    op.drop_table("groupanswer")
    with op.batch_alter_table("sessioncase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessioncase_session_id"))

    op.drop_table("sessioncase")
    with op.batch_alter_table("group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_session_id"))

    op.drop_table("group")
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_code"))

    op.drop_table("session")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_username"))

    op.drop_table("user")
    with op.batch_alter_table("librarycase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_librarycase_slug"))

    op.drop_table("librarycase")
