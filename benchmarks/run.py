"""Measure the screens' queries and the register exports at scale; print ratios to baselines.

    make bench BENCH_ARGS="--n 200000"              # SQLite under benchmarks/out/
    python -m benchmarks.run --db postgresql+psycopg://postgres@127.0.0.1:5432/sp_bench

Not run in CI. Every figure is compared with a baseline measured in the same
run on the same data: the raw SQL text of the same select run on the bare
DBAPI cursor (lists), the sqlite3/psql command line and Flask-Admin's built-in
export (CSV), openpyxl's write-only mode over the same rows and cells (XLSX),
one ReportLab LongTable over the same rows (PDF). Exports run in a child
process each, so peak RSS (getrusage maxrss) is theirs alone.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.generate import OUT, ROOT, make_app

LIST_TARGET_MS, LIST_TARGET_RATIO = 50.0, 2.0
CSV_TARGET_RPS, CSV_TARGET_MB = 100_000, 150
PDF_TARGET_S, PDF_TARGET_MB = 10.0, 250


def _ms(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of `fn` in milliseconds, after one warm-up call."""
    fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def _raw_sql(stmt: Any, engine: Any) -> str:
    return str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))


def bench_lists(url: str, repeat: int) -> list[dict]:
    """The all-cases page and the worklist, as the screens fetch them, against their SQL on the raw cursor.

    "ours" is the page's whole data path: permission lookups (the worklist reads
    the user's step grants), building the select, running it and turning the
    rows into the objects the template reads. "raw SQL" runs the final select's
    text on the bare DBAPI cursor. "request" is a whole GET of the screen through
    Flask (login session, FAB's access check, menu, template), for the 50 ms target.
    """
    from flask import g
    from flask_login import login_user

    from app.core.extensions import db

    app = make_app(url)
    results = []
    with app.test_request_context("/"):
        import sqlalchemy as sa

        from app.cases.access import WORKLIST_ORDER, worklist_filter
        from models import Case
        from views.cases.lists import all_cases_page, filtered_query
        from views.cases.worklist import PAGE_SIZE, listed, worklist_page

        filtered = {"status": "in_progress", "service": "TD-BKK", "from": "2025-01-01", "to": "2025-03-31"}
        pages = {
            "all cases, page 1": (
                "bench_kepala_bidang",
                "/cases/",
                lambda user: all_cases_page({}, user),
                lambda user: listed(filtered_query({})),
            ),
            "all cases, in progress + service + 3 months": (
                "bench_kepala_bidang",
                "/cases/?" + "&".join(f"{k}={v}" for k, v in filtered.items()),
                lambda user: all_cases_page(filtered, user),
                lambda user: listed(filtered_query(filtered)),
            ),
        }
        for role, username in (("Front Office", "bench_front_office"), ("Tim Teknis", "bench_tim_teknis")):
            pages[f"worklist, {role}"] = (
                username,
                "/cases/worklist/",
                lambda user: worklist_page(user, 1),
                lambda user: listed(sa.select(Case).where(*worklist_filter(user)).order_by(*WORKLIST_ORDER)),
            )
        sm = app.appbuilder.sm
        for label, (username, path, fetch, select_of) in pages.items():
            user = sm.find_user(username=username)
            login_user(user)
            g.user = user
            sql = _raw_sql(select_of(user).limit(PAGE_SIZE + 1), db.engine)
            raw = db.engine.raw_connection()

            def baseline(raw=raw, sql=sql):
                cur = raw.cursor()
                cur.execute(sql)
                return cur.fetchall()

            prebuilt = select_of(user).limit(PAGE_SIZE + 1)
            ours_ms, raw_ms = _ms(lambda fetch=fetch, user=user: fetch(user), repeat), _ms(baseline, repeat)
            # SQLAlchemy's own floor: the same select, built once, run through the session.
            sqla_ms = _ms(lambda prebuilt=prebuilt: db.session.execute(prebuilt).all(), repeat)
            raw.close()
            request_ms = _request_ms(app, user.id, path, repeat)
            ok = request_ms <= LIST_TARGET_MS and ours_ms <= LIST_TARGET_RATIO * raw_ms
            results.append(
                {
                    "page": label,
                    "rows": len(fetch(user)),
                    "ours_ms": round(ours_ms, 2),
                    "raw_ms": round(raw_ms, 2),
                    "ratio": round(ours_ms / raw_ms, 2) if raw_ms else None,
                    "sqla_ms": round(sqla_ms, 2),
                    "request_ms": round(request_ms, 2),
                    "ok": ok,
                }
            )
            db.session.rollback()
    return results


