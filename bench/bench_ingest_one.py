"""Wall time of `chidao ingest` on ONE born-digital file, the whole command as a clerk runs it
(cold process, fresh register), against the floors it cannot go below, measured alternately
in one run so the machine's load hits all of them alike.

    .venv/bin/python bench/bench_ingest_one.py [--runs 7] [FILE]

Rows (median and min of --runs):
  python -c pass                       the interpreter alone
  import the NLP (spaCy + underthesea)  what extracting obligations must load in some process
  chidao ingest FILE, cold             the command alone (target < 3 s), into a fresh register
  chidao ingest FILE, `chidao warm` up  the same with the warm extractor service running
                                       (flows/service.py), into a register that exists already
The per-step seconds of the last run of each are printed too.
FILE defaults to the first of corpora/samples/pdf.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
CHIDAO = str(ROOT / ".venv" / "bin" / "chidao")

NLP_FLOOR = ("import spacy, underthesea; nlp = spacy.blank('vi', config={'nlp': {'tokenizer': "
             "{'@tokenizers': 'spacy.Tokenizer.v1'}}}); nlp('Sở Tư pháp'); underthesea.pos_tag('Sở Tư pháp chủ trì')")


def timed(cmd: list[str], env: dict) -> tuple[float, str]:
    t = time.monotonic()
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.monotonic() - t
    if out.returncode != 0:
        raise SystemExit(f"{cmd}: exit {out.returncode}\n{out.stdout}\n{out.stderr}")
    return wall, out.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", default=str(sorted((ROOT / "corpora" / "samples" / "pdf").glob("*.pdf"))[0]))
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chidao-bench-ingest-"))
    cold, warm = "chidao ingest FILE, cold (fresh register)", "chidao ingest FILE, `chidao warm` running"
    rows: dict[str, list[float]] = {"python -c pass": [], "import the NLP (spaCy + underthesea)": [], cold: [], warm: []}
    steps: dict[str, dict] = {}
    base_env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    service_env = {**base_env, "CHIDAO_SERVICE_DIR": str(work / "service")}
    service = subprocess.Popen([CHIDAO, "warm"], cwd=ROOT, env=service_env, stderr=subprocess.PIPE, text=True)
    try:
        service.stderr.readline()           # "extractors loaded; ..."
        print(f"{Path(a.file).name}; {os.cpu_count()} cores; load average before {os.getloadavg()[0]:.1f}")
        for i in range(a.runs):
            env = {**base_env, "CHIDAO_SERVICE": "off", "CHIDAO_DB": f"sqlite:///{work / f'cold{i}.db'}"}
            rows["python -c pass"].append(timed([PY, "-c", "pass"], env)[0])
            rows["import the NLP (spaCy + underthesea)"].append(timed([PY, "-c", NLP_FLOOR], env)[0])
            wall, out = timed([CHIDAO, "ingest", "--json", a.file], env)
            rows[cold].append(wall)
            steps[cold] = json.loads(out.splitlines()[-1])["steps"]
            # the register exists (a clerk's daily case): one other file first, not timed
            wenv = {**service_env, "CHIDAO_DB": f"sqlite:///{work / f'warm{i}.db'}"}
            timed([CHIDAO, "ingest", str(ROOT / "corpora" / "samples" / "pdf" / "tb-87-thai-binh.pdf")], wenv)
            wall, out = timed([CHIDAO, "ingest", "--json", a.file], wenv)
            rows[warm].append(wall)
            steps[warm] = json.loads(out.splitlines()[-1])["steps"]
    finally:
        service.terminate()
        service.wait(10)
    print(f"load average after {os.getloadavg()[0]:.1f}\n")
    print(f"{'':44s}{'median s':>10s}{'min s':>8s}")
    floor = statistics.median(rows["import the NLP (spaCy + underthesea)"])
    for name, v in rows.items():
        print(f"{name:44s}{statistics.median(v):10.2f}{min(v):8.2f}")
    for name in (cold, warm):
        m = statistics.median(rows[name])
        print(f"\n{name}: {m / floor:.2f}x the NLP floor; target < 3 s {'met' if m < 3 else 'NOT met'} (median)")
        print("  steps of the last run (s):", ", ".join(f"{k} {v:.2f}" for k, v in steps[name].items()))
    print("(cold: `read` includes waiting for the extractor process to load the NLP)")


if __name__ == "__main__":
    sys.exit(main())
