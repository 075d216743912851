"""Tools for the "no 5xx, whatever the input" tests of every part.

Two sources of hostile requests:

- schemathesis reads the app's own OpenAPI document and generates requests
  that follow it (positive mode) or break it on purpose (negative mode);
- hand-written hypothesis strategies produce what a schema cannot describe:
  bytes that are not JSON, JSON that only a lenient parser accepts (NaN,
  Infinity, huge numbers, lone surrogates, duplicate keys, deep nesting),
  wrong content types, odd path segments and odd query strings.

Every request goes through the test's own `client` fixture, so it meets the
same app, storage and lifespan as the rest of the chapter's tests. Set
FUZZ_EXAMPLES to run more examples than the quick default.
"""

import json
import os
from urllib.parse import quote

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))

# The client fixture belongs to the whole test, so the app's state carries
# over from one example to the next: that is wanted, more state finds more.
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,  # a busy CI machine is slow now and then; that is no bug
    database=None,  # keep no example files in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SCHEMA_CHECKS = [
    not_a_server_error,
    status_code_conformance,  # every status the app sends is documented
    content_type_conformance,
    response_schema_conformance,
]


# --- Requests generated from the OpenAPI document ---------------------------


def check_case(client: TestClient, case: schemathesis.Case) -> None:
    """Send a generated request byte for byte; check the answer against the schema."""
    request = case.as_transport_kwargs(base_url=str(client.base_url))
    body = request.get("data")
    if "json" in request:
        # json.dumps writes NaN and Infinity as they were generated.
        body = json.dumps(request["json"])
    response = client.request(
        request["method"],
        request["url"],
        params=request.get("params"),
        headers=request.get("headers"),
        content=body,
    )
    case.validate_response(response, checks=SCHEMA_CHECKS)


def check_generated_requests(
    client: TestClient,
    mode: GenerationMode,
    path_parameters: dict[str, object] | None = None,
) -> None:
    """Run every operation of the app's OpenAPI document against schemathesis.

    `path_parameters` names things that exist (say, the id of a prompt), so
    that half of the requests reach the handler rather than a 404.
    """
    schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # an unreadable operation is a bug too
        operation = result.ok()
        takes_input = any(operation.iter_parameters()) or bool(operation.body)
        if mode is GenerationMode.NEGATIVE and not takes_input:
            continue  # no input, so no invalid input: `GET /` for instance
        cases = operation.as_strategy(mode)
        known = {
            name: value
            for name, value in (path_parameters or {}).items()
            if f"{{{name}}}" in operation.path
        }
        if known:
            cases = cases | operation.as_strategy(mode, path_parameters=known)

        @FUZZ_SETTINGS
        @given(case=cases)
        def answers_within_its_schema(case: schemathesis.Case) -> None:
            check_case(client, case)

        answers_within_its_schema()


# --- Bodies no schema can describe ------------------------------------------

# Lone surrogates are valid escapes in JSON text but not in any Unicode string.
LONE_SURROGATE = st.sampled_from(['"\\ud800"', '"\\udfff"', '"a\\udc00b"'])
ODD_NUMBERS = st.sampled_from(
    ["NaN", "-NaN", "Infinity", "-Infinity", "1e400", "-0", "5e-324", "1" + "0" * 5000]
)


