"""Generate N cases with their control cards, fast, on SQLite or PostgreSQL.

The schema comes from Alembic and the baseline (roles, TD-BKK) from bootstrap,
as in production; the bulk rows then go in through the DBAPI directly
(`executemany` on SQLite, `COPY` on PostgreSQL), a few hundred thousand rows
a second, in the shape the screens expect: statuses, steps, due times (some
late), certificates for finished cases, one control-card row per step done.

    python -m benchmarks.generate --n 200000 --db sqlite:///benchmarks/out/bench.sqlite
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
BATCH = 20_000
PASSWORD = "bench-password-not-secret"
ROLES = ("Front Office", "Tim Teknis", "Kepala Bidang")
STATUS_WEIGHTS = (
    ("handed_over", 60),
    ("in_progress", 25),
    ("completed", 5),
    ("rejected", 5),
    ("returned", 3),
    ("cancelled", 2),
)
FIRST = ("Siti", "Budi", "Rina", "Ahmad", "Dewi", "Agus", "Nur", "Hendra", "Putri", "Rudi")
LAST = ("Aminah", "Santoso", "Wati", "Hidayat", "Lestari", "Saputra", "Halim", "Siregar", "Nasution", "Lubis")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
CASE_COLS = (
    "id",
    "registration_no",
    "service_id",
    "applicant_id",
    "institution_id",
    "form_data",
    "status",
    "current_step_no",
    "version",
    "received_at",
    "due_at",
    "step_received_at",
    "step_due_at",
    "paused_working_minutes",
    "completed_at",
    "closed_at",
)
CARD_COLS = (
    "case_id",
    "seq",
    "step_no",
    "step_kind",
    "role",
    "officer_name",
    "officer_initial",
    "received_at",
    "acted_at",
    "outcome",
    "standard_minutes",
    "spent_minutes",
    "late",
    "prev_hash",
    "hash",
)


def make_app(url: str) -> Any:
    sys.path.insert(0, str(ROOT))
    from app import create_app

    return create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(OUT)})


def reset_database(url: str) -> None:
    """A new, empty database at `url` (file removed, or PostgreSQL database recreated)."""
    import sqlalchemy as sa

    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    base, name = url.rsplit("/", 1)
    admin = sa.create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _fmt_ts(value: datetime, sqlite: bool) -> str:
    """`value` is naive UTC: SQLite stores SQLAlchemy's naive UTC text, PostgreSQL gets the offset."""
    text = value.isoformat(" ", "microseconds")
    return text if sqlite else text + "+00:00"


