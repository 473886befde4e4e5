"""Fixtures of the fault tests: a private PostgreSQL cluster, a private Redis and
gunicorn-started app instances, so a test may kill, stop or restart them without
touching the servers other test runs share (127.0.0.1:5432 and :6379).

Everything here runs only with TEST_DATABASE=postgresql (the test modules skip
otherwise) and needs the PostgreSQL server binaries (`initdb`, `pg_ctl`) and
`redis-server` on this machine; a test is skipped, saying which, when one is missing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.conftest import PASSWORD, ROOT, _build_template

FAULTS_ONLY_ON_POSTGRESQL = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE", "sqlite") != "postgresql",
    reason="fault tests start, kill and restart private servers and gunicorn instances on PostgreSQL: "
    "run with TEST_DATABASE=postgresql",
)


# `make loadtest` runs these tests again at full length (benchmarks/load/faults.py); `make test` runs
# the quick versions. One switch, read by each test for its own sizes.
FULL_SCALE = os.environ.get("FAULT_SCALE", "quick") == "full"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    """initdb refuses to run as root: the cluster belongs to the `postgres` system user then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PgCluster:
    """A PostgreSQL server of this test session alone (its own data folder and port)."""

    def __init__(self, bindir: Path, root: Path) -> None:
        self.bindir, self.root = bindir, root
        self.data, self.log = root / "data", root / "server.log"
        self.port = free_port()
        # fsync off: the faults are processes dying, not the disk; a test must stay quick.
        self.options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            _as_postgres([str(self.bindir / args[0]), *args[1:]]), check=True, capture_output=True, timeout=timeout
        )

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.start()

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", self.options, "-w", "start")

    def running(self) -> bool:
        status = subprocess.run(
            _as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"]), capture_output=True
        )
        return status.returncode == 0

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", self.options, "-m", mode, "-w", "restart")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self) -> sa.Engine:
        return sa.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT", pool_pre_ping=True)

    def create_database(self, template: str | None = None) -> str:
        name = f"fault_{uuid.uuid4().hex[:8]}"
        engine = self.admin()
        try:
            with engine.connect() as conn:
                clause = f' TEMPLATE "{template}"' if template else ""
                conn.execute(sa.text(f'CREATE DATABASE "{name}"{clause}'))
        finally:
            engine.dispose()
        return name


def _pg_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="session")
def private_pg(tmp_path_factory) -> Iterator[PgCluster]:
    """A private cluster with one migrated and bootstrapped template database, `fault_tmpl`."""
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not installed under /usr/lib/postgresql")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no `postgres` system user to own the private cluster")
    root = Path(tempfile.mkdtemp(prefix="sp-faults-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = PgCluster(bindir, root)
    cluster.init()
    try:
        engine = cluster.admin()
        with engine.connect() as conn:
            conn.execute(sa.text('CREATE DATABASE "fault_tmpl"'))
        engine.dispose()
        _build_template(cluster.url("fault_tmpl"), tmp_path_factory.mktemp("fault-tmpl"))
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # a failed test may have left it down
            cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def private_db(private_pg) -> str:
    """A fresh database in the private cluster (a copy of the template); its SQLAlchemy URL."""
    if not private_pg.running():  # a failed fault test may have left it stopped
        private_pg.start()
    return private_pg.url(private_pg.create_database(template="fault_tmpl"))


class PrivateRedis:
    """`redis-server` on a port of its own, no persistence: stop() and start() are the fault."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed")
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


class WebInstance:
    """One web instance as production runs it: `gunicorn -c gunicorn.conf.py`, APP_ENV=production."""

    def __init__(self, database_url: str, redis_url: str, folder: Path, workers: int = 2, threads: int = 4) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.folder = folder
        self.env = {
            **os.environ,
            "APP_ENV": "production",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "fault-test-" + "k" * 40,
            "PUBLIC_BASE_URL": self.base,
            "RATELIMIT_STORAGE_URI": redis_url,
            "INSTANCE_PATH": str(folder),
            "UPLOAD_DIR": str(folder / "uploads"),
            "SESSION_COOKIE_SECURE": "0",
            "REMEMBER_COOKIE_SECURE": "0",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "PROMETHEUS_MULTIPROC_DIR": str(folder / f"prometheus-{self.port}"),
            "LOG_LEVEL": "WARNING",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        self.proc: subprocess.Popen | None = None
        self.log = folder / f"gunicorn-{self.port}.log"

    def start(self, timeout: float = 30) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        with open(self.log, "ab") as out:
            # A session of its own: kill_9() takes the master and every worker at once.
            self.proc = subprocess.Popen(
                [gunicorn, "-c", "gunicorn.conf.py"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn ended at start:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /healthz:\n{self.log.read_text()[-3000:]}")

    def worker_pids(self) -> set[int]:
        assert self.proc is not None
        out = subprocess.run(["ps", "--ppid", str(self.proc.pid), "-o", "pid="], capture_output=True, text=True)
        return {int(pid) for pid in out.stdout.split()}

    def kill_9(self) -> None:
        """SIGKILL to the master and its workers together: a machine losing power, as far as the app can tell."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

    def token(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        answer = requests.post(
            self.base + "/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture
def web_instance(tmp_path) -> Iterator:
    """Start gunicorn instances on a database and Redis: `web_instance(db_url, redis_url)`; all stopped after."""
    started: list[WebInstance] = []

    def _start(database_url: str, redis_url: str, **kwargs) -> WebInstance:
        instance = WebInstance(database_url, redis_url, tmp_path / f"web{len(started)}", **kwargs)
        started.append(instance)
        instance.start()
        return instance

    yield _start
    for instance in started:
        instance.stop()
