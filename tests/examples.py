"""The example requests the chapters show, replayed against the real app.

Each example is a pair of files in `docs/examples/<part folder>/`:

- `NN-name.sh`: one curl command exactly as a reader types it against the app
  on http://127.0.0.1:8000 (backslash line continuations allowed);
- `NN-name.out`: the answer, `HTTP <status>` on the first line and then the
  JSON body pretty-printed (nothing more for a 204).

`check_examples(client, part)` replays every `.sh` of a part, in NN order,
through a TestClient and asserts that each answer matches its `.out`. Run with
`UPDATE_EXAMPLES=1` to rewrite the `.out` files from what the app answers.
`run_with_curl(base_url, command)` runs a command with the real curl instead,
against a real server.
"""

import json
import os
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"
BASE_URL = "http://127.0.0.1:8000"


@dataclass
class CurlRequest:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


def parse_curl(command: str) -> CurlRequest:
    """Read the few curl options the examples use: -s, -X, -H and -d."""
    words = shlex.split(command.replace("\\\n", " "))
    if not words or words[0] != "curl":
        raise ValueError(f"not a curl command: {command!r}")
    method, url, headers, body = None, None, {}, None
    options = iter(words[1:])
    for word in options:
        if word == "-s":
            continue
        if word in ("-X", "-H", "-d"):
            value = next(options, None)
            if value is None:
                raise ValueError(f"{word} needs a value in {command!r}")
            if word == "-X":
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
    if body is not None and "content-type" not in {h.lower() for h in headers}:
        # What curl itself sends with -d when no Content-Type is given.
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    method = method or ("POST" if body is not None else "GET")
    return CurlRequest(method, url.removeprefix(BASE_URL), headers, body)


def format_answer(status_code: int, body: bytes) -> str:
    """The `.out` text: the status line, then the JSON body, if any."""
    answer = f"HTTP {status_code}\n"
    if body:
        pretty = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        answer += pretty + "\n"
    return answer


def example_commands(part: str) -> list[Path]:
    """The `.sh` files of a part, in NN order; fails if there are none."""
    folder = EXAMPLES / part
    commands = sorted(folder.glob("*.sh"))
    assert commands, f"no examples in {folder}"
    orphans = {p.stem for p in folder.glob("*.out")} - {p.stem for p in commands}
    assert not orphans, f"answers without a command in {folder}: {sorted(orphans)}"
    return commands


def check_examples(client: TestClient, part: str) -> None:
    """Replay a part's examples in order and compare with the recorded answers."""
    update = os.environ.get("UPDATE_EXAMPLES") == "1"
    for command_file in example_commands(part):
        request = parse_curl(command_file.read_text())
        response = client.request(
            request.method,
            request.path,
            headers=request.headers,
            content=request.body.encode() if request.body is not None else None,
        )
        answer = format_answer(response.status_code, response.content)
        answer_file = command_file.with_suffix(".out")
        if update:
            answer_file.write_text(answer)
            continue
        assert answer_file.exists(), f"{answer_file.name} is missing"
        expected = answer_file.read_text()
        assert answer == expected, (
            f"{command_file.name}: the app now answers\n{answer}\n"
            f"but {answer_file.name} says\n{expected}\n"
            "(rerun with UPDATE_EXAMPLES=1 if the change is intended)"
        )


def run_with_curl(base_url: str, command_file: Path) -> str:
    """Run an example with the real curl and shell against `base_url`.

    The command runs exactly as written except for the address, and curl is
    asked to print the status code after the body. Returns the answer in the
    `.out` format.
    """
    command = command_file.read_text().strip().replace(BASE_URL, base_url)
    # A proxy set in the environment must not stand between curl and the app.
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    completed = subprocess.run(
        ["bash", "-c", command + " -w '\\n%{http_code}'"],
        capture_output=True,
        check=True,
        env=env,
        timeout=30,
    )
    body, _, status = completed.stdout.rpartition(b"\n")
    return format_answer(int(status), body)


def check_examples_with_curl(base_url: str, part: str) -> None:
    """Replay a part's examples with the real curl; the answers must match."""
    for command_file in example_commands(part):
        answer = run_with_curl(base_url, command_file)
        expected = command_file.with_suffix(".out").read_text()
        assert answer == expected, f"{command_file.name} with curl:\n{answer}"
