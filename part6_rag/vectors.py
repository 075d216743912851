"""The vector store: Qdrant, embedded in this process or as a server.

One point per chunk: its vector, and a payload with the document's id, the
chunk's number, heading and text (and the document's title and source, so
that a hit needs no trip to MySQL to be shown). A point becomes searchable
only when its whole document is in: `ready` is set on all of them at once.

The collection remembers which embedding model, and how many dimensions,
built it. Vectors of another model are never mixed in: they would be
compared as if they meant the same thing, and search would return noise.
"""

import uuid
from collections.abc import Sequence
from typing import Any

import httpx
from qdrant_client import AsyncQdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from .chunking import Chunk
from .models import Document, Hit
from .settings import QdrantSettings

# Every point id comes from the document's id and the chunk's number: a chunk
# stored twice (a retry, a reindex) overwrites itself instead of doubling.
POINT_NAMESPACE = uuid.UUID("6f1d2f43-9a8e-4c55-8a57-2a1b6c0e9d21")


class StoreUnavailable(Exception):
    """Qdrant did not answer, or answered with an error."""


class FolderInUse(Exception):
    """Another process holds the local folder: local mode serves one process."""


class CollectionMismatch(Exception):
    """The collection was built by another embedding model or dimension."""

    def __init__(self, built: tuple[str, int], wanted: tuple[str, int]) -> None:
        self.built, self.wanted = built, wanted
        super().__init__(
            f"The vector collection was built by {built[0]} ({built[1]} dimensions), "
            f"but EMBEDDING_MODEL is {wanted[0]} ({wanted[1]} dimensions): "
            "reindex a document (POST /documents/{id}/reindex) to rebuild it"
        )


STORE_ERRORS = (ResponseHandlingException, UnexpectedResponse, httpx.HTTPError)


def connect(settings: QdrantSettings) -> AsyncQdrantClient:
    """A Qdrant server if QDRANT_URL is set, else the local folder QDRANT_PATH."""
    if settings.url:
        api_key = settings.api_key.get_secret_value() if settings.api_key else None
        return AsyncQdrantClient(
            url=settings.url, api_key=api_key, timeout=int(settings.timeout_s)
        )
    try:
        return AsyncQdrantClient(path=settings.path)
    except RuntimeError as error:  # the folder's lock is held
        raise FolderInUse(
            f"Another process uses the Qdrant folder {settings.path!r}; local mode "
            "serves one process: for more, run a Qdrant server and set QDRANT_URL"
        ) from error


def point_id(document_id: int, number: int) -> str:
    return str(uuid.uuid5(POINT_NAMESPACE, f"{document_id}/{number}"))


def of_document(document_id: int) -> models.Filter:
    match = models.MatchValue(value=document_id)
    return models.Filter(must=[models.FieldCondition(key="document_id", match=match)])


ONLY_READY = models.Filter(
    must=[models.FieldCondition(key="ready", match=models.MatchValue(value=True))]
)


def is_ready(point: models.ScoredPoint) -> bool:
    return bool(point.payload and point.payload["ready"])


