#!/usr/bin/env bash
# `make prod-local`: the production setup on this machine, in the foreground.
# Two gunicorn web instances (ports 8001 and 8002) and the outbox worker, on
# PostgreSQL and Redis, with APP_ENV=production; Ctrl-C stops all three.
# Every setting can be overridden from the environment (README, "Deployment").
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

export APP_ENV=production FLASK_APP=app PYTHONUNBUFFERED=1
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/sp_prod_local}"
export RATELIMIT_STORAGE_URI="${RATELIMIT_STORAGE_URI:-redis://127.0.0.1:6379/0}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:8001}"
export INSTANCE_PATH="${INSTANCE_PATH:-$PWD/instance/prod-local}"
# Both instances serve the same scans: one folder on this one machine.
export UPLOAD_DIR="${UPLOAD_DIR:-$INSTANCE_PATH/uploads}"
# Plain http on 127.0.0.1: a browser would not send a Secure cookie back.
export SESSION_COOKIE_SECURE="${SESSION_COOKIE_SECURE:-0}" REMEMBER_COOKIE_SECURE="${REMEMBER_COOKIE_SECURE:-0}"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"
# Production requires an explicit choice (README, "Documents and registers"): unsigned unless set.
export SIGNING_BACKEND="${SIGNING_BACKEND:-none}"
mkdir -p "$INSTANCE_PATH"
if [ -z "${SECRET_KEY:-}" ]; then
    # One key for both instances (a session signed by one is read by the other), kept across runs.
    if [ ! -s "$INSTANCE_PATH/secret_key" ]; then
        (umask 077 && "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(48))' >"$INSTANCE_PATH/secret_key")
    fi
    SECRET_KEY="$(cat "$INSTANCE_PATH/secret_key")"
    export SECRET_KEY
fi

# The database, made if missing, then migrated and bootstrapped as a production install is.
"$BIN/python" - <<'PY'
import os

import sqlalchemy as sa

from config import _database_url

url = sa.make_url(_database_url(os.environ["DATABASE_URL"]))
admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
with admin.connect() as conn:
    if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}):
        conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
        print(f"created database {url.database}")
admin.dispose()
PY
"$BIN/flask" db upgrade
"$BIN/flask" bootstrap

pids=()
stop_all() {
    trap - INT TERM EXIT
    echo "prod-local: stopping ${pids[*]}"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait || true
}
trap stop_all INT TERM EXIT

for port in 8001 8002; do
    PROMETHEUS_MULTIPROC_DIR="$INSTANCE_PATH/prometheus-$port" GUNICORN_BIND="127.0.0.1:$port" \
        "$BIN/gunicorn" -c gunicorn.conf.py &
    pids+=("$!")
done
"$BIN/flask" notify worker &
pids+=("$!")
echo "prod-local: web on http://127.0.0.1:8001 and http://127.0.0.1:8002, outbox worker running; Ctrl-C stops all"
# The first process to end (a crash, or Ctrl-C) ends the others.
wait -n || true
