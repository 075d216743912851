"""Part 6's measurements: `python -m bench.rag` (or `python -m bench --only rag`).

Retrieval quality on the tutorial's chapters as the app chunks them, against
bench/golden.yaml: dense, BM25 and the two fused. Ingestion: batched embedding
calls against one per chunk. Search: Qdrant's latency and recall against exact
NumPy search at 1k, 10k and 100k chunks. First token: /ask/stream against
the same app's generate/stream (Part 5's route) over 10k chunks, end to end.
Written to docs/performance/part6.*.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import yaml
from openai import OpenAI

from tests.serving import start_server

from .common import address, mysql, percentile, serve
from .streaming import first_token_ms

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).with_name("golden.yaml")
OUT = ROOT / "docs" / "performance"
RNG = np.random.default_rng(7)  # the synthetic vectors, the same every run
RRF_K = 60  # reciprocal rank fusion's constant, as in its paper
DEPTH = 20  # how deep each ranking is read, for MRR and fusion
BATCH = 32  # chunks per embedding call, as the app (EMBEDDING_BATCH_SIZE)
Chunk = dict[str, Any]  # file, heading (path), passage (the text embedded)
Result = dict[str, Any]


class GoldenError(Exception):
    """A golden entry names a section the chapters no longer have."""


def corpus(docs: Path) -> list[Chunk]:
    """Every chunk of every page `python -m part6_rag.ingest docs/` loads, with
    the text the app embeds for it (`passage_text`: title, headings, text)."""
    from part6_rag.chunking import split
    from part6_rag.indexing import passage_text
    from part6_rag.ingest import files_in, title_of
    from part6_rag.models import Document

    chunks: list[Chunk] = []
    for page in files_in(docs):
        text = page.read_text(encoding="utf-8")
        doc = Document(title=title_of(text, page), text=text, source=str(page))
        name = page.relative_to(docs).as_posix()
        chunks += [{"file": name, "heading": c.heading, "passage": passage_text(doc, c)}
                   for c in split(text)]  # fmt: skip
    return chunks


def answers(entry: dict[str, Any], chunks: Sequence[Chunk]) -> set[int]:
    """The chunks that answer a golden question: right file, heading inside."""
    return {
        i
        for i, chunk in enumerate(chunks)
        for a in entry["a"]
        if chunk["file"] == a["file"]
        and a["heading"].lower() in chunk["heading"].lower()
    }


def load_golden(chunks: Sequence[Chunk], path: Path = GOLDEN) -> list[set[int]]:
    """The relevant chunks of each question; raises on a section that is gone."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    missing = [
        f"{e['q']!r}: {a['file']} under {a['heading']!r}"
        for e in entries
        for a in e["a"]
        if not answers({"a": [a]}, chunks)
    ]
    if missing:
        raise GoldenError("no chunk has these golden sections:\n" + "\n".join(missing))
    return [answers(e, chunks) for e in entries]


def questions(path: Path = GOLDEN) -> list[str]:
    return [e["q"] for e in yaml.safe_load(path.read_text(encoding="utf-8"))]


def scores(
    rankings: Sequence[Sequence[int]], relevant: Sequence[set[int]]
) -> dict[str, float]:
    """hit@1, hit@5 (a relevant chunk in the top 1 or 5) and MRR (the mean of
    1/rank of the first relevant chunk, 0 when none is in the top DEPTH)."""
    firsts = [
        next((rank for rank, i in enumerate(r[:DEPTH], 1) if i in good), None)
        for r, good in zip(rankings, relevant, strict=True)
    ]
    n, hits = len(firsts), [f for f in firsts if f is not None]
    return {"hit@1": hits.count(1) / n, "hit@5": sum(f <= 5 for f in hits) / n,
            "mrr": sum(1 / f for f in hits) / n}  # fmt: skip


