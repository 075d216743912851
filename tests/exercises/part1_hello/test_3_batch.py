"""Exercise 3 (stretch): answer a batch of prompts at once.

`POST /generate/batch` with `{"prompts": ["a", "b", "c"]}` answers a list
with, for each prompt in order, what `POST /generate` answers for it. The
model calls run at the same time, so three prompts take about as long as one.
"""

import secrets
import time
from pathlib import Path

import httpx

from tests.exercises.harness import served_part

# The timing check runs a server of its own whose fake model takes 1.2 s. One
# call after another, three prompts take 3.6 s or more; at the same time,
# about 1.2 s. The bound leaves more than a second for a busy machine.
LATENCY_S = 1.2
AT_MOST_S = 2.4


def batch(api: httpx.Client, prompts: list[str]) -> httpx.Response:
    response = api.post("/generate/batch", json={"prompts": prompts})
    assert response.status_code == 200, (
        f"POST /generate/batch answered {response.status_code}: {response.text}"
    )
    return response


def test_batch_answers_each_prompt_in_order(api: httpx.Client) -> None:
    tag = secrets.token_hex(3)
    prompts = [f"First {tag}", f"Second {tag}", f"Third {tag}"]
    answers = batch(api, prompts).json()
    expected = [api.post("/generate", json={"prompt": p}).json() for p in prompts]
    assert answers == expected, (
        f"POST /generate/batch answered {answers}, expected what POST /generate "
        f"answers for each prompt, in order: {expected}"
    )


def test_three_prompts_take_about_one_model_call(
    api: httpx.Client, root: Path, tmp_path: Path
) -> None:
    batch(api, ["Is it there?"])  # fails fast, before a server is started
    slow_model = {"FAKE_LLM_LATENCY_S": str(LATENCY_S)}
    with (
        served_part("part1_hello", root, tmp_path, env=slow_model) as server,
        httpx.Client(base_url=server.base_url, timeout=30.0) as client,
    ):
        client.get("/")  # the first request of a server may be slower
        start = time.perf_counter()
        batch(client, ["One?", "Two?", "Three?"])
        elapsed = time.perf_counter() - start
    assert elapsed < AT_MOST_S, (
        f"three prompts took {elapsed:.1f} s with a model that answers in "
        f"{LATENCY_S} s: the calls still wait one after another"
    )
