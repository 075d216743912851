"""GET /health: is the database answering?"""

from fastapi import APIRouter
from sqlalchemy import text as sql

from ..dependencies import SessionDep
from ..models import Health

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: SessionDep) -> Health:
    session.scalar(sql("SELECT 1"))  # if MySQL does not answer: a 503, as anywhere
    return Health(status="ok", database="ok")
