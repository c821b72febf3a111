"""End to end on the project's own sample corpus: read -> structure -> obligations, scored
against corpora/samples/gold with a stdlib copy of the evaluation scorer's matching rules
(gold snippet contained in the predicted text; units compared with abbreviations expanded)."""
import json
import re
import unicodedata
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "corpora" / "samples"
SOURCES = {"ct-12-tu-quang-ngai": "ct-12-tu-quang-ngai.pdf", "cv-345-ninh-thuan": "cv-345-ninh-thuan.pdf",
           "kh-58-ham-thuan-bac": "kh-58-ham-thuan-bac.docx", "qd-415-kon-tum": "qd-415-kon-tum.pdf",
           "tb-87-thai-binh": "tb-87-thai-binh.pdf"}

TONE = {"oá": "óa", "oà": "òa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "uý": "úy", "uỳ": "ùy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}
ABBR = [(r"\bubmttq\b", "ủy ban mặt trận tổ quốc"), (r"\bmttq\b", "mặt trận tổ quốc"), (r"\bubnd\b", "ủy ban nhân dân"),
        (r"\bhđnd\b", "hội đồng nhân dân"), (r"\bbcs\b", "ban cán sự"), (r"\bbhxh\b", "bảo hiểm xã hội"),
        (r"\btt&tt\b", "thông tin và truyền thông"), (r"\bkh&đt\b", "kế hoạch và đầu tư"), (r"\bvp\b", "văn phòng")]


def norm(s):
    s = unicodedata.normalize("NFC", str(s or "")).casefold()
    for a, b in TONE.items():
        s = s.replace(a, b)
    return re.sub(r"\s+", " ", s).strip()


def unorm(s):
    s = norm(s)
    for p, r in ABBR:
        s = re.sub(p, r, s)
    return re.sub(r"\s+", " ", re.sub(r"[.,;:&\-–()\"“”]", " ", s)).strip()


def f1(tp, npred, ngold):
    p = tp / npred if npred else 1.0
    r = tp / ngold if ngold else 1.0
    return 2 * p * r / (p + r) if p + r else 0.0


def score(pred_obs, pred_targets, gold):
    gobs = gold["obligations"]
    used, pairs = set(), []
    for go in gobs:
        for j, po in enumerate(pred_obs):
            if j not in used and norm(go["text"]) in norm(po.text):
                used.add(j); pairs.append((go, po)); break
    lt = lp = lg = st = sp = sg = dl = 0
    for go, po in pairs:
        a, b = {unorm(u) for u in go["lead_units"]}, {unorm(u) for u in po.lead_units}
        lt += len(a & b); lp += len(b); lg += len(a)
        a, b = {unorm(u) for u in go["support_units"]}, {unorm(u) for u in po.support_units}
        st += len(a & b); sp += len(b); sg += len(a)
        gd = go["deadline"] or {}
        pd = po.deadline
        dl += (gd.get("due"), gd.get("recurrence"), gd.get("day")) == (
            pd.due.isoformat() if pd and pd.due else None, pd.recurrence if pd else None, pd.day if pd else None)
    missing = [go for go in gobs if all(go is not g for g, _ in pairs)]
    lg += sum(len(go["lead_units"]) for go in missing); sg += sum(len(go["support_units"]) for go in missing)
    key = lambda t: (round(float(t["value"]), 4), "%" if t["unit"] == "%" else "count")  # noqa: E731
    gt = [key(t) for o in gobs for t in o["targets"] if t.get("kind", "target") == "target"]
    gt += [key(t) for t in gold.get("targets", []) if t.get("kind", "target") == "target"]
    pt = [key(t.model_dump()) for o in pred_obs for t in o.targets if t.kind == "target"]
    pt += [key(t.model_dump()) for t in pred_targets if t.kind == "target"]
    rem, tt = list(gt), 0
    for k in pt:
        if k in rem:
            rem.remove(k); tt += 1
    return dict(obligations=f1(len(pairs), len(pred_obs), len(gobs)), lead=f1(lt, lp, lg), support=f1(st, sp, sg),
                deadline=dl / len(gobs) if gobs else 1.0, targets=f1(tt, len(pt), len(gt)))


def test_every_sample_is_scored():
    assert sorted(p.stem for p in (SAMPLES / "gold").glob("*.json")) == list(SOURCES)


@pytest.mark.slow
@pytest.mark.parametrize("stem", SOURCES)
def test_sample_meets_the_bar(stem):
    from extractors.obligations import extract_obligations
    from extractors.reading import read_document
    from extractors.structure import parse_directive

    src = SAMPLES / "pdf" / SOURCES[stem]
    gold = json.loads((SAMPLES / "gold" / f"{stem}.json").read_text(encoding="utf-8"))["documents"][0]
    ex = extract_obligations(parse_directive(read_document(src)))
    s = score(ex.obligations, ex.targets, gold)
    assert s["obligations"] >= 0.9 and s["lead"] >= 0.9 and s["support"] >= 0.9, s
    assert s["deadline"] >= 0.9 and s["targets"] >= 0.85, s
