"""The review queue and staff corrections on the register (SQLite and PostgreSQL): the queue's
order and flags, accepting, correcting a document's header, and both surviving re-extraction."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, text

import staff_register as sr
from models.db import RegisterError
from models.queries import accept_obligation, document_history, edit_document, edit_obligation, history
from models.register import reextract
from models.review import review_queue
from models.tables import Citation, Document, Obligation


def _oid(session, like: str) -> str:
    return session.execute(text("SELECT id FROM obligations WHERE text LIKE :l"), {"l": like}).scalar_one()


def _ct_again(tmp_path, *, number="08-CT/TU", first_lead="Sở Y tế", second_due=dt.date(2024, 11, 30)):
    """Chỉ thị 08-CT/TU read again (the same file; the reader may now say something else)."""
    return sr.processed(tmp_path / "files" / "ct-08-tu.pdf", number=number, type_="Chỉ thị",
                        title="Về tăng cường công tác y tế cơ sở", issuer="Tỉnh ủy Bình Định",
                        issued_on=dt.date(2024, 9, 9), obligations=[
                            sr.make_obligation("Nâng cao chất lượng khám chữa bệnh tuyến xã", lead=[first_lead], ref="3",
                                               page=1, due=dt.date(2024, 12, 31), flags=["deadline-before-document"]),
                            sr.make_obligation("Kiểm tra an toàn thực phẩm", lead=["Sở Y tế"], ref="4", page=1,
                                               due=second_due)])


def test_queue_order_flags_and_accept(register):
    session, ids = register
    session.execute(text("UPDATE obligations SET confidence = 0.9"))
    low = _oid(session, "Cấp tài khoản%")
    session.execute(text("UPDATE obligations SET confidence = 0.35 WHERE id = :i"), {"i": low})
    session.execute(text("UPDATE obligations SET confidence = 1.0 WHERE text LIKE 'Hướng dẫn người dân%'"))
    session.commit()
    q = review_queue(session, limit=None)
    assert q.items[0].obligation.id == low                        # least certain first
    assert "Hướng dẫn người dân cài đặt ứng dụng VNeID" not in [i.obligation.text for i in q.items]  # certain, no flag
    flagged = review_queue(session, flag="deadline-before-document").items
    assert [i.obligation.text for i in flagged] == ["Nâng cao chất lượng khám chữa bệnh tuyến xã"]
    assert q.counts["deadline-before-document"] == 1 and q.counts["all"] == q.total

    accept_obligation(session, obligation_id=low, who="Chị Lan")
    after = review_queue(session, limit=None)
    assert low not in {i.obligation.id for i in after.items} and after.total == q.total - 1
    assert [h.kind for h in history(session, obligation_id=low)] == ["accept"]
    assert history(session, obligation_id=low)[0].who == "Chị Lan"
    with pytest.raises(ValueError):
        review_queue(session, flag="nope")


def test_canonical_units_for_the_forms(register):
    from models.departments import canonical_unit_names

    session, ids = register
    names = canonical_unit_names(session)
    assert {"Sở Tư pháp", "Công an tỉnh", "Sở Nội vụ", "Ủy ban nhân dân tỉnh"} <= set(names)
    assert "Sở Kế hoạch và Đầu tư" not in names                   # merged in 2025: today's body is offered
    assert len(names) == len(set(names))


def test_number_unread_and_unassigned_are_flagged(register):
    session, ids = register
    session.execute(text("UPDATE documents SET number = NULL WHERE id = :d"), {"d": ids["ct"]})
    session.commit()
    unread = review_queue(session, flag="number-unread", limit=None)
    assert {i.document.id for i in unread.items} == {ids["ct"]} and unread.total == 2
    oid = _oid(session, "Kiểm tra an toàn%")
    edit_obligation(session, obligation_id=oid, clear=["lead_units"], who="t")
    nobody = review_queue(session, unassigned=True, limit=None)
    assert [i.obligation.id for i in nobody.items] == [oid] and nobody.items[0].unassigned


def test_corrections_and_acceptance_across_reextraction(register, tmp_path):
    session, ids = register
    first = _oid(session, "Nâng cao chất lượng%")
    second = _oid(session, "Kiểm tra an toàn%")
    edit_obligation(session, obligation_id=first, lead_units=["Sở Nội vụ"], deadline_raw="Quý I/2025",
                    deadline_due=dt.date(2025, 3, 31), targets=[{"raw": "đạt 90%", "value": 90, "unit": "%"}], who="t")
    edit_document(session, document_id=ids["ct"], number="09-CT/TU", issuer="Ban Thường vụ Tỉnh ủy", who="Anh Minh")
    accept_obligation(session, obligation_id=second, who="t")
    # the reader says the old header and a new unit for the first task; the second is unchanged
    reextract(session, document_id=ids["ct"], processed=_ct_again(tmp_path, first_lead="Sở Y tế tỉnh"))
    session.expire_all()
    doc = session.get(Document, ids["ct"])
    assert (doc.number, doc.issuer) == ("09-CT/TU", "Ban Thường vụ Tỉnh ủy")
    assert doc.extracted_values["number"] == "08-CT/TU" and set(doc.corrected_fields) == {"number", "issuer"}
    ob = session.get(Obligation, first)
    assert ob.lead_units == ["Sở Nội vụ"] and ob.deadline_due == dt.date(2025, 3, 31)
    assert ob.targets[0]["value"] == 90 and ob.extracted_values["lead_units"] == ["Sở Y tế tỉnh"]
    assert session.get(Obligation, second).accepted_at is not None        # unchanged: stays accepted
    changes = document_history(session, document_id=ids["ct"])[0].changes
    assert changes == {"number": ["08-CT/TU", "09-CT/TU"], "issuer": ["Tỉnh ủy Bình Định", "Ban Thường vụ Tỉnh ủy"]}
    # a re-extraction that changes an accepted task puts it back in the queue
    reextract(session, document_id=ids["ct"], processed=_ct_again(tmp_path, second_due=dt.date(2024, 10, 31)))
    session.expire_all()
    assert session.get(Obligation, second).accepted_at is None
    assert second in {i.obligation.id for i in review_queue(session, limit=None).items}


def test_header_number_correction_relinks_citations(register):
    session, ids = register
    cites = select(Citation.to_document).where(Citation.from_document == ids["cv"], Citation.number == "45/KH-UBND")
    assert session.execute(cites).scalar_one() == ids["kh"]
    edit_document(session, document_id=ids["kh"], number="46/KH-UBND", who="t")
    assert session.execute(cites).scalar_one() is None          # 12/UBND-VX cites 45, not 46
    edit_document(session, document_id=ids["kh"], number="45/KH-UBND", issued_on="20/02/2024", who="t")
    assert session.execute(cites).scalar_one() == ids["kh"]


@pytest.mark.parametrize("kwargs, message", [
    ({}, "nothing to change"),
    ({"number": "  "}, "invalid document number"),
    ({"issued_on": "31/02/2024"}, "invalid document date"),
    ({"issuer": " "}, "empty issuer"),
    ({"clear": ["title"]}, "cannot clear"),
])
def test_bad_header_corrections_change_nothing(register, kwargs, message):
    session, ids = register
    with pytest.raises(RegisterError, match=message):
        edit_document(session, document_id=ids["kh"], **kwargs)
    assert document_history(session, document_id=ids["kh"]) == []
    assert session.get(Document, ids["kh"]).number == "45/KH-UBND"


def test_review_accept_and_edit_document_commands(tmp_path):
    from typer.testing import CliRunner

    from app.cli import app

    url = f"sqlite:///{tmp_path / 'r.db'}"
    ids = sr.build(tmp_path / "files", url)
    run = CliRunner()
    r = run.invoke(app, ["--db", url, "review", "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert got["total"] == 9 and got["items"][0]["flags"] == ["deadline-before-document"]
    first = got["items"][0]["id"]
    table = run.invoke(app, ["--db", url, "review", "-n", "2"])
    assert "9 nhiệm vụ cần rà soát" in table.stdout and first in table.stdout     # the id whole, to paste
    r = run.invoke(app, ["--db", url, "accept", first[:8], "--who", "Chị Lan"])
    assert r.exit_code == 0 and f"{first}: accepted" in r.stdout
    again = json.loads(run.invoke(app, ["--db", url, "review", "--json"]).stdout)
    assert again["total"] == 8 and first not in [i["id"] for i in again["items"]]
    r = run.invoke(app, ["--db", url, "edit-document", "45/KH-UBND", "--number", "46/KH-UBND", "--date", "21/02/2024"])
    assert r.exit_code == 0 and f"{ids['kh']}: corrected number, issued_on" in r.stdout
    bad = run.invoke(app, ["--db", url, "review", "--flag", "nope"])
    assert bad.exit_code == 2 and "unknown --flag" in bad.output


def test_export_corrections_round_trip(register, tmp_path):
    """The corrections as gold files: the format of the gold sets (check_gold's fields), the staff's
    values, and read back they are what the register holds; what the extractor said is kept."""
    from models.corrections import read_gold, write_corrections
    from models.export import export_register
    from scripts.check_gold import DOC_FIELDS, OBL_FIELDS

    session, ids = register
    first = _oid(session, "Nâng cao chất lượng%")
    accepted = _oid(session, "Cấp tài khoản%")
    edit_obligation(session, obligation_id=first, lead_units=["Sở Nội vụ"], support_units=["Sở Tài chính"],
                    deadline_raw="Quý I/2025", deadline_due="2025-03-31", who="t")
    edit_document(session, document_id=ids["ct"], issuer="Ban Thường vụ Tỉnh ủy", who="t")
    accept_obligation(session, obligation_id=accepted, who="t")
    out = write_corrections(session, output=tmp_path / "gold")
    assert sorted(p.name for p in out.files) == ["ct-08-tu.json", "cv-12-ubnd-vx.json"] and out.obligations == 2
    register_docs = {d["id"]: d for d in export_register(session)["documents"]}
    for path in out.files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["format"] == "register-export/1" and len(data["documents"]) == 1
        gold = read_gold(path)
        for name, kind in DOC_FIELDS.items():
            assert isinstance(gold[name], kind), (path.name, name)
        held = register_docs[gold["review"]["register_id"]]
        assert {k: gold[k] for k in ("number", "issuer", "issued_on", "type")} == \
            {k: held[k] for k in ("number", "issuer", "issued_on", "type")}
        for n, o in enumerate(gold["obligations"], 1):
            assert o["id"] == f"gold-{path.stem}-{n:02d}"
            for name, kind in OBL_FIELDS.items():
                assert isinstance(o[name], kind), (path.name, name)
            stored = next(x for x in held["obligations"] if x["id"] == o["review"]["register_id"])
            assert {k: o[k] for k in ("text", "lead_units", "support_units", "deadline", "targets", "output")} == \
                {k: stored[k] for k in ("text", "lead_units", "support_units", "deadline", "targets", "output")}
    ct = read_gold(tmp_path / "gold" / "ct-08-tu.json")
    assert ct["issuer"] == "Ban Thường vụ Tỉnh ủy" and ct["review"]["corrected_fields"] == ["issuer"]
    (o,) = ct["obligations"]
    assert o["lead_units"] == ["Sở Nội vụ"] and o["deadline"] == {"raw": "Quý I/2025", "due": "2025-03-31",
                                                                  "recurrence": None, "day": None}
    assert set(o["review"]["corrected_fields"]) == {"lead_units", "support_units", "deadline_raw", "deadline_due"}
    assert read_gold(tmp_path / "gold" / "cv-12-ubnd-vx.json")["obligations"][0]["review"]["accepted_at"]


def test_export_corrections_command(tmp_path):
    from typer.testing import CliRunner

    from app.cli import app

    url = f"sqlite:///{tmp_path / 'r.db'}"
    sr.build(tmp_path / "files", url)
    run = CliRunner()
    r = run.invoke(app, ["--db", url, "export", "--corrections", "-o", str(tmp_path / "g")])
    assert r.exit_code == 0 and "Chưa có sửa đổi" in r.output and not list((tmp_path / "g").glob("*.json"))
    oid = json.loads(run.invoke(app, ["--db", url, "review", "--json"]).stdout)["items"][0]["id"]
    assert run.invoke(app, ["--db", url, "edit", oid, "--lead", "Sở Nội vụ"]).exit_code == 0
    r = run.invoke(app, ["--db", url, "export", "--corrections", "-o", str(tmp_path / "g")])
    assert r.exit_code == 0 and "wrote 1 files" in r.output
    assert [p.name for p in (tmp_path / "g").glob("*.json")] == ["ct-08-tu.json"]
    (tmp_path / "f.json").write_text("{}")
    bad = run.invoke(app, ["--db", url, "export", "--corrections", "-o", str(tmp_path / "f.json")])
    assert bad.exit_code == 2 and "give a folder" in bad.output
