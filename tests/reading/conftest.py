import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import make_files  # noqa: E402


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    """Generated inputs shared by the reading tests (read-only)."""
    d = tmp_path_factory.mktemp("reading-files")
    return {
        "header": make_files.header_pdf(d / "header.pdf"),
        "table": make_files.table_pdf(d / "table.pdf"),
        "spaced": make_files.spaced_pdf(d / "spaced.pdf"),
        "image_only": make_files.image_only_pdf(d / "scan.pdf"),
        "docx": make_files.sample_docx(d / "plan.docx"),
    }
