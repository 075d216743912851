"""Fail unless every part folder is at least 95% covered by the test run.

`make test` runs this after pytest, which leaves its measurements in .coverage.
"""

import io
import sys
from pathlib import Path

import coverage

PARTS = ["part1_hello", "part2_crud", "part3_sqlite", "part4_mysql"]
MINIMUM = 95.0


def main() -> int:
    data = coverage.Coverage()
    data.load()
    failed = False
    for part in PARTS:
        files = [str(path.resolve()) for path in Path(part).glob("**/*.py")]
        if not files:
            continue
        # The per-file table already printed with pytest; keep only the total.
        percent = data.report(include=files, file=io.StringIO())
        verdict = "ok" if percent >= MINIMUM else f"below {MINIMUM:.0f}%"
        print(f"coverage {part:<14} {percent:5.1f}%  {verdict}")
        failed |= percent < MINIMUM
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