def _request_ms(app: Any, user_id: int, path: str, repeat: int) -> float:
    """Median time of a whole GET of `path` by a logged-in user (Flask test client, no network)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True

    def get():
        rv = client.get(path)
        assert rv.status_code == 200, (path, rv.status_code)

    return _ms(get, repeat)


def _child(task: str, url: str, extra: dict) -> dict:
    """Run one measurement in a fresh interpreter; it prints a JSON line with its own figures."""
    cmd = [sys.executable, "-m", "benchmarks.run", "--child", task, "--db", url, "--child-args", json.dumps(extra)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode or not lines:
        return {"error": (proc.stderr or proc.stdout)[-800:]}
    return json.loads(lines[-1])


def _maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def child(task: str, url: str, extra: dict) -> dict:
    """Inside the child process: do `task` once and report seconds, rows, peak RSS."""
    if task in ("sqlite3-cli", "psql-cli"):
        return _cli_export(task, url, extra)
    if task == "lists":
        return {"lists": bench_lists(url, extra["repeat"])}
    app = make_app(url)
    from app.registers import REGISTERS, Filters

    with app.test_request_context("/"):
        if task in ("csv", "csv-python"):
            from app.registers.csv_export import iter_csv

            # "csv" is what a download runs (COPY on PostgreSQL); "csv-python" forces the Python writer.
            use_copy = False if task == "csv-python" else None
            t0 = time.perf_counter()
            size = 0
            with open(os.devnull, "wb") as sink:
                for chunk in iter_csv(REGISTERS["cases"], Filters(), use_copy=use_copy):
                    size += len(chunk)
                    sink.write(chunk)
            seconds = time.perf_counter() - t0
            return {"seconds": seconds, "bytes": size, "rows": extra["rows"], "maxrss_mb": _maxrss_mb()}
        if task == "sql":
            from app.core.extensions import db

            return {
                "sql": _raw_sql(REGISTERS["cases"].select(Filters()), db.engine),
                "rows": db.session.execute(REGISTERS["cases"].count(Filters())).scalar_one(),
            }
        if task == "flask-admin":
            return _flask_admin_export(app, extra)
        if task in ("pdf", "longtable"):
            return _pdf(task, REGISTERS["cases"], Filters(), extra["rows"])
        if task in ("xlsx", "openpyxl"):
            return _xlsx(task, REGISTERS["cases"], Filters(), extra["rows"])
    raise SystemExit(f"unknown task {task}")


def _cli_export(task: str, url: str, extra: dict) -> dict:
    """The database's own command-line CSV export of the same select."""
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        if task == "sqlite3-cli":
            cmd = ["sqlite3", "-csv", "-header", url[len("sqlite:///") :], extra["sql"]]
        else:
            plain = url.replace("postgresql+psycopg://", "postgresql://")
            cmd = ["psql", plain, "-c", f"\\copy ({extra['sql']}) to stdout with csv header"]
        subprocess.run(cmd, stdout=sink, check=True)
    return {
        "seconds": time.perf_counter() - t0,
        "rows": extra["rows"],
        "maxrss_mb": _maxrss_mb(resource.RUSAGE_CHILDREN),
    }


def _flask_admin_export(app: Any, extra: dict) -> dict:
    """Flask-Admin's own CSV export of the case table (it loads every ORM row first)."""
    from flask_admin import Admin
    from flask_admin.contrib.sqla import ModelView

    from app.core.extensions import db
    from models import Case

    class CaseExport(ModelView):
        can_export = True
        export_max_rows = extra["rows"]
        column_export_list = ["registration_no", "received_at", "status", "current_step_no", "due_at", "completed_at"]

    admin = Admin(name="bench", url="/benchadmin", endpoint="benchadmin")
    admin.add_view(CaseExport(Case, db.session, endpoint="benchcase"))
    admin.init_app(app)
    client = app.test_client()
    t0 = time.perf_counter()
    rv = client.get("/benchadmin/benchcase/export/csv/", buffered=False)
    size = sum(len(chunk) for chunk in rv.response)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "bytes": size,
        "status": rv.status_code,
        "rows": extra["rows"],
        "maxrss_mb": _maxrss_mb(),
    }


