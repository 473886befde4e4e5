"""Every scan-storage test runs on both backends; the database one needs PostgreSQL."""

from __future__ import annotations

import pytest

from tests.cases.conftest import api, staff  # noqa: F401  (the API client and the executor accounts)
from tests.screens.conftest import login_as  # noqa: F401  (the page-login fixture)


@pytest.fixture(params=["folder", "database"])
def backend(request, app_config) -> str:
    """SCAN_STORAGE for this test; `database` is skipped on SQLite (the default there stays a folder)."""
    if request.param == "database":
        if not app_config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            pytest.skip("SCAN_STORAGE=database is tested on PostgreSQL only (run with TEST_DATABASE=postgresql)")
        app_config["SCAN_STORAGE"] = "database"
    return request.param
