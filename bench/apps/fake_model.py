"""Three ways to wait `FAKE_LLM_LATENCY_S` seconds on a fake model, one of them
a mistake. The benchmark sends 200 requests at once to each."""

import asyncio
import os
import time

from fastapi import FastAPI

LATENCY_S = float(os.environ.get("FAKE_LLM_LATENCY_S", "0.5"))

app = FastAPI(title="Benchmark: waiting on a fake model")


@app.post("/generate/awaited")
async def generate_awaited() -> dict[str, str]:
    await asyncio.sleep(LATENCY_S)  # (1)!
    return {"completion": "done"}


@app.post("/generate/thread-pool")
def generate_in_thread_pool() -> dict[str, str]:
    time.sleep(LATENCY_S)  # (2)!
    return {"completion": "done"}


@app.post("/generate/blocking")
async def generate_blocking() -> dict[str, str]:
    time.sleep(LATENCY_S)  # (3)!
    return {"completion": "done"}
