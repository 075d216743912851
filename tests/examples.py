"""The example requests the chapters show, and what they print.

Each example is a pair of files in `docs/examples/<part folder>/`:

- `NN-name.sh`: one curl command exactly as a reader pastes it against the
  app on http://127.0.0.1:8000 (backslash line continuations allowed). Every
  command asks curl for the status code after the body, with
  `-w '\\nHTTP %{http_code}\\n'`;
- `NN-name.out`: exactly what that command prints: the body as the app sent
  it, a line break, `HTTP <status>` and a line break. A stream (`curl -N`)
  prints its Server-Sent Events as they came.

A model's run records how long it took and when it started
(`first_token_ms`, `duration_ms`, `created_at`), a document when it was
indexed (`indexed_at`) and a search hit how close it came (`score`): those
few values differ on every run, so the comparison reads any number or time
there as a match, and the chapters say so beside their boxes. Everything
else must be equal.

`check_examples(base_url, part)` runs each command in bash with the
real curl, changing nothing but the address, and compares what it prints
with the `.out` file byte for byte. It is the one replay: each chapter's
`test_examples.py` runs it against a real server, and tests/site walks every
chapter in order. With `UPDATE_EXAMPLES=1` it writes the `.out` files instead.
"""

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"
BASE_URL = "http://127.0.0.1:8000"
# The values that differ each time (a run's timings, a time, a search score):
# any number or time.
VARYING = re.compile(
    r'"(?P<field>first_token_ms|duration_ms|created_at|indexed_at|score)":'
    r'(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|"[^"]*")'
)


def example_commands(part: str) -> list[Path]:
    """The `.sh` files of a part, in NN order; fails if there are none."""
    folder = EXAMPLES / part
    commands = sorted(folder.glob("*.sh"))
    assert commands, f"no examples in {folder}"
    orphans = {p.stem for p in folder.glob("*.out")} - {p.stem for p in commands}
    assert not orphans, f"answers without a command in {folder}: {sorted(orphans)}"
    return commands


def without_varying_values(printed: bytes) -> bytes:
    """`printed` with each timing and time of a run replaced by `...`."""
    return VARYING.sub(r'"\g<field>":...', printed.decode()).encode()


def compare_or_record(command_file: Path, printed: bytes) -> None:
    """Check what a command printed against its `.out` file, or record it."""
    answer_file = command_file.with_suffix(".out")
    if os.environ.get("UPDATE_EXAMPLES") == "1":
        answer_file.write_bytes(printed)
        return
    assert answer_file.exists(), f"{answer_file.name} is missing"
    expected = answer_file.read_bytes()
    if without_varying_values(printed) == without_varying_values(expected):
        return
    assert printed == expected, (
        f"{command_file.name} pasted into bash now prints\n{printed!r}\n"
        f"but {answer_file.name} says\n{expected!r}\n"
        "(rerun with UPDATE_EXAMPLES=1 if the change is intended)"
    )


def run_in_shell(base_url: str, command_file: Path) -> bytes:
    """What an example prints, run in bash as written but for the address."""
    command = command_file.read_text().replace(BASE_URL, base_url)
    # A proxy set in the environment must not stand between curl and the app.
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    completed = subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        check=True,
        env=env,
        timeout=30,
    )
    return completed.stdout


def check_examples(base_url: str, part: str) -> None:
    """Paste a part's examples into bash, in order: each prints its `.out`."""
    for command_file in example_commands(part):
        printed = run_in_shell(base_url, command_file)
        compare_or_record(command_file, printed)
