"""The browser helpers for the tests in this folder; the fixtures live in tests/browser.py."""

from tests.browser import ARTIFACTS, CHROMIUM, artifact_path, login, screenshot

__all__ = ["ARTIFACTS", "CHROMIUM", "artifact_path", "login", "screenshot"]
