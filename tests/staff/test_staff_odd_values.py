"""Odd values on the command line (issue 15): one Vietnamese line on stderr and a non-zero
exit, never a traceback; nothing created where nothing was asked for."""
from __future__ import annotations

import pytest

import staff_register as sr
from tests.flows.conftest import run_cli

UNREACHABLE = "postgresql+psycopg://clerk:s3cret-pw@127.0.0.1:1/chidao"


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("odd-cli")
    url = f"sqlite:///{tmp}/r.db"
    sr.build(tmp / "files", url)
    return url


# arguments (after --db URL) -> exit code, the one line on stderr (start)
ODD = [
    (["owes", "--from", "9999-12-31"], 2, "error: --from «9999-12-31» nằm ngoài khoảng ngày dùng được"),
    (["owes", "--to", "31/12/9999"], 2, "error: --to «31/12/9999» nằm ngoài khoảng ngày dùng được"),
    (["owes", "--from", "30/02/2024"], 2, "error: --from «30/02/2024» không phải một ngày"),
    (["search", "x", "--to", "9999-12-31"], 2, "error: --to «9999-12-31» nằm ngoài khoảng ngày dùng được"),
    (["owes", "--unit", "Nonexistent"], 1, "Không tìm thấy đơn vị «Nonexistent» trong sổ. Xem tên các đơn vị"),
    (["owes", "--unit", "Công an tỉnhh"], 1,
     'Không tìm thấy đơn vị «Công an tỉnhh» trong sổ. Có phải: chidao owes --unit "Công an tỉnh"'),
    (["ingest", "/nonexistent"], 1, "/nonexistent: không tìm thấy tệp hay thư mục này; hãy kiểm tra lại đường dẫn"),
]


@pytest.mark.parametrize("args, code, line", ODD)
def test_an_odd_value_gets_one_line(url, args, code, line):
    out = run_cli("--db", url, *args, timeout=120)
    assert out.returncode == code, out.stdout + out.stderr
    assert out.stderr.startswith(line) and out.stderr.count("\n") == 1, out.stderr
    assert out.stdout == ""


@pytest.mark.parametrize("args", [["documents"], ["owes"], ["search", "dinh danh"], ["summary"]])
def test_an_unreachable_register_is_one_line_without_its_password(args):
    out = run_cli("--db", UNREACHABLE, *args, timeout=120)
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stderr == ("Không kết nối được sổ đăng ký postgresql+psycopg://clerk:***@127.0.0.1:1/chidao: máy chủ "
                          "PostgreSQL không trả lời hoặc từ chối đăng nhập. Hãy kiểm tra máy chủ đang chạy, địa chỉ và "
                          "mật khẩu trong --db hoặc CHIDAO_DB, rồi chạy lại lệnh.\n")
    assert "s3cret-pw" not in out.stdout + out.stderr


@pytest.mark.parametrize("args", [["documents"], ["owes"], ["ingest", "/nonexistent"]])
def test_a_mistyped_db_creates_no_folder(tmp_path, args):
    target = tmp_path / "no" / "such" / "x.db"
    out = run_cli("--db", f"sqlite:///{target}", *args, timeout=120)
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stderr == (f"--db sqlite:///{target}: thư mục {target.parent} không có; chidao không tự tạo thư mục "
                          f"cho sổ. Hãy sửa đường dẫn, hoặc tạo thư mục trước: mkdir -p {target.parent}\n")
    assert not (tmp_path / "no").exists()
