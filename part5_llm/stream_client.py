"""Read a generated answer as it streams, with nothing but httpx.

    python -m part5_llm.stream_client 1 topic="autumn rain"

prints the text of prompt 1 as the model writes it, then how the run ended.
`--stop-after N` walks away after N pieces of text, as an impatient user does.
"""

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any

import httpx


def server_sent_events(lines: Iterator[str]) -> Iterator[tuple[str, Any]]:
    """The (event, data) pairs of a Server-Sent Events stream, as they arrive.

    On the wire each event is a few `field: value` lines and a blank line:

        event: delta
        data: {"text":" haiku"}

    A line that starts with ":" is a comment: the server's keep-alive ping.
    """
    event, data = "message", list[str]()
    for line in lines:
        if line == "":  # the blank line: this event is complete
            if data:
                yield event, json.loads("\n".join(data))
            event, data = "message", []
        elif not line.startswith(":"):
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)


def stream(
    base_url: str, prompt_id: int, body: dict[str, Any], stop_after: int | None
) -> int:
    """Print the answer as it arrives; return the exit status for the shell."""
    url = f"{base_url}/prompts/{prompt_id}/generate/stream"
    # No limit on silences: the server pings while the model thinks.
    patience = httpx.Timeout(10, read=None)
    with httpx.stream("POST", url, json=body, timeout=patience) as response:
        if response.status_code != 200:  # refused before the stream began: JSON
            print(f"HTTP {response.status_code}: {response.read().decode()}")
            return 1
        pieces = 0
        for event, data in server_sent_events(response.iter_lines()):
            if event == "delta":
                print(data["text"], end="", flush=True)
                pieces += 1
                if pieces == stop_after:
                    # Leaving the `with` block closes the connection: the
                    # server sees us go, and records the run as cancelled.
                    print(f"\n(walked away after {pieces} pieces)")
                    return 0
            elif event == "done":
                print(f"\nrun {data['id']}: {data['status']}, {pieces} pieces")
                return 0
            elif event == "error":
                print(f"\nerror {data['status']}: {data['detail']}")
                return 1
    print("\nthe stream ended without a done or error event")
    return 1


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prompt_id", type=int)
    parser.add_argument("variables", nargs="*", help="name=value, one per variable")
    parser.add_argument("--max-tokens", type=int)
    parser.add_argument("--stop-after", type=int, help="walk away after N pieces")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    options = parser.parse_args(arguments)
    variables = dict(pair.partition("=")[::2] for pair in options.variables)
    body: dict[str, Any] = {"variables": variables}
    if options.max_tokens is not None:
        body["max_tokens"] = options.max_tokens
    return stream(options.base_url, options.prompt_id, body, options.stop_after)


if __name__ == "__main__":
    sys.exit(main())
