"""inventory: idempotency keys on receivings, stock adjustments as documents

Revision ID: 0007_inventory_idempotency
Revises: 0006_repairs
Create Date: 2026-12-05 02:10:00.000000

"""

from alembic import op
import sqlalchemy as sa

import jcicons.db


# revision identifiers, used by Alembic.
revision = "0007_inventory_idempotency"
down_revision = "0006_repairs"
branch_labels = None
depends_on = None

ADJUSTMENT_REASONS = (
    "reason IN ('COUNT_CORRECTION', 'DAMAGED', 'LOST_OR_STOLEN', "
    "'RETURNED_TO_SUPPLIER', 'FOUND', 'OTHER')"
)


def upgrade():
    op.create_table(
        "stock_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", jcicons.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "quantity <> 0", name=op.f("ck_stock_adjustments_quantity_not_zero")
        ),
        sa.CheckConstraint(
            ADJUSTMENT_REASONS, name=op.f("ck_stock_adjustments_reason_known")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_stock_adjustments_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_stock_adjustments_product_id_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_adjustments")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_stock_adjustments_idempotency_key")
        ),
    )
    with op.batch_alter_table("stock_adjustments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stock_adjustments_product_id"), ["product_id"], unique=False
        )

    with op.batch_alter_table("receivings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("idempotency_key", sa.String(length=64), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_receivings_idempotency_key"), ["idempotency_key"]
        )


def downgrade():
    with op.batch_alter_table("receivings", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_receivings_idempotency_key"), type_="unique"
        )
        batch_op.drop_column("idempotency_key")

    with op.batch_alter_table("stock_adjustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_adjustments_product_id"))

    op.drop_table("stock_adjustments")
