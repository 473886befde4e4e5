"""The ceiling: a bare Flask + psycopg endpoint running our worklist's SQL.

`gunicorn benchmarks.load.bare_app:app` with LOAD_DSN (a libpq URL) and
LOAD_POOLS (the JSON of benchmarks/load/prepare.py, whose `worklist_sql` is the
SELECT our worklist page runs, compiled for PostgreSQL). No login, no ORM, no
template engine: one connection per thread, the rows as a small HTML table.
"""

from __future__ import annotations

import html
import json
import os
import threading
from pathlib import Path

import psycopg
from flask import Flask

app = Flask(__name__)
SQL = json.loads(Path(os.environ["LOAD_POOLS"]).read_text())["worklist_sql"]
DSN = os.environ.get("LOAD_DSN", "postgresql://postgres@127.0.0.1:5432/sp_load")
_local = threading.local()


def _conn() -> psycopg.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = _local.conn = psycopg.connect(DSN, autocommit=True)
    return conn


@app.get("/worklist")
def worklist() -> str:
    rows = _conn().execute(SQL).fetchall()
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows[:25])
    return f"<!doctype html><title>Worklist</title><table>{cells}</table>"