def case_rows(
    n: int, service_id: int, steps: list[dict], institutions: int, sqlite: bool, seed: int = 42
) -> Iterator[tuple[tuple, list[tuple], tuple | None]]:
    """(case row, its control-card rows, its certificate row or None) for case ids 1..n."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    start = now - timedelta(days=730)
    span = timedelta(days=729).total_seconds() / max(n, 1)
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    seqs: dict[int, int] = {}
    ts = lambda v: _fmt_ts(v, sqlite) if v else None  # noqa: E731
    for i in range(1, n + 1):
        received = start + timedelta(seconds=int(i * span))
        status = (
            rng.choice(statuses)
            if received < now - timedelta(days=10)
            else rng.choice(("in_progress",) * 9 + ("returned",))
        )
        done = {
            "handed_over": 10,
            "completed": 9,
            "rejected": rng.randint(1, 7),
            "cancelled": rng.randint(0, 3),
            "returned": 1,
        }.get(status, rng.randint(0, 8))
        step_no = (
            None if status in ("handed_over", "rejected", "cancelled") else (2 if status == "returned" else done + 1)
        )
        card, at = [], received
        prev = None
        for k in range(done):
            step = steps[k]
            spent = max(1, int(step["minutes"] * rng.uniform(0.3, 1.6)))
            acted = at + timedelta(minutes=spent)
            digest = f"{i:012x}{k:04x}".ljust(64, "0")
            card.append(
                (
                    i,
                    k + 1,
                    step["no"],
                    step["kind"],
                    step["role"],
                    "Petugas",
                    "PTG",
                    ts(at),
                    ts(acted),
                    "reject" if status == "rejected" and k == done - 1 else "forward",
                    step["minutes"],
                    spent,
                    spent > step["minutes"],
                    prev,
                    digest,
                )
            )
            prev, at = digest, acted
        step_due = at + timedelta(minutes=steps[step_no - 1]["minutes"] * 2) if step_no else None
        if step_due and status == "in_progress" and rng.random() < 0.3:
            step_due = now - timedelta(hours=rng.randint(1, 200))  # a share of late cases
        finished = at if status in ("completed", "handed_over") else None
        cert = None
        if finished:
            year = finished.year
            seqs[year] = seqs.get(year, 0) + 1
            cert = (
                i,
                service_id,
                year,
                seqs[year],
                f"{seqs[year]:05d}/TD-BKK/DPMPTSP/{ROMAN[finished.month - 1]}/{year}",
                ts(finished),
                "Kepala Dinas",
                f"{i:064x}",
            )
        row = (
            i,
            f"TD-BKK/{received.year}/{i:07d}",
            service_id,
            i,
            (i % institutions) + 1,
            "{}",
            status,
            step_no,
            done + 1,
            ts(received),
            ts(received + timedelta(days=8)),
            ts(at) if step_no else None,
            ts(step_due),
            0,
            ts(finished),
            ts(at) if status in ("handed_over", "rejected", "cancelled") else None,
        )
        yield row, card, cert


def _nik(k: int) -> str:
    """The k-th applicant's NIK, valid (app.core.nik) and distinct for k < 99 * 100 * 9999.

    Pekanbaru (1471), district 01-99, born 1 January (women 41) of year 00-99, serial 0001-9999.
    """
    serial, rest = k % 9999 + 1, k // 9999
    year, rest = rest % 100, rest // 100
    return f"1471{rest % 99 + 1:02d}{41 if k % 2 else 1:02d}01{year:02d}{serial:04d}"


def _batches(rows: Iterable, size: int = BATCH) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Writer:
    """Bulk writes through the raw DBAPI connection: executemany (SQLite) or COPY (PostgreSQL)."""

    def __init__(self, dbapi: Any, sqlite: bool):
        self.dbapi, self.sqlite = dbapi, sqlite
        self.cur = dbapi.cursor()

    def write(self, table: str, cols: tuple, rows: list[tuple]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in cols)
        if self.sqlite:
            self.cur.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})', rows)
            return
        with self.cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)


def generate(url: str, n: int, log=print) -> dict:
    """Reset the database at `url` and fill it with n cases; returns what was written and how fast."""
    from flask_migrate import upgrade

    from app.core.bootstrap import bootstrap
    from app.core.extensions import db

    reset_database(url)
    app = make_app(url)
    sqlite = url.startswith("sqlite")
    with app.app_context():
        upgrade()
        bootstrap()
        sm = app.appbuilder.sm
        for role in (*ROLES, "Admin"):
            sm.add_user(
                username=f"bench_{role.lower().replace(' ', '_')}",
                first_name=role,
                last_name="bench",
                email=f"{role.replace(' ', '')}@bench.test",
                role=[sm.find_role(role)],
                password=PASSWORD,
            )
        db.session.commit()
        from models import Service

        service = db.session.query(Service).filter_by(code="TD-BKK").one()
        steps = [
            {
                "no": s.no,
                "kind": s.kind,
                "role": s.executors[0].name,
                "minutes": s.minutes or (s.hours or 0) * 60 or (s.working_days or 0) * 510,
            }
            for s in service.steps
        ]
        service_id = service.id
        db.session.remove()
        t0 = time.perf_counter()
        raw = db.engine.raw_connection()
        try:
            if sqlite:
                raw.execute("PRAGMA synchronous=OFF")
                raw.execute("PRAGMA journal_mode=WAL")
            w = Writer(raw, sqlite)
            institutions = max(1, n // 20)
            w.write(
                "institution",
                ("id", "name", "address", "created_at", "updated_at"),
                [
                    (
                        k,
                        f"SMK Negeri {k} Pekanbaru",
                        f"Jl. Pendidikan No. {k}",
                        "2024-01-01 00:00:00",
                        "2024-01-01 00:00:00",
                    )
                    for k in range(1, institutions + 1)
                ],
            )
            for batch in _batches(range(1, n + 1)):
                w.write(
                    "applicant",
                    ("id", "nik", "name", "phone", "created_at", "updated_at"),
                    [
                        (
                            k,
                            _nik(k),
                            f"{FIRST[k % 10]} {LAST[(k // 10) % 10]} {k}",
                            f"+62812{k:07d}",
                            "2024-01-01 00:00:00",
                            "2024-01-01 00:00:00",
                        )
                        for k in batch
                    ],
                )
            counts = {"cases": 0, "control_card": 0, "certificates": 0}
            for batch in _batches(case_rows(n, service_id, steps, institutions, sqlite), 10_000):
                w.write("case", CASE_COLS, [c for c, _, _ in batch])
                cards = [row for _, card, _ in batch for row in card]
                w.write("control_card_entry", CARD_COLS, cards)
                certs = [cert for _, _, cert in batch if cert]
                w.write(
                    "certificate",
                    ("case_id", "service_id", "year", "seq", "number", "issued_at", "signer_name", "verify_token"),
                    certs,
                )
                counts["cases"] += len(batch)
                counts["control_card"] += len(cards)
                counts["certificates"] += len(certs)
                if counts["cases"] % 100_000 == 0:
                    log(f"  {counts['cases']:,} cases")
            if not sqlite:
                w.cur.execute("SELECT setval(pg_get_serial_sequence('\"case\"', 'id'), %s)", (n,))
            raw.commit()
            if sqlite:
                raw.execute("ANALYZE")
            else:
                # VACUUM refuses a transaction: switch the driver connection itself.
                raw.driver_connection.autocommit = True
                raw.driver_connection.execute("VACUUM ANALYZE")
        finally:
            raw.close()
        counts["seconds"] = round(time.perf_counter() - t0, 1)
        db.engine.dispose()
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db", default=f"sqlite:///{OUT / 'bench.sqlite'}")
    args = parser.parse_args(argv)
    counts = generate(args.db, args.n)
    print(f"generated {counts}")


if __name__ == "__main__":
    main()
