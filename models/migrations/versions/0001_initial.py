"""initial: the register schema (documents, obligations, units, citations, targets, history)

Revision ID: 0001_initial
Revises: 
Create Date: 2026-11-28 17:04:05.346443
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Alembic's generated commands, one function per table (in foreign-key order).
    _create_documents()
    _create_units()
    _create_citations()
    _create_document_targets()
    _create_obligations()
    _create_obligation_units()
    _create_status_history()


def _create_documents() -> None:
    op.create_table('documents',
    sa.Column('source_file', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_path', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('signer', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('programme', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('number_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('version_of', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('ingested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('extracted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['version_of'], ['documents.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256', name='uq_documents_sha256')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_number_key', ['number_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_version_of'), ['version_of'], unique=False)


def _create_units() -> None:
    op.create_table('units',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['units.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', name='uq_units_key')
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_parent_id'), ['parent_id'], unique=False)


def _create_citations() -> None:
    op.create_table('citations',
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('relation', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('alias', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('raw', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('printed', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_document', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('number_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('to_document', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.ForeignKeyConstraint(['from_document'], ['documents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_document'], ['documents.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('citations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citations_from_document'), ['from_document'], unique=False)
        batch_op.create_index(batch_op.f('ix_citations_number_key'), ['number_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_citations_to_document'), ['to_document'], unique=False)


def _create_document_targets() -> None:
    op.create_table('document_targets',
    sa.Column('raw', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('document_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_targets_document_id'), ['document_id'], unique=False)


def _create_obligations() -> None:
    op.create_table('obligations',
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('lead_units', sa.JSON(), nullable=False),
    sa.Column('support_units', sa.JSON(), nullable=False),
    sa.Column('deadline_raw', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('deadline_due', sa.Date(), nullable=True),
    sa.Column('deadline_recurrence', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('deadline_day', sa.Integer(), nullable=True),
    sa.Column('deadline_start', sa.Date(), nullable=True),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('output', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('section_role', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('bbox', sa.JSON(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('corrected_fields', sa.JSON(), nullable=False),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('extracted_values', sa.JSON(), nullable=False),
    sa.Column('last_done_on', sa.Date(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_obligations_deadline_due'), ['deadline_due'], unique=False)
        batch_op.create_index('ix_obligations_document_ordinal', ['document_id', 'ordinal'], unique=False)
        batch_op.create_index(batch_op.f('ix_obligations_status'), ['status'], unique=False)


def _create_obligation_units() -> None:
    op.create_table('obligation_units',
    sa.Column('obligation_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('obligation_id', 'unit_id', 'role')
    )
    with op.batch_alter_table('obligation_units', schema=None) as batch_op:
        batch_op.create_index('ix_obligation_units_unit_role', ['unit_id', 'role'], unique=False)


def _create_status_history() -> None:
    op.create_table('status_history',
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('previous_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('who', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('obligation_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('status_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_history_obligation_id'), ['obligation_id'], unique=False)


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('status_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_history_obligation_id'))

    op.drop_table('status_history')
    with op.batch_alter_table('obligation_units', schema=None) as batch_op:
        batch_op.drop_index('ix_obligation_units_unit_role')

    op.drop_table('obligation_units')
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_obligations_status'))
        batch_op.drop_index('ix_obligations_document_ordinal')
        batch_op.drop_index(batch_op.f('ix_obligations_deadline_due'))

    op.drop_table('obligations')
    with op.batch_alter_table('document_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_targets_document_id'))

    op.drop_table('document_targets')
    with op.batch_alter_table('citations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citations_to_document'))
        batch_op.drop_index(batch_op.f('ix_citations_number_key'))
        batch_op.drop_index(batch_op.f('ix_citations_from_document'))

    op.drop_table('citations')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_parent_id'))

    op.drop_table('units')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_version_of'))
        batch_op.drop_index('ix_documents_number_key')

    op.drop_table('documents')
    # ### end Alembic commands ###
