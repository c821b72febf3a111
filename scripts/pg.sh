# Sourced: pg_start / pg_stop run a private PostgreSQL cluster (Debian's server binaries) on
# 127.0.0.1:$CHIDAO_PG_PORT with trust auth, and export CHIDAO_TEST_PG_URL for the tests.
CHIDAO_PG_PORT=${CHIDAO_PG_PORT:-54329}
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
pg_start() {
  local bin; bin=$(pg_bin)
  [ -n "$bin" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; return 1; }
  PGDATA_DIR=$(mktemp -d /tmp/chidao-pg.XXXXXX)
  chmod 755 "$PGDATA_DIR"
  local run=(); [ "$(id -u)" = 0 ] && { chown postgres "$PGDATA_DIR"; run=(runuser -u postgres --); }
  "${run[@]}" "$bin/initdb" -D "$PGDATA_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$PGDATA_DIR/data" -l "$PGDATA_DIR/log" -w \
    -o "-p $CHIDAO_PG_PORT -k $PGDATA_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  export CHIDAO_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$CHIDAO_PG_PORT/postgres"
  PG_RUN=("${run[@]}")
}
pg_stop() {
  [ -n "${PGDATA_DIR:-}" ] || return 0
  "${PG_RUN[@]}" "$(pg_bin)/pg_ctl" -D "$PGDATA_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDATA_DIR"
}