def json_texts(keys: list[str]) -> st.SearchStrategy[str]:
    """JSON-like text, often nearly valid for an endpoint whose fields are `keys`.

    Objects are written as lists of pairs, so a key may appear twice.
    """
    scalars = st.one_of(
        st.sampled_from(["null", "true", "false", '""']),
        st.integers().map(str),
        st.floats().map(json.dumps),  # includes NaN and Infinity
        st.text().map(json.dumps),
        LONE_SURROGATE,
        ODD_NUMBERS,
    )
    names = st.one_of(st.sampled_from(keys), st.text(max_size=5)).map(json.dumps)

    def containers(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        arrays = st.lists(children, max_size=4).map(lambda xs: f"[{','.join(xs)}]")
        pairs = st.lists(st.tuples(names, children), max_size=5)
        objects = pairs.map(lambda ps: "{" + ",".join(f"{k}:{v}" for k, v in ps) + "}")
        return arrays | objects

    return st.recursive(scalars, containers, max_leaves=12)


def raw_bodies(keys: list[str]) -> st.SearchStrategy[bytes]:
    """Whole, cut-short, BOM-prefixed and non-UTF-8 bodies, and plain noise."""
    texts = json_texts(keys)
    cut_short = st.tuples(texts, st.integers(min_value=0)).map(
        lambda pair: pair[0][: pair[1] % (len(pair[0]) + 1)]
    )
    return st.one_of(
        texts.map(str.encode),
        cut_short.map(str.encode),
        texts.map(lambda text: "\ufeff".encode() + text.encode()),
        texts.map(lambda text: text.encode("utf-16")),
        st.binary(max_size=64),
    )


CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=latin-1",
        "application/merge-patch+json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=xyz",
        "text/plain",
        "application/xml",
        "",
        ";;;",
        None,  # no Content-Type header at all
    ]
)

# Named bodies every endpoint must survive; tests run each one by name.
HOSTILE_BODIES: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b" \n\t",
    "null": b"null",
    "array": b"[]",
    "string": b'"text"',
    "number": b"42",
    "nan": b'{"x": NaN}',
    "infinity": b'{"x": Infinity}',
    "minus_infinity": b'{"x": -Infinity}',
    "huge_integer": b'{"x": 1' + b"0" * 5000 + b"}",
    "huge_exponent": b'{"x": 1e999999}',
    "deep_array": b"[" * 100_000 + b"]" * 100_000,
    "deep_object": b'{"x":' * 100_000 + b"1" + b"}" * 100_000,
    "lone_surrogate": b'{"x": "\\ud800"}',
    "byte_order_mark": '\ufeff{"x": 1}'.encode(),
    "not_utf8": b'{"x": "\xff\xfe"}',
    "utf16": '{"x": 1}'.encode("utf-16"),
    "truncated": b'{"x": "abc',
    "trailing_garbage": b"{} {}",
    "single_quotes": b"{'x': 1}",
    "nul_bytes": b"\x00" * 16,
    "one_megabyte": b'{"x": "' + b"a" * 1_000_000 + b'"}',
}
# The hostile bodies Python's JSON parser cannot even decode (a number of
# more than 4300 digits, nesting too deep, bytes that are not UTF-8): FastAPI
# itself answers those with 400. Every other one is JSON, or not JSON at all,
# and gets a 422 that says why.
UNDECODABLE_BODIES = {"huge_integer", "deep_array", "deep_object", "not_utf8"}


# --- Odd path segments and query strings --------------------------------------

# Path segments that are no id at all: out of range, or not an integer.
NOT_IDS = [
    "0",
    "-1",
    str(2**63),
    str(2**64),
    str(10**30),
    "9" * 5000,
    "abc",
    "1.5",
    "1e3",
    "0x10",
    "\u0661",  # ARABIC-INDIC DIGIT ONE: int() reads it, the API does not
    "NaN",
    "%00",
    "%FF",
    "😀",
]
# Unusual spellings of a valid id, which Pydantic reads as the number.
OTHER_SPELLINGS_OF_AN_ID = ["+1", "1_000"]
ODD_IDS = NOT_IDS + OTHER_SPELLINGS_OF_AN_ID

path_segments = st.one_of(
    st.integers().map(str),
    st.text(min_size=1)
    # Not ids the app sees: the client resolves "." and ".." away, and a
    # trailing "/" (sent as %2F, which the server decodes) ends the path in a
    # slash, which Starlette answers with a 307 to the path without it.
    .filter(lambda text: text not in {".", ".."} and not text.endswith("/"))
    .map(lambda text: quote(text, safe="")),
    st.sampled_from(ODD_IDS),
)

query_strings = st.one_of(
    st.text().map(lambda text: quote(text, safe="=&")),
    st.lists(
        st.tuples(
            st.sampled_from(["offset", "limit", "x", ""]),
            st.one_of(st.integers().map(str), st.text(), st.sampled_from(ODD_IDS)),
        ),
        max_size=4,
    ).map(lambda pairs: "&".join(f"{k}={quote(v, safe='%')}" for k, v in pairs)),
)
