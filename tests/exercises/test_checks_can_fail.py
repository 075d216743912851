"""Every exercise's checks fail on its part as committed: none passes unearned.

This runs what `make exercise` runs, for every part at once, on copies of
the parts as the repository has them (`--committed`), and reads its summary.
"""

import subprocess
import sys

from tests.exercises.harness import exercise_title
from tests.serving import ROOT

CHECKS = sorted(ROOT.glob("tests/exercises/part*/test_*.py"))


def test_every_exercise_shows_as_not_done_and_the_run_fails() -> None:
    assert CHECKS
    folders = sorted({str(check.parent.relative_to(ROOT)) for check in CHECKS})
    # What `make exercise` runs, on the committed parts.
    command = [sys.executable, "-m", "pytest", "-q", "-n", "0", "--tb=no", "-rN"]
    run = subprocess.run(
        [*command, "-p", "no:randomly", "--committed", *folders],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    summary = run.stdout
    assert run.returncode == 1, summary
    assert " error" not in summary.splitlines()[-1], summary  # a fixture broke
    for check in CHECKS:
        assert f"not done  {exercise_title(check)}" in summary, summary
    assert "done      " not in summary, summary