class VectorStore:
    """The collection of chunks, for one embedding model."""

    def __init__(self, client: AsyncQdrantClient, collection: str, model: str) -> None:
        self.client = client
        self.collection = collection
        self.model = model

    async def ping(self) -> None:
        try:
            await self.client.get_collections()
        except STORE_ERRORS as error:
            raise StoreUnavailable(str(error)) from error

    async def built_by(self) -> tuple[str, int] | None:
        """(model, dimensions) that built the collection; None if there is none."""
        try:
            if not await self.client.collection_exists(self.collection):
                return None
            info = await self.client.get_collection(self.collection)
        except STORE_ERRORS as error:
            raise StoreUnavailable(str(error)) from error
        metadata: dict[str, Any] = info.config.metadata or {}
        return str(metadata.get("embedding_model")), int(metadata.get("dimensions", 0))

    async def check(self, dimensions: int) -> bool:
        """Whether the collection exists; CollectionMismatch if it is another's."""
        built = await self.built_by()
        if built is not None and built != (self.model, dimensions):
            raise CollectionMismatch(built, (self.model, dimensions))
        return built is not None

    async def prepare(self, dimensions: int) -> None:
        """Make sure the collection exists, for this model and dimension."""
        if await self.check(dimensions):
            return
        await self._create(dimensions)

    async def rebuild(self) -> None:
        """Drop the collection: the next document indexed creates it anew."""
        try:
            await self.client.delete_collection(self.collection)
        except STORE_ERRORS as error:
            raise StoreUnavailable(str(error)) from error

    async def _create(self, dimensions: int) -> None:
        try:
            await self.client.create_collection(
                self.collection,
                vectors_config=models.VectorParams(
                    size=dimensions, distance=models.Distance.COSINE
                ),
                metadata={"embedding_model": self.model, "dimensions": dimensions},
            )
            # A server filters by these fields with an index (local mode
            # ignores payload indexes and warns about them).
            if not self._local:
                for field, schema in (
                    ("document_id", models.PayloadSchemaType.INTEGER),
                    ("ready", models.PayloadSchemaType.BOOL),
                ):
                    await self.client.create_payload_index(
                        self.collection, field, field_schema=schema
                    )
        except STORE_ERRORS as error:
            raise StoreUnavailable(str(error)) from error

    @property
    def _local(self) -> bool:
        return type(self.client._client).__name__ == "AsyncQdrantLocal"

    async def add(
        self,
        document: Document,
        chunks: Sequence[Chunk],
        vectors: Sequence[list[float]],
    ) -> None:
        """Store a batch of chunks, not searchable until `publish`."""
        assert document.id is not None
        points = [
            models.PointStruct(
                id=point_id(document.id, chunk.number),
                vector=vector,
                payload={
                    "document_id": document.id,
                    "title": document.title,
                    "source": document.source,
                    "chunk": chunk.number,
                    "heading": chunk.heading,
                    "text": chunk.text,
                    "ready": False,
                },
            )
            for chunk, vector in zip(chunks, vectors, strict=True)
        ]
        try:
            await self.client.upsert(self.collection, points=points, wait=True)
        except STORE_ERRORS as error:
            raise StoreUnavailable(str(error)) from error

    async def publish(self, document_id: int) -> None:
        """Make every chunk of the document searchable at once."""
        try:
            await self.client.set_payload(
                self.collection,
                payload={"ready": True},
                points=of_document(document_id),
                wait=True,
            )
        except STORE_ERRORS as error:
            raise StoreUnavailable(str(error)) from error

    async def remove(self, document_id: int) -> None:
        """Delete every point of the document (none: nothing happens)."""
        try:
            if not await self.client.collection_exists(self.collection):
                return
            await self.client.delete(
                self.collection,
                points_selector=models.FilterSelector(filter=of_document(document_id)),
                wait=True,
            )
        except STORE_ERRORS as error:
            raise StoreUnavailable(str(error)) from error

    async def search(self, vector: list[float], k: int) -> list[Hit]:
        """The k ready chunks closest to the vector, best first."""
        if not await self.check(len(vector)):
            return []  # nothing indexed yet
        try:
            # Local mode filters in Python, a payload at a time (50 ms at 10k
            # chunks). The best k of all chunks, when every one is ready, are
            # the best k ready ones: filter only when one is not.
            answer = await self.client.query_points(
                self.collection, query=vector, limit=k
            )
            if not all(is_ready(point) for point in answer.points):
                answer = await self.client.query_points(
                    self.collection, query=vector, query_filter=ONLY_READY, limit=k
                )
        except STORE_ERRORS as error:
            raise StoreUnavailable(str(error)) from error
        return [
            Hit(
                document_id=point.payload["document_id"],
                title=point.payload["title"],
                source=point.payload["source"],
                chunk=point.payload["chunk"],
                heading=point.payload["heading"],
                text=point.payload["text"],
                score=point.score,
            )
            for point in answer.points
            if point.payload is not None
        ]