def _pdf(task: str, register: Any, filters: Any, rows: int) -> dict:
    """Our chunked register PDF, or the same rows as one ReportLab LongTable."""
    from dataclasses import replace

    from models import Case

    limited = replace(register, base_select=lambda: register.base_select().where(Case.id <= rows))
    t0 = time.perf_counter()
    out = io.BytesIO()
    if task == "pdf":
        from app.registers.pdf_export import write_pdf

        write_pdf(limited, filters, out)
    else:
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.platypus import LongTable, SimpleDocTemplate

        from app.core.extensions import db
        from app.registers.pdf_export import FONT, register_fonts

        register_fonts()
        fmt = limited.formatter("pdf")
        data = [["No", *limited.headers()]]
        data += [[str(i), *fmt(r)] for i, r in enumerate(db.session.execute(limited.select(filters)), 1)]
        table = LongTable(data, repeatRows=1, style=[("FONT", (0, 0), (-1, -1), FONT, 7)])
        SimpleDocTemplate(out, pagesize=landscape(A4)).build([table])
    return {"seconds": time.perf_counter() - t0, "bytes": out.tell(), "rows": rows, "maxrss_mb": _maxrss_mb()}


def _xlsx(task: str, register: Any, filters: Any, rows: int) -> dict:
    """Our XLSX (XlsxWriter, constant_memory) of the whole register, or openpyxl write-only over its first `rows`."""
    import tempfile

    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        if task == "xlsx":
            from app.registers.xlsx_export import write_xlsx

            rows = write_xlsx(register, filters, out)
        else:
            rows = _openpyxl_write_only(register, filters, out, rows)
        seconds = time.perf_counter() - t0
        size = out.seek(0, os.SEEK_END)
    return {"seconds": seconds, "bytes": size, "rows": rows, "maxrss_mb": _maxrss_mb()}


def _openpyxl_write_only(register: Any, filters: Any, out: Any, rows: int) -> int:
    """The same cells (text, numbers, office-time dates, labels) through openpyxl's write-only workbook."""
    from openpyxl import Workbook

    from app.core.extensions import db
    from app.core.timezone import office_tz

    tz = office_tz()
    labels = [{k: str(v) for k, v in (c.labels or {}).items()} for c in register.columns]
    kinds = [c.kind for c in register.columns]
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["No", *register.headers()])
    number = 0
    with db.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=2000).execute(register.select(filters))
        for row in result:
            if number == rows:
                break
            number += 1
            cells: list[Any] = [number]
            for v, kind, names in zip(row, kinds, labels, strict=False):
                if v is None:
                    cells.append(None)
                elif kind == "datetime":
                    cells.append(v.astimezone(tz).replace(tzinfo=None))
                elif kind in ("label", "flag"):
                    cells.append(names.get(v, v))
                else:
                    cells.append(v)
            sheet.append(cells)
    book.save(out)
    return number


def bench_exports(url: str, admin_rows: int, pdf_rows: int, xlsx_baseline_rows: int = 100_000) -> dict:
    info = _child("sql", url, {})
    sql, total = info["sql"], info["rows"]
    cli = "sqlite3-cli" if url.startswith("sqlite") else "psql-cli"
    out = {"csv_rows": total}
    out["csv"] = _child("csv", url, {"rows": total})
    if not url.startswith("sqlite"):
        out["csv_python"] = _child("csv-python", url, {"rows": total})
    out["cli"] = _child(cli, url, {"rows": total, "sql": sql})
    out["flask_admin"] = _child("flask-admin", url, {"rows": min(admin_rows, total)})
    out["xlsx"] = _child("xlsx", url, {"rows": total})
    out["openpyxl"] = _child("openpyxl", url, {"rows": min(xlsx_baseline_rows, total)})
    out["pdf"] = _child("pdf", url, {"rows": pdf_rows})
    out["longtable"] = _child("longtable", url, {"rows": pdf_rows})
    return out


