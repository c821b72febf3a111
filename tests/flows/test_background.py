"""The intake read in the background of the web service (flows/background.py): the watcher's own
flow, started by a kick, ending when the folder is empty; a kick while it reads is not lost."""
from __future__ import annotations

from flows.background import BackgroundIntake, folder_state


def test_kicks_read_everything_that_arrives(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    intake = tmp_path / "intake"
    intake.mkdir()
    reader = BackgroundIntake(intake, db_url=url, settle=0.2)
    (intake / "a.pdf").write_bytes(b"%PDF-1.4 cut short")
    assert [f.name for f in folder_state(reader.folders).waiting] == ["a.pdf"] and not reader.running
    reader.kick()
    (intake / "sub").mkdir()
    (intake / "sub" / "b.pdf").write_bytes(b"not a pdf at all")     # arrives while a.pdf is being read
    reader.kick()
    assert reader.wait(120)
    state = reader.state()
    assert not state.waiting and not state.reading and not state.running
    failed = {f.name: f for f in state.failed}
    assert set(failed) == {"a.pdf", "sub/b.pdf"}
    assert failed["a.pdf"].outcome == "bad-input" and failed["a.pdf"].reason
    assert failed["sub/b.pdf"].retry.startswith(f"chidao retry {intake.resolve()} ")
    assert (intake / "failed" / "sub" / "b.pdf").read_bytes() == b"not a pdf at all"   # the original kept
    reader.kick()                                   # nothing waits: it looks, and stops
    assert reader.wait(30) and reader.state().failed == state.failed
