#!/usr/bin/env bash
# Journal: sqlalchemy + alembic (migrations) and psycopg 3 (the PostgreSQL store), and a PostgreSQL server on
# 127.0.0.1:5432 with trust auth and a database `test` for the journal's PostgreSQL tests. The project's machines
# start one before a session; elsewhere this starts a throwaway cluster. Idempotent and quick when present.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
have() { "$PY" -c "import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in sys.argv[1:]) else 1)" "$@"; }
have sqlalchemy alembic psycopg || "$PY" -m pip install -q "sqlalchemy>=2.0,<3" "alembic>=1.13,<2" "psycopg[binary]>=3.1,<4"

listening() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if ! listening; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$PG_BIN" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  DATA=/tmp/accord-pg
  if [ ! -d "$DATA" ]; then
    mkdir -p "$DATA" && chown postgres "$DATA"
    su postgres -c "$PG_BIN/initdb -D $DATA -U postgres --auth=trust" >/dev/null
  fi
  su postgres -c "$PG_BIN/pg_ctl -D $DATA -o '-c listen_addresses=127.0.0.1 -p 5432 -k $DATA' -l $DATA/log -w start" >/dev/null
fi
for _ in $(seq 50); do listening && break; sleep 0.2; done
"$PY" - <<'PY'
import psycopg

with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = 'test'").fetchone() is None:
        conn.execute("CREATE DATABASE test")
PY
