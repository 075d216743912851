"""A burst of concurrent clients against a real server, reads and writes mixed.

More clients than the thread pool has threads (40) is the case that stalls an
app whose connection pool is smaller than its thread pool.
"""

import asyncio
import time
from collections import Counter

import httpx


async def _client_loop(
    http: httpx.AsyncClient, client: int, until: float, answers: Counter[str]
) -> None:
    sent = 0
    while time.monotonic() < until:
        sent += 1
        try:
            if sent % 2:
                response = await http.get("/prompts", params={"limit": 20})
            else:
                body = {"name": f"burst {client}-{sent}", "template": "{text}"}
                response = await http.post("/prompts", json=body)
            answers[str(response.status_code)] += 1
        except httpx.HTTPError as error:
            answers[type(error).__name__] += 1


async def _burst(base_url: str, clients: int, seconds: float) -> Counter[str]:
    answers: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=10, limits=limits) as http:
        until = time.monotonic() + seconds
        loops = (_client_loop(http, n, until, answers) for n in range(clients))
        await asyncio.gather(*loops)
    return answers


def burst(base_url: str, clients: int = 64, seconds: float = 2.0) -> Counter[str]:
    """Each client alternates list and create until time is up; count answers."""
    return asyncio.run(_burst(base_url, clients, seconds))
