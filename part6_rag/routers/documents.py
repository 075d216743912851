"""Documents: given as JSON or as an uploaded file, indexed in the background."""

import re
from collections.abc import Sequence
from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, UploadFile, status
from openai import APIError
from pydantic import ValidationError
from sqlmodel import Session, col, delete, select

from ..dependencies import (
    DocumentId,
    EmbedderDep,
    IndexerDep,
    Limit,
    Offset,
    SessionDep,
    StoreDep,
)
from ..errors import (
    BAD_BODY,
    DOCUMENT_NOT_FOUND,
    TOO_LARGE,
    UNSUPPORTED_TYPE,
    document_not_found,
)
from ..models import (
    Document,
    DocumentCreate,
    DocumentPublic,
    DocumentStatus,
    DocumentSummary,
    DocumentUpload,
)

router = APIRouter(prefix="/documents", tags=["documents"])

MAX_FILE_BYTES = 1024 * 1024  # 1 MiB, as the contract says
# A JSON body holds up to 1,000,000 characters of text; escaped (\ud83d\ude00
# for one emoji) that is at most 12 bytes a character, plus the other fields.
MAX_JSON_BYTES = 12 * 1_000_000 + 64 * 1024
# The file, and room for the form's other fields and boundaries.
MAX_UPLOAD_BYTES = MAX_FILE_BYTES + 64 * 1024
TEXT_TYPES = {"text/markdown", "text/x-markdown", "text/plain"}
TEXT_EXTENSIONS = (".md", ".markdown", ".txt")
FIRST_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def add(session: Session, document: Document, indexer: IndexerDep) -> Document:
    """Store the document as `indexing`, and start indexing it after the answer."""
    document.characters = len(document.text)
    session.add(document)
    session.commit()
    assert document.id is not None
    indexer.start(document.id)
    return document


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DocumentSummary,
    responses=TOO_LARGE | BAD_BODY,
)
async def create_document(
    document: DocumentCreate, session: SessionDep, indexer: IndexerDep
) -> Document:
    return add(session, Document.model_validate(document), indexer)


def is_text_file(file: UploadFile) -> bool:
    declared = (file.content_type or "").split(";")[0].strip().lower()
    if declared in TEXT_TYPES:
        return True
    name = (file.filename or "").lower()
    return declared == "application/octet-stream" and name.endswith(TEXT_EXTENSIONS)


def invalid_file(message: str) -> HTTPException:
    problem = {"type": "invalid_file", "loc": ["body", "file"], "msg": message}
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [problem])


@router.post(
    "/files",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DocumentSummary,
    responses=TOO_LARGE | UNSUPPORTED_TYPE | BAD_BODY,
)
async def upload_document(
    file: Annotated[UploadFile, File(description="Markdown or plain text, UTF-8")],
    session: SessionDep,
    indexer: IndexerDep,
    title: Annotated[str | None, Form(max_length=200)] = None,
) -> Document:
    if not is_text_file(file):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            "Only Markdown or plain text files: text/markdown or text/plain "
            "(or a .md, .markdown or .txt file sent as application/octet-stream)",
        )
    content = await file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"The file is over {MAX_FILE_BYTES:,} bytes",
        )
    if not content:
        raise invalid_file("The file is empty")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid_file("The file is not UTF-8 text") from None
    name = file.filename or "upload"
    if not title or not title.strip():
        heading = FIRST_HEADING.search(text)
        title = (heading.group(1) if heading else PurePath(name).name)[:200]
    try:
        document = DocumentUpload(title=title, text=text, source=name[:2000])
    except ValidationError as error:
        problems = [
            {"type": e["type"], "loc": ["body", *map(str, e["loc"])], "msg": e["msg"]}
            for e in error.errors()
        ]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problems) from None
    return add(session, Document.model_validate(document), indexer)


@router.get("", response_model=list[DocumentSummary])
def list_documents(
    session: SessionDep, offset: Offset = 0, limit: Limit = 20
) -> Sequence[Document]:
    newest_first = select(Document).order_by(col(Document.id).desc())
    return session.exec(newest_first.offset(offset).limit(limit)).all()


def get_document(session: Session, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise document_not_found(document_id)
    return document


@router.get(
    "/{document_id}", response_model=DocumentPublic, responses=DOCUMENT_NOT_FOUND
)
def read_document(document_id: DocumentId, session: SessionDep) -> Document:
    return get_document(session, document_id)


@router.delete(
    "/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=DOCUMENT_NOT_FOUND,
)
async def delete_document(
    document_id: DocumentId, session: SessionDep, store: StoreDep, indexer: IndexerDep
) -> None:
    # The row first: an indexing task that stores a batch after this sees
    # the document gone, and removes what it stored.
    result = session.exec(delete(Document).where(col(Document.id) == document_id))
    session.commit()
    if result.rowcount == 0:
        raise document_not_found(document_id)
    indexer.cancel(document_id)
    await store.remove(document_id)


@router.post(
    "/{document_id}/reindex",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DocumentSummary,
    responses=DOCUMENT_NOT_FOUND,
)
async def reindex_document(
    document_id: DocumentId,
    session: SessionDep,
    store: StoreDep,
    embedder: EmbedderDep,
    indexer: IndexerDep,
) -> Document:
    document = get_document(session, document_id)
    if await rebuild_needed(store, embedder):
        # Another model built the collection: start it again, with every
        # document, so that all of them are searchable with this model.
        await store.rebuild()
        everything = select(Document)
        for other in session.exec(everything).all():
            other.status, other.error = DocumentStatus.indexing, None
        session.commit()
        for other_id in session.exec(select(Document.id)).all():
            if other_id is not None:
                indexer.start(other_id)
        session.refresh(document)
        return document
    document.status, document.error = DocumentStatus.indexing, None
    session.add(document)
    session.commit()
    indexer.start(document_id)
    return document


async def rebuild_needed(store: StoreDep, embedder: EmbedderDep) -> bool:
    """Whether the collection was built by another model, or dimension."""
    built = await store.built_by()
    if built is None:
        return False
    if built[0] != embedder.model:
        return True
    try:
        dimensions = len(await embedder.query("dimensions"))
    except APIError:  # the provider is down: indexing will say so
        return False
    return built[1] != dimensions