def report(n: int, url: str, lists: list[dict], exports: dict, load: list[tuple]) -> str:
    rps = lambda r: r["rows"] / r["seconds"] if r.get("seconds") else 0  # noqa: E731
    loads = " → ".join("/".join(f"{x:.1f}" for x in one) for one in load)
    lines = [
        f"# benchmark {time.strftime('%Y-%m-%d %H:%M')}  N={n:,}  db={url.split(':')[0]}",
        "",
        f"Load average (1/5/15 min) at start → end of the measurements, on {os.cpu_count()} cores: {loads}",
        "",
        f"## list pages (target: request ≤ {LIST_TARGET_MS:.0f} ms, data path ≤ {LIST_TARGET_RATIO:.0f}× raw SQL)",
        "| page | rows | ours ms (data path) | raw SQL ms | ratio | SQLAlchemy execute ms | whole request ms | ok |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in lists:
        lines.append(
            f"| {r['page']} | {r['rows']} | {r['ours_ms']} | {r['raw_ms']} | {r['ratio']} "
            f"| {r['sqla_ms']} | {r['request_ms']} | {r['ok']} |"
        )
    if exports:
        csv_, cli, fa = exports["csv"], exports["cli"], exports["flask_admin"]
        lines += [
            "",
            f"## CSV export of the cases register, {exports['csv_rows']:,} rows "
            f"(target ≥ {CSV_TARGET_RPS:,} rows/s, ≤ {CSV_TARGET_MB} MB)",
            "| exporter | rows | seconds | rows/s | peak RSS MB | ours vs it (speed) |",
            "|---|---|---|---|---|---|",
        ]
        ours = [("ours (streamed)", csv_)]
        if "csv_python" in exports:
            ours = [("ours (COPY … TO STDOUT)", csv_), ("ours, Python csv writer forced", exports["csv_python"])]
        for name, r in (*ours, ("database CLI", cli), ("Flask-Admin export", fa)):
            if "error" in r:
                lines.append(f"| {name} | error: {r['error'][-200:]!r} | | | | |")
                continue
            ratio = rps(csv_) / rps(r) if rps(r) else 0
            lines.append(
                f"| {name} | {r['rows']:,} | {r['seconds']:.2f} | {rps(r):,.0f} | {r['maxrss_mb']} | {ratio:.2f}× |"
            )
        xlsx, opx = exports["xlsx"], exports["openpyxl"]
        lines += [
            "",
            f"## XLSX export of the cases register, {exports['csv_rows']:,} rows (beside our CSV of the same rows)",
            "| exporter | rows | seconds | rows/s | peak RSS MB | MB written | XLSX vs it (speed) |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, r in (
            ("ours XLSX (XlsxWriter constant_memory)", xlsx),
            ("openpyxl write-only, same cells", opx),
            ("ours CSV (streamed)", csv_),
        ):
            if "error" in r:
                lines.append(f"| {name} | error: {r['error'][-200:]!r} | | | | | |")
                continue
            ratio = rps(xlsx) / rps(r) if rps(r) else 0
            lines.append(
                f"| {name} | {r['rows']:,} | {r['seconds']:.2f} | {rps(r):,.0f} | {r['maxrss_mb']} "
                f"| {r.get('bytes', 0) / 1e6:.1f} | {ratio:.2f}× |"
            )
        pdf, lt = exports["pdf"], exports["longtable"]
        lines += [
            "",
            f"## PDF register, {pdf.get('rows', 0):,} rows (target ≤ {PDF_TARGET_S:.0f} s, ≤ {PDF_TARGET_MB} MB)",
            "| writer | seconds | peak RSS MB | bytes |",
            "|---|---|---|---|",
        ]
        for name, r in (("ours (chunked LongTables)", pdf), ("one ReportLab LongTable", lt)):
            if "error" in r:
                lines.append(f"| {name} | error: {r['error'][-200:]!r} | | |")
            else:
                lines.append(f"| {name} | {r['seconds']:.2f} | {r['maxrss_mb']} | {r['bytes']:,} |")
        if "seconds" in pdf and "seconds" in lt:
            lines.append(f"\nours / LongTable time: {pdf['seconds'] / lt['seconds']:.2f}×")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="SP-Backoffice benchmarks (lists, CSV, XLSX, PDF)")
    parser.add_argument("--n", type=int, default=1_000_000, help="cases to generate")
    parser.add_argument("--db", default=f"sqlite:///{OUT / 'bench.sqlite'}")
    parser.add_argument("--reuse", action="store_true", help="keep the database generated by a previous run")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--admin-rows", type=int, default=100_000, help="rows for Flask-Admin's export")
    parser.add_argument("--pdf-rows", type=int, default=10_000)
    parser.add_argument("--xlsx-baseline-rows", type=int, default=100_000, help="rows for openpyxl's write-only")
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-args", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.db, json.loads(args.child_args))))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    # Everything heavy runs in child processes: a child forked from a big
    # parent would inherit its peak RSS in getrusage's maxrss.
    if not args.reuse:
        print(f"generating {args.n:,} cases in {args.db} ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "benchmarks.generate", "--n", str(args.n), "--db", args.db], cwd=ROOT, check=True
        )
    load = [os.getloadavg()]
    listed = _child("lists", args.db, {"repeat": args.repeat})
    if "error" in listed:
        raise SystemExit(listed["error"])
    lists = listed["lists"]
    exports = (
        {} if args.skip_exports else bench_exports(args.db, args.admin_rows, args.pdf_rows, args.xlsx_baseline_rows)
    )
    load.append(os.getloadavg())
    text = report(args.n, args.db, lists, exports, load)
    print(text)
    (OUT / "last-run.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
