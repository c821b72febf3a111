"""The contract between structure and obligations (shared/design/architecture.md): obligations reads
the structured directive only — section roles and task-table cells as structure decided them — and
never the reading stage's raw tables or a vocabulary of its own for headings and columns."""
import ast
import re
from pathlib import Path

import pytest

from extractors.obligations import extract_obligations
from extractors.structure import parse_directive
from extractors.structure.common import fold
from extractors.structure.roles import heading_role
from extractors.structure.tables import column_roles
from extractors.types import Block, Cell, Directive, Document, Header, Page, Paragraph, Row, Section, Table

OBLIGATIONS = Path(__file__).resolve().parents[2] / "extractors" / "obligations"


def _sources():
    for path in sorted(OBLIGATIONS.glob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_obligations_never_reads_the_documents_tables_or_pages():
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                assert node.attr not in {"document", "tables", "task_tables", "pages", "blocks"}, \
                    f"{path.name}:{node.lineno} reads .{node.attr}: obligations works on the Directive's sections only"


# Words that name a section's role (corpora/section_roles.jsonl) or a column's / a labelled
# line's role (corpora/table_columns.jsonl), folded to ASCII.
ROLE_WORDS = ["muc dich", "muc tieu", "to chuc thuc hien", "kinh phi", "tinh hinh", "don vi chu tri", "don vi phoi hop",
              "co quan chu tri", "thoi gian hoan thanh", "thoi han", "san pham", "noi dung", "stt"]


def _regex_sources():
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\\" in node.value:
                yield path, node.lineno, node.value


@pytest.mark.parametrize("word", ROLE_WORDS)
def test_obligations_has_no_heading_or_column_vocabulary_of_its_own(word):
    """The words live in corpora/, read by structure; a regex of obligations that spelled them
    again would split the pipeline's vocabulary in two (edit the JSONL, change half the pipeline)."""
    for path, line, pattern in _regex_sources():
        # a heading or a column header is matched at its start: "^(?:MỤC\s+ĐÍCH|...)"
        alternatives = re.sub(r"\\s[+*]|\(\?:|[()?$\\]", " ", pattern).replace("|", "^")
        starts = [fold(a) for a in alternatives.split("^")[1:]] if pattern.lstrip("(?:").startswith("^") else []
        assert not any(a.startswith(word) for a in starts), f"{path.name}:{line} matches '{word}' headings itself"


def test_a_new_column_word_in_corpora_changes_the_whole_pipeline():
    """A column header only the JSONL knows ('Giao cho') makes a lead column for structure, and the
    obligation gets that lead: obligations has no second opinion."""
    assert column_roles([[(0, "STT"), (1, "Nội dung công việc"), (2, "Giao cho"), (3, "Thời hạn")]]) == \
        {"stt": 0, "task": 1, "lead": 2, "deadline": 3}
    rows = [["STT", "Nội dung công việc", "Giao cho", "Thời hạn"], ["1", "Rà soát hồ sơ đất đai tồn đọng", "Sở Tư pháp", "Quý I/2024"]]
    t = Table(rows=[Row(cells=[Cell(text=c, col=i) for i, c in enumerate(r)]) for r in rows], header=rows[0])
    doc = Document(path="x.pdf", source_file="x.pdf", tables=[t], pages=[
        Page(number=1, blocks=[Block(text="Giao các đơn vị thực hiện các nhiệm vụ theo Phụ lục kèm theo.", page=1)])])
    d = parse_directive(doc)
    obs = extract_obligations(d).obligations
    assert [(o.ref, o.lead_units, o.deadline.due.isoformat()) for o in obs] == [("PL.1", ["Sở Tư pháp"], "2024-03-31")]


def test_section_roles_are_structures_decision():
    """A heading obligations would once have read as 'purpose' by itself ('Yêu cầu …' opening a task)
    is what structure says it is; a section structure marks purpose is skipped whatever its words."""
    assert heading_role("Yêu cầu UBND các huyện chỉ đạo các phòng, ban liên quan phối hợp với Chi cục Thuế") is None
    task = Section(kind="arabic", path="5", label="5.", role="other",
                   heading="Yêu cầu UBND các huyện chỉ đạo các phòng, ban liên quan phối hợp với Chi cục Thuế",
                   paragraphs=[Paragraph(text="Yêu cầu UBND các huyện chỉ đạo các phòng, ban liên quan phối hợp với Chi cục Thuế.", page=1)])
    aim = Section(kind="arabic", path="1", label="1.", role="purpose", heading="Nâng cao nhận thức",
                  paragraphs=[Paragraph(text="Sở Tư pháp nâng cao nhận thức của cán bộ về Đề án.", page=1)])
    d = Directive(document=Document(path="x.pdf", source_file="x.pdf"), header=Header(province="Quảng Ngãi"),
                  root=Section(kind="root", children=[aim, task]))
    obs = extract_obligations(d).obligations
    assert [(o.ref, o.lead_units) for o in obs] == [("5", ["Ủy ban nhân dân các huyện"])]
