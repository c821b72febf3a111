#!/usr/bin/env bash
# Set-up, from the repository root, as root on Debian 12: system packages, the Python
# environment in .venv, then the main job on the bundled sample corpus (ingest it, print a
# short summary of who owes what by when, write the full lists to outputs/).  Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends \
    tesseract-ocr tesseract-ocr-vie poppler-utils fonts-dejavu-core \
    python3-venv python3-dev gcc >/dev/null
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e .

[ "${CHIDAO_SETUP_ONLY:-0}" = 1 ] && exit 0

# The main job: the bundled sample directives into a fresh demo register, then the lists.
export CHIDAO_DB=${CHIDAO_DB:-sqlite:///$PWD/outputs/demo.db}
rm -f outputs/demo.db outputs/demo.db-wal outputs/demo.db-shm
.venv/bin/chidao ingest corpora/samples/pdf
.venv/bin/chidao report     # a short summary on screen; the full lists in outputs/ (XLSX, PDF)