def fuse(*rankings: Sequence[int]) -> list[int]:
    """Reciprocal rank fusion: each list gives a chunk 1 / (RRF_K + rank)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, i in enumerate(ranking[:DEPTH], 1):
            fused[i] = fused.get(i, 0.0) + 1 / (RRF_K + rank)
    return sorted(fused, key=lambda i: -fused[i])


def dense_rankings(vectors: np.ndarray, queries: np.ndarray) -> list[list[int]]:
    """Exact cosine search: the vectors are normalised, so a dot product."""
    return [list(np.argsort(-(vectors @ q))[:DEPTH]) for q in queries]


def bm25_rankings(texts: list[str], qs: list[str]) -> list[list[int]]:
    import bm25s

    def words(of: list[str]) -> Any:
        return bm25s.tokenize(of, stopwords="en", show_progress=False)

    index = bm25s.BM25()
    index.index(words(texts), show_progress=False)
    found, _ = index.retrieve(words(qs), k=min(DEPTH, len(texts)), show_progress=False)
    return [list(map(int, row)) for row in found]


def quality(chunks: list[Chunk], vectors: np.ndarray, queries: np.ndarray) -> Result:
    relevant, qs = load_golden(chunks), questions()
    dense = dense_rankings(vectors, queries)
    keyword = bm25_rankings([c["passage"] for c in chunks], qs)
    fused = [fuse(d, k) for d, k in zip(dense, keyword, strict=True)]
    misses = [  # what dense search put first, for the questions it missed
        {"q": q, "first": f"{chunks[d[0]]['file']}: {chunks[d[0]]['heading']}"}
        for q, d, good in zip(qs, dense, relevant, strict=True)
        if not good & set(d[:5])
    ]
    found = {"questions": len(qs), "chunks": len(chunks), "dense_misses": misses}
    for name, rankings in (("dense", dense), ("bm25", keyword), ("fused", fused)):
        found[name] = scores(rankings, relevant)
    return found


class Embedder:
    """The offline model, through the app's fake provider's /v1/embeddings."""

    def __init__(self) -> None:
        self.server = start_server("uvicorn part6_rag.fake_provider:app")
        self.server.wait_until_up(120)
        self.client = OpenAI(base_url=self.server.base_url + "/v1", api_key="bench")

    def embed(self, texts: list[str], prefix: str) -> np.ndarray:
        inputs = [prefix + text for text in texts]
        answer = self.client.embeddings.create(model="e5", input=inputs)
        return np.array([d.embedding for d in answer.data], np.float32)


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def ingestion(texts: list[str], embedder: Embedder, sample: int) -> Result:
    """The same chunks (every n-th of the corpus), embedded one call per chunk
    and then in calls of BATCH chunks."""
    picked = texts[:: max(1, len(texts) // sample)][:sample]
    one = timed(lambda: [embedder.embed([t], "passage: ") for t in picked])
    batches = [picked[i : i + BATCH] for i in range(0, len(picked), BATCH)]
    batched = timed(lambda: [embedder.embed(b, "passage: ") for b in batches])
    tiny = sorted(timed(lambda: embedder.embed(["ok"], "passage: ")) for _ in range(5))
    return {"chunks": len(picked), "batch": BATCH,
            "call_ms": tiny[2] * 1000,  # a call with (almost) nothing to embed
            "one_per_chunk_per_s": len(picked) / one,
            "batched_per_s": len(picked) / batched,
            "speedup": one / batched}  # fmt: skip


def rss_mib() -> float:
    """This process's resident memory, in MiB (Linux)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def latency(
    real: np.ndarray, queries: np.ndarray, sizes: list[int], repeats: int
) -> list[Chunk]:
    """The store's search (Qdrant, local mode) against exact NumPy search, at
    each size: the real chunks plus synthetic neighbours of them (a real chunk's
    vector, moved at random and normalised), so nearest hits still compete."""
    from qdrant_client import QdrantClient, models

    rng = np.random.default_rng(6)
    found = []
    for size in sizes:
        extra = neighbours(real, size - len(real), rng)
        vectors = np.vstack([real, extra]).astype(np.float32)
        store = QdrantClient(location=":memory:")
        cosine = models.VectorParams(size=384, distance=models.Distance.COSINE)
        store.create_collection("chunks", cosine)
        for start in range(0, size, 10_000):
            part = vectors[start : start + 10_000]
            ids = list(range(start, start + len(part)))
            store.upload_collection("chunks", vectors=part, ids=ids)
        store_ms, exact_ms, recall = [], [], []
        for q in queries[:repeats]:
            started = time.perf_counter()
            hits = store.query_points("chunks", query=q, limit=10).points
            store_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            exact = np.argpartition(-(vectors @ q), 10)[:10]
            exact_ms.append((time.perf_counter() - started) * 1000)
            recall.append(len({h.id for h in hits} & set(exact.tolist())) / 10)
        point = {"chunks": size, "recall@10": np.mean(recall), "rss_mib": rss_mib()}
        for name, ms in (("store", store_ms), ("exact", exact_ms)):
            point |= {f"{name}_p{q}_ms": percentile(ms, q / 100) for q in (50, 99)}
        found.append(point)
        store.close()
        print(f"latency at {size}: {found[-1]}", flush=True)
    return found


