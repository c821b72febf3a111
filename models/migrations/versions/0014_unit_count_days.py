"""Per-department counts by due day (models/unit_counts.py, bucket d): the summary reads the
tasks of its window from the counts instead of the register.

Revision ID: 0014_unit_count_days
Revises: 0012_reminders

An index on unit_counts (bucket, due), and the d groups made from the m groups already kept
(each open one-off task's month group gives its day group, the day read from the task): two
INSERT … SELECT, minutes at 1,000,000 obligations where counting again in Python takes
far longer.  tests/models/test_register_migrations.py checks the result equals a recount.
The downgrade drops the d groups and the index.
"""
from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0014_unit_count_days"
down_revision = "0013_form_sessions"
branch_labels = None
depends_on = None

# an m group's key is "dep|roles|status|m||YYYY-MM-01|||" (models.unit_counts._key); its d
# group's is the same head with "|d||YYYY-MM-DD|||", the task's own due day
_DAY_KEYS = """
    SELECT kk.obligation_id AS oid, kk.k AS mk, {head} || '|d||' || {due} || '|||' AS k, o.deadline_due AS due
    FROM unit_count_keys kk JOIN obligations o ON o.id = kk.obligation_id
    WHERE kk.k LIKE '%|m||____-__-01|||' AND o.deadline_due IS NOT NULL"""


def _day_keys() -> str:
    if op.get_bind().dialect.name == "sqlite":
        return _DAY_KEYS.format(head="substr(kk.k, 1, instr(kk.k, '|m||') - 1)", due="o.deadline_due")
    return _DAY_KEYS.format(head="substr(kk.k, 1, strpos(kk.k, '|m||') - 1)",
                            due="to_char(o.deadline_due, 'YYYY-MM-DD')")


def _drop_days() -> None:
    op.execute(text("DELETE FROM unit_count_keys WHERE k LIKE '%|d||%'"))
    op.execute(text("DELETE FROM unit_counts WHERE bucket = 'd'"))


def upgrade() -> None:
    op.create_index("ix_unit_counts_bucket_due", "unit_counts", ["bucket", "due"])
    _drop_days()     # 0011's recount, run with this code, already counted them
    days = _day_keys()
    op.execute(text(f"""
        INSERT INTO unit_counts (k, dep, roles, status, bucket, recurrence, due, day, start, last_done, n)
        SELECT t.k, c.dep, c.roles, c.status, 'd', NULL, t.due, NULL, NULL, NULL, count(*)
        FROM ({days}) t JOIN unit_counts c ON c.k = t.mk
        GROUP BY t.k, c.dep, c.roles, c.status, t.due"""))
    op.execute(text(f"INSERT INTO unit_count_keys (obligation_id, k) SELECT t.oid, t.k FROM ({days}) t"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(text("ANALYZE unit_counts"))    # the planner then sees the d rows and reads the index


def downgrade() -> None:
    _drop_days()
    op.drop_index("ix_unit_counts_bucket_due", table_name="unit_counts")
