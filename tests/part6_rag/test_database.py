"""Which database errors are outages: the app answers those with a 503."""

from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from part6_rag.database import is_unavailable


def test_a_pool_whose_connections_all_stay_busy_is_unavailable() -> None:
    assert is_unavailable(PoolTimeoutError("QueuePool limit of size 40 reached"))


def test_a_misuse_of_sqlalchemy_is_not_an_outage() -> None:
    assert not is_unavailable(InvalidRequestError("a bug in our code"))
