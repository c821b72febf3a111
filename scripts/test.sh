#!/usr/bin/env bash
# Everything the tests need, then the whole suite: set-up (without the demo), the test
# extras, PostgreSQL (Debian package, started here on a private port) and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends \
    postgresql postgresql-contrib chromium fonts-dejavu-core >/dev/null
fi
CHIDAO_SETUP_ONLY=1 bash scripts/setup.sh
.venv/bin/pip install -q -e '.[test]'

# A throwaway PostgreSQL cluster for the Postgres half of the suite.
source scripts/pg.sh
pg_start
trap pg_stop EXIT

.venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
