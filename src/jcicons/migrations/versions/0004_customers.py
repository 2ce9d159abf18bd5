"""customers: customers, their mobile numbers, departments and notes

Revision ID: 0004_customers
Revises: 0003_import_batches
Create Date: 2026-12-03 20:05:03.329321

"""

from alembic import op
import sqlalchemy as sa

import jcicons.db


# revision identifiers, used by Alembic.
revision = "0004_customers"
down_revision = "0003_import_batches"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("business_name", sa.String(length=160), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("credit_limit_centavos", sa.BigInteger(), nullable=False),
        sa.Column("has_contact_consent", sa.Boolean(), nullable=False),
        sa.Column(
            "contact_consent_at", jcicons.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("merged_at", jcicons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", jcicons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", jcicons.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('INDIVIDUAL', 'BUSINESS', 'GOVERNMENT')",
            name=op.f("ck_customers_kind_known"),
        ),
        sa.CheckConstraint(
            "credit_limit_centavos >= 0",
            name=op.f("ck_customers_credit_limit_not_negative"),
        ),
        sa.CheckConstraint(
            "merged_into_id <> id", name=op.f("ck_customers_not_merged_into_itself")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_customers_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["customers.id"],
            name=op.f("fk_customers_merged_into_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("code", name=op.f("uq_customers_code")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customers_merged_into_id", ["merged_into_id"], unique=False
        )
        batch_op.create_index("ix_customers_name", ["name"], unique=False)

    op.create_table(
        "customer_departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("contact_name", sa.String(length=120), nullable=False),
        sa.Column("is_archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", jcicons.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_departments_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_departments")),
    )
    with op.batch_alter_table("customer_departments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_departments_customer_id", ["customer_id"], unique=False
        )

    op.create_table(
        "customer_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", jcicons.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_customer_notes_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_notes_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_notes")),
    )
    with op.batch_alter_table("customer_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_notes_customer_id", ["customer_id"], unique=False
        )

    op.create_table(
        "customer_phones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("created_at", jcicons.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_phones_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_phones")),
    )
    with op.batch_alter_table("customer_phones", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_phones_customer_id", ["customer_id"], unique=False
        )
        batch_op.create_index("ix_customer_phones_number", ["number"], unique=False)


def downgrade():
    with op.batch_alter_table("customer_phones", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_phones_number")
        batch_op.drop_index("ix_customer_phones_customer_id")

    op.drop_table("customer_phones")
    with op.batch_alter_table("customer_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_notes_customer_id")

    op.drop_table("customer_notes")
    with op.batch_alter_table("customer_departments", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_departments_customer_id")

    op.drop_table("customer_departments")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_name")
        batch_op.drop_index("ix_customers_merged_into_id")

    op.drop_table("customers")
