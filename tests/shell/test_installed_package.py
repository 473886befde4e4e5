"""`pip install .` alone (no Makefile, no checkout on sys.path) gives an app that speaks Indonesian.

The `.mo` catalogs are git-ignored, so the installed package carries the `.po`
sources and compiles them at start-up (app/core/i18n_compile.py). The wheel is built
the way `pip install .` builds it, from a copy of the checkout without any `.mo`
(a fresh clone), and installed into a fresh venv; the dependencies come from
this test's own environment through a `.pth` line (its site-packages only, not
its editable hook onto the checkout), so nothing is downloaded but the build
backend pip's build isolation fetches, exactly as for `make setup`.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.core import i18n_compile

ROOT = Path(__file__).resolve().parents[2]

# The login page's prompt and the API's 401, as the Indonesian catalogs have them.
LOGIN_PROMPT_ID = "Masukkan nama pengguna dan kata sandi Anda"
API_401_ID = "Silakan masuk terlebih dahulu."

PROBE = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path

    import app, config, models, views
    from app import create_app
    from app.core.bootstrap import bootstrap
    from app.core.extensions import db

    application = create_app()
    with application.app_context():
        bootstrap()
        db.session.commit()
    client = application.test_client()
    login = client.get("/login/")
    api = client.get("/api/v1/cases/")
    root = Path(application.extensions.get("sp_translations", "/nonexistent"))
    print(json.dumps({
        "files": {m.__name__: m.__file__ for m in (app, config, models, views)},
        "sys_path": sys.path,
        "login": [login.status_code, login.get_data(as_text=True)],
        "api": [api.status_code, api.get_json()],
        "compiled_root": str(root),
        "mo_files": sorted(p.relative_to(root).as_posix() for p in root.glob("*/*/LC_MESSAGES/*.mo")),
    }))
    """
)


def _run(args: list, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "FLASK_", "PIP_")) and k not in {"VIRTUAL_ENV", "DATABASE_URL", "INSTANCE_PATH"}
    }
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONNOUSERSITE="1")
    return env


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("TEST_DATABASE", "sqlite") != "sqlite",
    reason="packaging does not depend on the database: checked once, in the SQLite run (it uses SQLite anyway)",
)
def test_pip_installed_package_speaks_indonesian(tmp_path):
    env = _clean_env(tmp_path)

    # A fresh clone: the checkout without build products nor compiled catalogs.
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "build",
            "dist",
            "*.egg-info",
            "__pycache__",
            "*.pyc",
            "*.mo",
            "instance",
            "test-artifacts",
            ".pytest_cache",
            "node_modules",
        ),
    )
    assert not list(src.glob("app/translations/**/*.mo"))
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, src], cwd=tmp_path, env=env)
    (wheel,) = dist.glob("sp_backoffice-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path, env=env)
    python = venv / "bin" / "python"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--no-deps",
            "--no-index",
            "--no-compile",
            "-q",
            wheel,
        ],
        cwd=tmp_path,
        env=env,
    )
    purelib = Path(
        _run(
            [python, "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp_path, env=env
        ).stdout.strip()
    )
    # Dependencies: this environment's site-packages directories, whose own .pth
    # files (the editable install's hook onto the checkout) a .pth line does not run.
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (purelib / "zz_test_dependencies.pth").write_text("".join(f"{p}\n" for p in deps))

    env.update(
        APP_ENV="test",
        SECRET_KEY="installed-package-test-secret-key",
        DATABASE_URL=f"sqlite:///{tmp_path / 'installed.sqlite'}",
        INSTANCE_PATH=str(tmp_path / "instance"),
        UPLOAD_DIR=str(tmp_path / "instance" / "uploads"),
        FLASK_APP="app",
        XDG_CACHE_HOME=str(tmp_path / "cache"),  # the app's fallback for catalogs; pip keeps its cache
    )
    # -I: neither the working directory nor PYTHONPATH nor the user's site on sys.path.
    _run([python, "-I", "-m", "flask", "db", "upgrade"], cwd=tmp_path, env=env)
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    result = json.loads(_run([python, "-I", probe], cwd=tmp_path, env=env).stdout.splitlines()[-1])

    for name, file in result["files"].items():
        assert Path(file).is_relative_to(purelib), f"{name} imported from {file}, not the installed package"
    assert not any(Path(p or ".").resolve() == ROOT for p in result["sys_path"])

    status, html = result["login"]
    assert status == 200
    assert LOGIN_PROMPT_ID in html and "Kata sandi" in html
    assert "Enter your login and password below" not in html
    assert result["api"] == [401, {"message": API_401_ID}]

    # Compiled at start-up next to the installed .po (a venv's site-packages is writable).
    assert Path(result["compiled_root"]) == purelib / "app" / "translations"
    shipped = sorted(
        p.relative_to(src / "app" / "translations").with_suffix(".mo").as_posix()
        for p in i18n_compile.catalogs(src / "app" / "translations")
    )
    assert result["mo_files"] == shipped


def test_read_only_package_compiles_into_the_first_writable_fallback(tmp_path, monkeypatch):
    root = tmp_path / "translations"
    shutil.copytree(i18n_compile.ROOT, root, ignore=shutil.ignore_patterns("*.mo"))
    real_compile = i18n_compile.compile_catalog

    def read_only_root(po_path: Path, mo_path: Path) -> None:
        if mo_path.is_relative_to(root) or mo_path.is_relative_to(tmp_path / "unwritable"):
            raise PermissionError(13, "Read-only file system", str(mo_path))
        real_compile(po_path, mo_path)

    monkeypatch.setattr(i18n_compile, "compile_catalog", read_only_root)
    fallbacks = [tmp_path / "unwritable", tmp_path / "instance" / "translations"]
    target = i18n_compile.ensure_compiled(root, fallbacks)

    assert target == fallbacks[1] / i18n_compile.catalogs_digest(root)
    assert not list(root.glob("*/*/LC_MESSAGES/*.mo"))
    compiled = sorted(p.relative_to(target).as_posix() for p in target.glob("*/*/LC_MESSAGES/*.mo"))
    assert compiled == sorted(p.relative_to(root).with_suffix(".mo").as_posix() for p in i18n_compile.catalogs(root))

    # Another version's catalogs get a directory of their own, never these files.
    po = root / "shell" / "id" / "LC_MESSAGES" / "messages.po"
    po.write_bytes(po.read_bytes() + b'\nmsgid "Only in the next version"\nmsgstr "Hanya di versi berikutnya"\n')
    assert i18n_compile.ensure_compiled(root, fallbacks) != target


def test_stale_catalog_is_recompiled_in_place(tmp_path):
    root = tmp_path / "translations"
    shutil.copytree(i18n_compile.ROOT / "shell", root / "shell", ignore=shutil.ignore_patterns("*.mo"))
    assert i18n_compile.ensure_compiled(root) == root
    (mo,) = root.glob("shell/id/LC_MESSAGES/*.mo")
    po = mo.with_suffix(".po")
    os.utime(mo, (po.stat().st_mtime - 10,) * 2)
    assert i18n_compile.compile_all(root) == 1
    assert mo.stat().st_mtime >= po.stat().st_mtime
    assert i18n_compile.compile_all(root) == 0
