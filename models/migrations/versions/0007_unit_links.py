"""Units resolved to departments: each printed unit knows the department that owes its tasks.

Revision ID: 0007_unit_links
Revises: 0006_confidence

- units.kind (body | group | position | unknown), units.department_id (the department's row;
  itself for a department, NULL for a unit that is no unit), units.current (the department's
  name after the 2025 reorganisation).
- Units are keyed with extractors.keys.unit_key (abbreviations expanded, punctuation ignored)
  instead of the case-folded name: rows whose names now have the same key are merged into the
  oldest, their links moved (a link that would be doubled is dropped).
- Every row is then resolved by models.departments.link_departments, the same function
  `chidao reextract --all` runs: the migration uses today's gazetteer and rules, as a re-run
  would.
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007_unit_links"
down_revision = "0006_confidence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        # Plain ADD COLUMNs: a batch (table copy) would drop `units`, and with foreign keys on,
        # SQLite deletes every obligation_units row that points at it (ON DELETE CASCADE).
        op.execute("ALTER TABLE units ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'unknown'")
        cols = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(units)")}
        if "department_id" not in cols:       # left by a downgrade (see there)
            op.execute("ALTER TABLE units ADD COLUMN department_id INTEGER REFERENCES units (id)")
        op.execute("ALTER TABLE units ADD COLUMN current VARCHAR")
    else:
        op.add_column("units", sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                         server_default="unknown"))
        op.add_column("units", sa.Column("department_id", sa.Integer(), nullable=True))
        op.add_column("units", sa.Column("current", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        op.create_foreign_key("fk_units_department_id_units", "units", "units", ["department_id"], ["id"])
        op.alter_column("units", "kind", server_default=None)
    op.create_index(op.f("ix_units_department_id"), "units", ["department_id"], unique=False)
    _rekey(conn)
    from models.departments import link_departments

    link_departments(conn)


def _rekey(conn) -> None:
    from extractors.keys import unit_key

    rows = conn.execute(sa.text("SELECT id, name, key FROM units ORDER BY id")).all()
    groups: dict[str, list[int]] = defaultdict(list)
    for uid, name, _ in rows:
        groups[unit_key(name) or f"~{uid}"].append(uid)
    for ids in groups.values():
        keep, dups = ids[0], ids[1:]
        for dup in dups:
            # links of the duplicate move to the row kept, unless the same link is there already
            conn.execute(sa.text(
                "DELETE FROM obligation_units WHERE unit_id = :dup AND EXISTS (SELECT 1 FROM obligation_units k "
                "WHERE k.unit_id = :keep AND k.obligation_id = obligation_units.obligation_id "
                "AND k.role = obligation_units.role)"), {"dup": dup, "keep": keep})
            conn.execute(sa.text("UPDATE obligation_units SET unit_id = :keep WHERE unit_id = :dup"), {"dup": dup, "keep": keep})
            conn.execute(sa.text("UPDATE units SET parent_id = :keep WHERE parent_id = :dup"), {"dup": dup, "keep": keep})
            conn.execute(sa.text("DELETE FROM units WHERE id = :dup"), {"dup": dup})
    # two passes: a row's new key may be another row's old key
    conn.execute(sa.text("UPDATE units SET key = '~' || CAST(id AS VARCHAR)"))
    for key, ids in groups.items():
        conn.execute(sa.text("UPDATE units SET key = :k WHERE id = :id"), {"k": key, "id": ids[0]})


def downgrade() -> None:
    op.drop_index(op.f("ix_units_department_id"), table_name="units")
    op.drop_column("units", "current")
    op.drop_column("units", "kind")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite drops no column a foreign key uses, and a table copy would cascade-delete the
        # links (see upgrade): department_id stays, NULL-able and unknown to the older code
        op.execute("UPDATE units SET department_id = NULL")
        return
    op.drop_constraint("fk_units_department_id_units", "units", type_="foreignkey")
    op.drop_column("units", "department_id")