def neighbours(real: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` synthetic vectors: real chunks' vectors, moved at random and
    normalised, so the nearest hits still compete with real ones."""
    extra = real[rng.integers(0, len(real), count)]
    extra = extra + rng.normal(0, 0.6 / np.sqrt(real.shape[1]), extra.shape)
    return extra / np.linalg.norm(extra, axis=1, keepdims=True)


def first_tokens(real: np.ndarray, qs: list[str], size: int, repeats: int) -> Result:
    """Time to first token in one Part 6 app (MySQL, the fake provider, Qdrant
    local) holding `size` chunks: POST /ask/stream, which embeds the question
    and searches before calling the model, against generate/stream, which
    calls the same model at once. The ingest command loads one chapter, and
    synthetic points of that document fill the store to `size`."""
    from qdrant_client import QdrantClient

    fake_env = {"FAKE_LLM_LATENCY_S": "0", "FAKE_LLM_TOKENS": "5"}
    with (
        mysql() as db,
        tempfile.TemporaryDirectory(prefix="qdrant-") as folder,
        serve("part6_rag.fake_provider", fake_env) as fake,
    ):
        env = db.create("rag") | {"QDRANT_PATH": folder}
        env |= {"LLM_BASE_URL": f"{fake.base_url}/v1", "LLM_API_KEY": "bench"}
        for command in (  # no app answers at --url: the command indexes itself
            ["alembic", "-c", "part6_rag/alembic.ini", "upgrade", "head"],
            ["part6_rag.ingest", "docs/part5.md", "--url", "http://127.0.0.1:9"],
        ):
            subprocess.run([sys.executable, "-m", *command], cwd=ROOT, check=True,
                           env=os.environ | env, capture_output=True)  # fmt: skip
        store = QdrantClient(path=folder)
        [example], _ = store.scroll("chunks", limit=1)
        extra = neighbours(real, size - store.count("chunks").count, RNG)
        ids, payloads = [str(uuid.uuid4()) for _ in extra], [example.payload or {}]
        store.upload_collection("chunks", extra, payloads * len(ids), ids, wait=True)
        chunks = store.count("chunks").count
        store.close()
        with serve("part6_rag.main", env) as app:
            new = {"name": "a", "template": "{q}"}
            prompt = httpx.post(f"{app.base_url}/prompts", json=new).json()
            generate, at = f"/prompts/{prompt['id']}/generate/stream", address(app)
            pairs = [
                (
                    first_token_ms(at, "/ask/stream", as_body(question=q)),
                    first_token_ms(at, generate, as_body(variables={"q": q})),
                )
                for q in (qs * repeats)[:repeats]
            ]
    point: Result = {"chunks": chunks, "requests": len(pairs)}
    for name, ms in zip(("ask", "generate"), zip(*pairs, strict=True), strict=True):
        point |= {f"{name}_p{q}_ms": percentile(ms, q / 100) for q in (50, 99)}
    print(f"first token at {chunks}: {point}", flush=True)
    return point


def as_body(**fields: Any) -> bytes:
    return json.dumps(fields).encode()


def table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = [head, ["---"] * len(head), *rows]
    return ["| " + " | ".join(line) + " |" for line in lines] + [""]


def targets(r: Result) -> list[list[str]]:
    rows = []
    if q := r.get("quality"):
        dense, fused = q["dense"]["hit@5"], q["fused"]["hit@5"]
        best = max(dense, q["bm25"]["hit@5"])
        rows += [("dense hit@5 at least 0.85", f"{dense:.2f}", dense >= 0.85)]
        rows += [
            ("fused hit@5, at least the better one's", f"{fused:.2f}", fused >= best)
        ]
    if i := r.get("ingestion"):
        rows += [("batched, 5 times the chunks per second", f"{i['speedup']:.1f}x",
                  i["speedup"] >= 5)]  # fmt: skip
    if (at := added(r)) is not None:
        rows += [("retrieval adds at most 50 ms to a first token", f"{at:.0f} ms",
                  at <= 50)]  # fmt: skip
    return [[what, value, "yes" if met else "**no**"] for what, value, met in rows]


def added(r: Result) -> float | None:
    """What retrieval adds to /ask/stream's first token (p50s, end to end)."""
    if t := r.get("first_token"):
        return float(t["ask_p50_ms"] - t["generate_p50_ms"])
    return None


NAMES = {"dense": "dense (e5-small)", "bm25": "keyword (BM25)", "fused": "both (RRF)"}
TIMES = ["store_p50_ms", "store_p99_ms", "exact_p50_ms", "exact_p99_ms"]


def report(r: Result) -> str:
    """docs/performance/part6.md: the tables the Performance page includes."""
    run, lines = r["run"], []
    lines += [
        f"Measured {run['date']} by `python -m bench.rag` ({run['mode']}) on "
        f"{run['cpus']} CPUs ({run['processor']}), shared with other work.",
        "",
    ]
    if q := r.get("quality"):
        lines += [
            f"Retrieval: the {q['questions']} questions of `bench/golden.yaml`, "
            f"over the {q['chunks']} chunks the app makes of `docs/`.",
            "",
        ]
        lines += table(["search", "hit@1", "hit@5", "MRR"], [
            [NAMES[m], *(f"{q[m][s]:.2f}" for s in ("hit@1", "hit@5", "mrr"))]
            for m in NAMES])  # fmt: skip
    if i := r.get("ingestion"):
        lines += [f"Ingestion: the same {i['chunks']} chunks, through the fake "
                  f"provider over HTTP; a call of one word: {i['call_ms']:.0f} ms.",
                  ""]  # fmt: skip
        lines += table(["embedding calls", "chunks per second"], [
            ["one per chunk", f"{i['one_per_chunk_per_s']:.2f}"],
            [f"{i['batch']} chunks each", f"{i['batched_per_s']:.2f}"]])  # fmt: skip
    if points := r.get("latency"):
        lines += [
            "Search: the top 10 from Qdrant (local mode) and from exact NumPy "
            "search over the same vectors, for the golden questions.",
            "",
        ]
        lines += table(
            ["chunks", "Qdrant p50", "p99", "NumPy p50", "p99", "recall@10", "memory"],
            [[f"{p['chunks']:,}", *(f"{p[t]:.1f} ms" for t in TIMES),
              f"{p['recall@10']:.2f}", f"{p['rss_mib']:.0f} MiB"]
             for p in points])  # fmt: skip
    if t := r.get("first_token"):
        q50, q99 = r["query_ms"]["p50"], r["query_ms"]["p99"]
        lines += [f"First token, {t['requests']} requests each, one at a time, in one "
                  f"app holding {t['chunks']:,} chunks; embedding a question alone "
                  f"takes {q50:.0f} ms (p50), {q99:.0f} ms (p99).", ""]  # fmt: skip
        routes = {"/ask/stream": "ask", "/prompts/{id}/generate/stream": "generate"}
        lines += table(["request", "first token p50", "p99"], [
            [f"POST {path}", *(f"{t[f'{key}_p{q}_ms']:.0f} ms" for q in (50, 99))]
            for path, key in routes.items()])  # fmt: skip
    return "\n".join(lines + table(["target", "measured", "met"], targets(r)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rag", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no 100k")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--vectors", type=Path, help="reuse or save the chunk vectors")
    args = parser.parse_args(argv)
    chunks = corpus(ROOT / "docs")
    texts, qs = [c["passage"] for c in chunks], questions()
    mode = "quick, not for publication" if args.quick else "full"
    when = time.strftime("%Y-%m-%d %H:%M %Z")
    cpu = platform.processor() or platform.machine()
    r: Result = {"run": {"date": when, "cpus": os.cpu_count(), "mode": mode,
                         "processor": cpu}}  # fmt: skip
    embedder = Embedder()
    try:
        if args.vectors and args.vectors.exists():
            vectors = np.load(args.vectors)
        else:
            batches = range(0, len(texts), BATCH)
            vectors = np.vstack([embedder.embed(texts[i : i + BATCH], "passage: ")
                                 for i in batches])  # fmt: skip
            if args.vectors:
                np.save(args.vectors, vectors)
        found, query_ms = [], []
        for question in qs:  # one call each, as /search makes
            started = time.perf_counter()
            found.append(embedder.embed([question], "query: ")[0])
            query_ms.append((time.perf_counter() - started) * 1000)
        queries = np.stack(found)
        r["query_ms"] = {f"p{q}": percentile(query_ms, q / 100) for q in (50, 99)}
        r["quality"] = quality(chunks, vectors, queries)
        r["ingestion"] = ingestion(texts, embedder, 8 if args.quick else 32)
    finally:
        embedder.server.stop()
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    r["latency"] = latency(vectors, queries, sizes, 10 if args.quick else 40)
    r["first_token"] = first_tokens(vectors, qs, 10_000, 10 if args.quick else 40)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "part6.json").write_text(json.dumps(r, indent=2) + "\n")
    (args.out / "part6.md").write_text(text := report(r))
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
