"""`make loadtest`: the office under load, on two app instances, beside two baselines.

    python -m benchmarks.load.run [--n 1000000] [--reuse] [--levels 25,50,100] [--duration 90]

1. generate N cases on PostgreSQL (benchmarks.generate; `--reuse` keeps a database
   that already holds N cases) and the load test's data (benchmarks/load/prepare.py);
2. start the production setup, `deploy/prod-local.sh` (two gunicorn instances on
   8001/8002 and the outbox worker, PostgreSQL + Redis), trusting one proxy hop so
   simulated citizens come from many addresses;
3. for each level, Locust headless runs the office mix (officers, the head exporting,
   citizens tracking) for a fixed time, users dealt round-robin over both instances;
4. at the comparison level, the worklist alone back to back on our app, on a bare
   Flask + psycopg endpoint running the same SQL (bare_app.py) and on FAB's
   generic ModelView list of the case table (fab_peer.py), each on two instances
   with the same gunicorn settings;
5. print the table and append it to benchmarks/RESULTS.md; Locust's CSV files stay
   in benchmarks/out/load/.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "benchmarks" / "out" / "load"
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
APP_PORTS = (8001, 8002)
BARE_PORTS = (8011, 8012)
PEER_PORTS = (8021, 8022)
# Pages the p95 target does not cover: a whole register streamed, and the logins at spawn
# time (once per account and instance, not part of the office's mix).
EXPORTS = ("export register CSV",)
NOT_IN_MIX = ("login", "login page")
P95_TARGET_MS = 300
SETTLE_SECONDS = 15
BARE_RATIO_TARGET = 0.4


def log(message: str) -> None:
    print(f"[loadtest {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def case_count(url: str) -> int | None:
    """Cases in the database at `url`, None when it does not exist or has no schema."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(sa.text('SELECT count(*) FROM "case"')) or 0)
    except sa.exc.SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def wait_http(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as rv:
                if rv.status < 500:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer within {seconds:.0f} s")
        time.sleep(0.5)


def stop(proc: subprocess.Popen) -> None:
    """Stop a process group this script started (by its own id)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def production_env(db_name: str, instance: Path) -> dict[str, str]:
    """The environment deploy/prod-local.sh builds, for this database, plus the load-test settings."""
    env = dict(os.environ)
    key = instance / "secret_key"
    if not env.get("SECRET_KEY"):
        # One key for every instance and baseline (prod-local.sh reads the same file).
        if not key.exists():
            import secrets

            key.write_text(secrets.token_urlsafe(48) + "\n")
            key.chmod(0o600)
        env["SECRET_KEY"] = key.read_text().strip()
    env.update(
        APP_ENV="production",
        FLASK_APP="app",
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:5432/{db_name}",
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0"),
        PUBLIC_BASE_URL="http://127.0.0.1:8001",
        INSTANCE_PATH=str(instance),
        UPLOAD_DIR=str(instance / "uploads"),
        SESSION_COOKIE_SECURE="0",
        REMEMBER_COOKIE_SECURE="0",
        WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
        # Simulated citizens send X-Forwarded-For from many addresses, as a proxy in front would:
        # the public tracking limit (10 a minute per address) then applies per citizen, as in production.
        PROXY_FIX_HOPS="1",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
        GUNICORN_LOG_LEVEL="warning",
        # Stopping between runs: no request is in flight once Locust has ended.
        GUNICORN_GRACEFUL_TIMEOUT="5",
    )
    return env


def start_instances(app_uri: str, ports: tuple[int, ...], env: dict[str, str], logfile: Path) -> list:
    """Gunicorn instances of `app_uri` with gunicorn.conf.py (same workers and threads as ours)."""
    procs = []
    for port in ports:
        penv = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}")
        penv["PROMETHEUS_MULTIPROC_DIR"] = str(Path(env["INSTANCE_PATH"]) / f"prometheus-{port}")
        procs.append(
            subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", app_uri],
                cwd=ROOT,
                env=penv,
                stdout=logfile.open("a"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return procs


def locust(
    classes: list[str], users: int, seconds: int, hosts: tuple[int, ...], prefix: str, extra_env: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """One headless Locust run; its stats per request name (from its CSV)."""
    env = dict(os.environ, **extra_env, LOAD_HOSTS=",".join(f"http://127.0.0.1:{p}" for p in hosts))
    cmd = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "benchmarks" / "load" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(5, users // 2)),
        "--run-time",
        f"{seconds}s",
        "--reset-stats",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--csv",
        str(OUT / prefix),
        *classes,
    ]
    before = load_avg()
    with (OUT / f"{prefix}.log").open("w") as out:
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    # Requests Locust gave up on at the end may still be running in the instances: let them land
    # before the next level's pools are read (else it forwards a case that just moved on).
    time.sleep(SETTLE_SECONDS)
    stats = read_stats(OUT / f"{prefix}_stats.csv")
    stats["_load"] = {"before": before, "after": load_avg()}
    return stats


def read_stats(path: Path) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return rows
    with path.open() as fh:
        for row in csv.DictReader(fh):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": row["50%"],
                "p95": row["95%"],
                "p99": row["99%"],
            }
    return rows


def failures(prefix: str) -> list[str]:
    path = OUT / f"{prefix}_failures.csv"
    if not path.exists():
        return []
    with path.open() as fh:
        return [f"{r['Method']} {r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(fh)]


def _ms(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def mix_table(levels: dict[int, dict[str, dict[str, Any]]]) -> list[str]:
    lines = [
        "| users | request | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for users, stats in levels.items():
        for name, s in stats.items():
            if name.startswith("_"):
                continue
            label = f"**{name}**" if name == "Aggregated" else name
            lines.append(
                f"| {users} | {label} | {s['requests']} | {s['rps']:.1f} | {s['p50']} | {s['p95']} | {s['p99']} "
                f"| {s['failures']} |"
            )
    return lines


def compare_table(runs: dict[str, dict[str, dict[str, Any]]], users: int) -> list[str]:
    bare = runs["bare Flask + psycopg (ceiling)"].get("worklist", {})
    lines = [
        f"Worklist alone, {users} users back to back (no think time), two instances each:",
        "",
        "| server | requests | req/s | × bare | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, stats in runs.items():
        s = stats.get("worklist")
        if not s:
            lines.append(f"| {label} | — | — | — | — | — | — | no data |")
            continue
        ratio = s["rps"] / bare["rps"] if bare.get("rps") else float("nan")
        lines.append(
            f"| {label} | {s['requests']} | {s['rps']:.1f} | {ratio:.2f} | {s['p50']} | {s['p95']} | {s['p99']} "
            f"| {s['failures']} |"
        )
    return lines


def verdicts(levels: dict[int, dict], runs: dict[str, dict], target_users: int) -> list[str]:
    errors = sum(s["failures"] for st in levels.values() for n, s in st.items() if n == "Aggregated")
    errors += sum(st.get("worklist", {}).get("failures", 0) for st in runs.values())
    out = [f"- 0 errors: **{'met' if errors == 0 else 'missed'}** ({errors} errors in all runs)"]
    at = levels.get(target_users)
    if at:
        slow = [
            f"{n} {s['p95']} ms"
            for n, s in at.items()
            if not n.startswith("_")
            and n not in (*EXPORTS, *NOT_IN_MIX, "Aggregated")
            and _ms(s["p95"]) > P95_TARGET_MS
        ]
        out.append(
            f"- p95 ≤ {P95_TARGET_MS} ms at {target_users} users, every page but exports: "
            f"**{'met' if not slow else 'missed'}**" + (f" ({', '.join(slow)})" if slow else "")
        )
    ours = runs["SP-Backoffice worklist"].get("worklist", {}).get("rps")
    bare = runs["bare Flask + psycopg (ceiling)"].get("worklist", {}).get("rps")
    if ours and bare:
        ratio = ours / bare
        out.append(
            f"- worklist throughput ≥ {BARE_RATIO_TARGET}× bare: **{'met' if ratio >= BARE_RATIO_TARGET else 'missed'}** "
            f"({ours:.1f} vs {bare:.1f} req/s = {ratio:.2f}×)"
        )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=int(os.environ.get("LOAD_N", 1_000_000)))
    parser.add_argument("--reuse", action="store_true", default=os.environ.get("LOAD_REUSE") == "1")
    parser.add_argument("--db", default=os.environ.get("LOAD_DB", "sp_load"), help="PostgreSQL database name")
    parser.add_argument("--levels", default=os.environ.get("LOAD_LEVELS", "25,50,100"))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("LOAD_DURATION", 60)))
    parser.add_argument("--compare-users", type=int, default=int(os.environ.get("LOAD_COMPARE_USERS", 50)))
    parser.add_argument("--compare-duration", type=int, default=int(os.environ.get("LOAD_COMPARE_DURATION", 45)))
    parser.add_argument("--wait", default=os.environ.get("LOAD_WAIT", "0.5,2"), help="officers' think time, s")
    parser.add_argument(
        "--no-faults",
        dest="faults",
        action="store_false",
        default=os.environ.get("LOAD_FAULTS", "1") != "0",
        help="skip the full-length fault tests (benchmarks/load/faults.py)",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from benchmarks.generate import generate
    from benchmarks.load.faults import run_full
    from benchmarks.load.prepare import prepare

    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.db}"
    existing = case_count(url) if args.reuse else None
    if existing == args.n:
        log(f"reusing {args.db} with {existing:,} cases")
        gen_note = "reused"
    else:
        log(f"generating {args.n:,} cases into {args.db} (load {load_avg()})")
        counts = generate(url, args.n, log=log)
        gen_note = f"generated in {counts['seconds']} s"
        log(f"generated {counts}")
    pools_path = OUT / "pools.json"
    instance = OUT / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    env = production_env(args.db, instance)
    applog = OUT / "instances.log"
    applog.write_text("")
    log("starting deploy/prod-local.sh (two instances + worker)")
    prod = subprocess.Popen(
        ["bash", "deploy/prod-local.sh"],
        cwd=ROOT,
        env=env,
        stdout=applog.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    baselines: list[subprocess.Popen] = []
    levels: dict[int, dict] = {}
    runs: dict[str, dict] = {}
    # A week of registrations a month back: the register the head exports (a filtered CSV).
    week_to = date.today() - timedelta(days=30)
    export = {"LOAD_EXPORT_FROM": (week_to - timedelta(days=6)).isoformat(), "LOAD_EXPORT_TO": week_to.isoformat()}
    try:
        for port in APP_PORTS:
            wait_http(f"http://127.0.0.1:{port}/healthz", 180)
        log(f"instances up; load {load_avg()}")
        # Every gunicorn worker builds its app on its first requests: warm them before measuring.
        prepare(url, pools_path)
        locust(
            ["Officer", "Citizen"], 8, 20, APP_PORTS, "warmup", {"LOAD_POOLS": str(pools_path), "LOAD_WAIT": "0,0.2"}
        )
        for users in [int(x) for x in args.levels.split(",") if x]:
            # Fresh pools each level: the cases the last level forwarded are at the next step now.
            prepare(url, pools_path)
            log(f"office mix, {users} users, {args.duration} s (load {load_avg()})")
            levels[users] = locust(
                ["Officer", "Head", "Citizen"],
                users,
                args.duration,
                APP_PORTS,
                f"mix_{users}",
                {"LOAD_POOLS": str(pools_path), "LOAD_WAIT": args.wait, **export},
            )
        prepare(url, pools_path)
        cu, cd = args.compare_users, args.compare_duration
        common = {"LOAD_POOLS": str(pools_path)}
        log(f"worklist alone on our app, {cu} users, {cd} s")
        runs["SP-Backoffice worklist"] = locust(["Worklist"], cu, cd, APP_PORTS, "cmp_ours", common)
        stop(prod)
        bare_env = dict(env, LOAD_POOLS=str(pools_path), LOAD_DSN=env["DATABASE_URL"])
        baselines = start_instances("benchmarks.load.bare_app:app", BARE_PORTS, bare_env, applog)
        for port in BARE_PORTS:
            wait_http(f"http://127.0.0.1:{port}/worklist")
        log(f"bare Flask + psycopg, {cu} users, {cd} s")
        runs["bare Flask + psycopg (ceiling)"] = locust(["BareWorklist"], cu, cd, BARE_PORTS, "cmp_bare", common)
        for proc in baselines:
            stop(proc)
        subprocess.run([str(BIN / "python"), "-m", "benchmarks.load.fab_peer"], cwd=ROOT, env=env, check=True)
        baselines = start_instances("benchmarks.load.fab_peer:create_app()", PEER_PORTS, bare_env, applog)
        for port in PEER_PORTS:
            wait_http(f"http://127.0.0.1:{port}/healthz", 120)
        log(f"FAB ModelView list, {cu} users, {cd} s")
        runs["FAB ModelView list (peer)"] = locust(["PeerWorklist"], cu, cd, PEER_PORTS, "cmp_peer", common)
    finally:
        for proc in baselines:
            stop(proc)
        stop(prod)
    # Last, with the office's instances stopped: the fault tests start servers of their own.
    fault_report, faults_ok = (
        run_full(log) if args.faults else (["Fault tests at full length: skipped (--no-faults)."], True)
    )
    minutes = (time.monotonic() - started) / 60
    pools = json.loads(pools_path.read_text())
    report = [
        "",
        f"## Load test — two instances on PostgreSQL, {args.n:,} cases ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"`make loadtest` (benchmarks/load/run.py): {gen_note}; `deploy/prod-local.sh` (2 gunicorn instances × "
        f"{env['WEB_CONCURRENCY']} workers × 4 threads, outbox worker, Redis limits); Locust headless, users dealt "
        f"round-robin over both instances, {args.duration} s a level after spawning, think time {args.wait} s. "
        f"Mix per 11 users: 8 officers (worklist 4 : open case 3 : tick 1 : forward 1 : control-card PDF 1; one "
        f"account per step, {len(pools['officers'])} accounts), 1 head exporting a week of the case register as "
        f"CSV, 2 citizens tracking (form + POST). Locust, the app, PostgreSQL and Redis share this 2-core machine "
        f"(and whatever else runs on it: load average (1/5/15 min) is given per run). Whole run {minutes:.1f} min. Locust CSVs: benchmarks/out/load/.",
        "",
        *mix_table(levels),
        "",
        "Load average before → after each level: "
        + "; ".join(f"{u} users {s['_load']['before']} → {s['_load']['after']}" for u, s in levels.items()),
        "",
        *compare_table(runs, args.compare_users),
        "",
        "Load average: " + "; ".join(f"{k} {s['_load']['before']} → {s['_load']['after']}" for k, s in runs.items()),
        "",
        "Targets:",
        "",
        *verdicts(levels, runs, 50),
        "",
        *fault_report,
    ]
    errs = [e for p in [*(f"mix_{u}" for u in levels), "cmp_ours", "cmp_bare", "cmp_peer"] for e in failures(p)]
    if errs:
        report += ["", "Errors seen:", "", *(f"- {e}" for e in errs[:20])]
    text = "\n".join(report) + "\n"
    print(text)
    with RESULTS.open("a") as fh:
        fh.write(text)
    log(f"appended to {RESULTS.relative_to(ROOT)}")
    if not faults_ok:
        sys.exit("a fault test failed at full length: see the report above")


if __name__ == "__main__":
    main()
