"""The fault tests at full length, as the load test's last phase (`make loadtest`, or alone).

    python -m benchmarks.load.faults

`make test` runs tests/faults and tests/ops/test_concurrent_numbering.py in their quick versions;
here the same tests run with `FAULT_SCALE=full` (kill -9 among 400 actions from 16 clients, a
15 s PostgreSQL outage) and `NUMBERING_CASES=1000` (two instances numbering 1,000 certificates).
Each test prints one line of what it saw; those lines and each test's verdict go to the report.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
TESTS = ("tests/faults", "tests/ops/test_concurrent_numbering.py")
# The first words of the line each test prints about what it saw.
SUMMARY = re.compile(r"^(kill -9 fault:|PostgreSQL restart under load:|Redis stopped:|\d+ instances numbered)")
# pytest -rA's summary: "PASSED tests/faults/test_x.py::test_y".
VERDICT = re.compile(r"^(PASSED|FAILED|ERROR) (tests/\S+::\S+)")


def run_full(log=print) -> tuple[list[str], bool]:
    """Run the full-length fault tests on PostgreSQL; (report lines, all passed)."""
    env = dict(os.environ, TEST_DATABASE="postgresql", FAULT_SCALE="full", NUMBERING_CASES="1000")
    started = time.monotonic()
    log("fault tests at full length (FAULT_SCALE=full, NUMBERING_CASES=1000)")
    proc = subprocess.run(
        [str(BIN / "python"), "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "-s", "-q", "-rA", *TESTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    lines = proc.stdout.splitlines()
    seen = [line.strip() for line in lines if SUMMARY.match(line.strip())]
    verdicts = {}
    for line in lines:
        match = VERDICT.match(line.strip())
        if match:
            verdicts[match.group(2)] = match.group(1)
    minutes = (time.monotonic() - started) / 60
    passed = proc.returncode == 0
    report = [
        f"### Faults at full length ({minutes:.1f} min; pytest exit {proc.returncode})",
        "",
        "| test | verdict |",
        "|---|---|",
        *(f"| `{name}` | {verdict} |" for name, verdict in verdicts.items()),
        "",
        *(f"- {line}" for line in seen),
    ]
    if not passed:
        tail = [line for line in lines if line.startswith(("E ", "FAILED", "ERROR"))][:20]
        report += ["", "Failures:", "", "```", *tail, "```"]
    return report, passed


if __name__ == "__main__":
    text, ok = run_full()
    print("\n".join(text))
    sys.exit(0 if ok else 1)
