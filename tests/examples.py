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
(`first_token_ms`, `duration_ms`, `created_at`): those few values differ on
every run, so the comparison reads any number or time there as a match, and
Part 5's chapter says so beside its boxes. Everything else must be equal.

`check_examples_with_curl(base_url, part)` is the proof: it runs each command
in bash with the real curl, changing nothing but the address, and compares
what it prints with the `.out` file byte for byte. `check_examples(client,
part)` is the quick check of each chapter's own tests: it sends the same
requests through an httpx client (a TestClient, or one that talks to a real
server, as Part 5's does) and prints the answer the way curl does.
With `UPDATE_EXAMPLES=1` both write the `.out` files instead of comparing.
"""

import os
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"
BASE_URL = "http://127.0.0.1:8000"
# What every example asks curl to print after the body.
STATUS_LINE = "\\nHTTP %{http_code}\\n"
# The values of a run that differ each time it is made: any number or time.
VARYING = re.compile(
    r'"(?P<field>first_token_ms|duration_ms|created_at)":(\d+|"[^"]*")'
)


class Answer(Protocol):
    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...


class Client(Protocol):
    """What the replay needs of a client: a TestClient, or httpx over the wire."""

    def request(
        self, method: str, url: str, *, headers: dict[str, str], content: bytes | None
    ) -> Answer: ...


@dataclass
class CurlRequest:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    write_out: str = ""


def parse_curl(command: str) -> CurlRequest:
    """Read the few curl options the examples use: -s, -N, -w, -X, -H and -d."""
    words = shlex.split(command.replace("\\\n", " "))
    if not words or words[0] != "curl":
        raise ValueError(f"not a curl command: {command!r}")
    method, url, headers, body, write_out = None, None, {}, None, ""
    options = iter(words[1:])
    for word in options:
        if word in ("-s", "-N"):  # -N: print a stream as it arrives
            continue
        if word in ("-w", "-X", "-H", "-d"):
            value = next(options, None)
            if value is None:
                raise ValueError(f"{word} needs a value in {command!r}")
            if word == "-w":
                write_out = value
            elif word == "-X":
                method = value
            elif word == "-H":
                name, _, header_value = value.partition(":")
                headers[name.strip()] = header_value.strip()
            else:
                body = value
        elif word.startswith("-") or url is not None:
            raise ValueError(f"unsupported curl argument {word!r} in {command!r}")
        else:
            url = word
    if url is None or not url.startswith(BASE_URL + "/"):
        raise ValueError(f"the URL must start with {BASE_URL}/ in {command!r}")
    if write_out not in ("", STATUS_LINE):
        raise ValueError(f"-w may only be {STATUS_LINE!r} in {command!r}")
    if body is not None and "content-type" not in {h.lower() for h in headers}:
        # What curl itself sends with -d when no Content-Type is given.
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    method = method or ("POST" if body is not None else "GET")
    return CurlRequest(method, url.removeprefix(BASE_URL), headers, body, write_out)


def printed_by_curl(request: CurlRequest, status_code: int, body: bytes) -> bytes:
    """What curl prints for this answer: the body as sent, then its `-w` text."""
    status_line = request.write_out.replace("\\n", "\n")
    return body + status_line.replace("%{http_code}", str(status_code)).encode()


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


def compare_or_record(command_file: Path, printed: bytes, how: str) -> None:
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
        f"{command_file.name} {how} now prints\n{printed!r}\n"
        f"but {answer_file.name} says\n{expected!r}\n"
        "(rerun with UPDATE_EXAMPLES=1 if the change is intended)"
    )


def check_examples(client: Client, part: str) -> None:
    """Replay a part's examples in order through `client`, printed as by curl."""
    for command_file in example_commands(part):
        request = parse_curl(command_file.read_text())
        response = client.request(
            request.method,
            request.path,
            headers=request.headers,
            content=request.body.encode() if request.body is not None else None,
        )
        printed = printed_by_curl(request, response.status_code, response.content)
        compare_or_record(command_file, printed, "through an httpx client")


def run_with_curl(base_url: str, command_file: Path) -> str:
    """Run an example in bash with the real curl against `base_url`.

    The command runs exactly as written, except for the address. Returns what
    it printed, which is what the `.out` file must hold.
    """
    return run_in_shell(base_url, command_file).decode()


def run_in_shell(base_url: str, command_file: Path) -> bytes:
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


def check_examples_with_curl(base_url: str, part: str) -> None:
    """Paste a part's examples into bash, in order: each prints its `.out`."""
    for command_file in example_commands(part):
        printed = run_in_shell(base_url, command_file)
        compare_or_record(command_file, printed, "pasted into bash")


def asks_for_the_status_line(command: str) -> bool:
    """Whether a command is written the way every example is: `curl -s -w ...`."""
    return re.match(rf"curl -s -w '{re.escape(STATUS_LINE)}' ", command) is not None
