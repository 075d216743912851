"""The body limit reads Content-Length only when it is a number."""

from part6_rag.limits import declared_length


def test_a_content_length_that_is_a_number_is_declared() -> None:
    assert declared_length([(b"host", b"x"), (b"content-length", b"12")]) == 12


def test_a_content_length_that_is_not_a_number_declares_nothing() -> None:
    assert declared_length([(b"content-length", b"twelve")]) is None
