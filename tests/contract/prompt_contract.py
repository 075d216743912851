"""The prompt library's contract, checked over HTTP.

The API Part 2's chapter lays out ("What you will build", docs/part2.md) and
Parts 3 and 4 keep unchanged: the six requests, their status codes, the rules
for each field, unique names compared after casefold, ids never reused,
values read back exactly, and no lost write under concurrent requests.

Parts 2, 3 and 4 each collect it with
`from tests.contract.prompt_contract import *  # noqa: F403` in their
`test_contract.py`, and provide the two fixtures it uses: `app` and `client`
(a TestClient whose storage is fresh and empty for every test). Nothing here
knows which part it is testing: that is the point.
"""

import itertools
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.bursts import all_at_once
from tests.contract.helpers import JSON, Response, error_locations

CONTRACT_FIELDS = ("id", "name", "template", "model", "temperature")
MAX_ID = 2**63 - 1
# What a prompt gets when the client leaves `model` or `temperature` out, as
# every chapter's first created prompt shows.
DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TEMPERATURE = 0.7


# --- Helpers -----------------------------------------------------------------


def create(client: TestClient, name: str = "summary", **fields: Any) -> dict[str, Any]:
    """Create a prompt and return it; the test fails if that is refused."""
    body = {"name": name, "template": "Summarise: {text}", **fields}
    response = client.post("/prompts", json=body)
    assert response.status_code == 201, response.text
    prompt: dict[str, Any] = response.json()
    return prompt


def contract_part(prompt: dict[str, Any]) -> dict[str, Any]:
    """The five fields every part returns (later parts may add more)."""
    return {field: prompt[field] for field in CONTRACT_FIELDS}


def read(client: TestClient, prompt_id: int) -> dict[str, Any]:
    response = client.get(f"/prompts/{prompt_id}")
    assert response.status_code == 200, response.text
    prompt: dict[str, Any] = response.json()
    return prompt


def list_all(client: TestClient) -> list[dict[str, Any]]:
    response = client.get("/prompts", params={"limit": 100})
    assert response.status_code == 200, response.text
    prompts: list[dict[str, Any]] = response.json()
    return prompts


def assert_not_found(response: Response) -> None:
    assert response.status_code == 404
    assert isinstance(response.json()["detail"], str)


def statuses(responses: list[Response]) -> list[int]:
    return sorted(response.status_code for response in responses)


# Values every write must refuse, on create and on update alike.
INVALID_VALUES = [
    pytest.param("name", "", id="name-empty"),
    pytest.param("name", " \t\n ", id="name-only-whitespace"),
    pytest.param("name", "n" * 101, id="name-101-chars"),
    pytest.param("name", "😀" * 101, id="name-101-emoji"),
    pytest.param("name", 42, id="name-number"),
    pytest.param("name", None, id="name-null"),
    pytest.param("template", "", id="template-empty"),
    pytest.param("template", "t" * 10_001, id="template-10001-chars"),
    pytest.param("template", ["a", "b"], id="template-list"),
    pytest.param("template", None, id="template-null"),
    pytest.param("model", "", id="model-empty"),
    pytest.param("model", "m" * 101, id="model-101-chars"),
    pytest.param("model", 4, id="model-number"),
    pytest.param("model", None, id="model-null"),
    pytest.param("temperature", -0.1, id="temperature-below-0"),
    pytest.param("temperature", 2.0000000000000004, id="temperature-above-2"),
    pytest.param("temperature", "0.5", id="temperature-string"),
    pytest.param("temperature", True, id="temperature-bool"),
    pytest.param("temperature", None, id="temperature-null"),
]

# Numbers Python's JSON parser accepts, although JSON has no such thing.
NON_FINITE_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"]

# Text that storage layers like to mangle: 4-byte characters, combining
# marks, joiners, right-to-left scripts, control characters, quoting.
TRICKY_TEXTS = {
    "emoji": "🦜🔗🧠 and 𝄞 𠜎𠜱𠝹",
    "combining": "e\u0301 is not \u00e9",
    "joiner": "👩\u200d👩\u200d👧\u200d👦",
    "scripts": "مرحبا 你好 こんにちは",
    "controls": "line\r\nbreak\ttab\x00nul",
    "quoting": "'\"\\ `tick` %s %(x)s ${x} {{x}} \\n",
}

# Floats whose last bit is easy to lose in storage or on the wire.
EXACT_FLOATS = [0.1 + 0.2, 2.0, 5e-324, 1.9999999999999998, 0.0, 1e-300, 0.7]

CLASHING_NAMES = [
    pytest.param("Summary", "summary", id="case"),
    pytest.param("Straße", "STRASSE", id="sharp-s"),
    pytest.param("ΣΊΣΥΦΟΣ", "σίσυφος", id="final-sigma"),
]
DISTINCT_NAMES = [
    pytest.param("resume", "résumé", id="accents"),
    pytest.param("e\u0301", "\u00e9", id="decomposed-vs-composed"),
    pytest.param("😀", "😃", id="emoji"),
    pytest.param("a b", "ab", id="inner-space"),
    pytest.param("a b", "a  b", id="inner-spaces"),
    pytest.param("a b", "a\u00a0b", id="no-break-space"),
]


# --- Creating ----------------------------------------------------------------


class TestCreate:
    def test_create_returns_201_and_the_prompt(self, client: TestClient) -> None:
        body = {
            "name": "summary",
            "template": "Summarise: {text}",
            "model": "tiny-model",
            "temperature": 0.2,
        }
        response = client.post("/prompts", json=body)
        assert response.status_code == 201
        prompt = response.json()
        assert isinstance(prompt["id"], int)
        assert contract_part(prompt) == {"id": prompt["id"], **body}

    def test_create_without_model_stores_the_default_model(
        self, client: TestClient
    ) -> None:
        prompt = create(client)
        assert prompt["model"] == DEFAULT_MODEL
        assert read(client, prompt["id"])["model"] == DEFAULT_MODEL

    def test_create_without_temperature_stores_the_default_temperature(
        self, client: TestClient
    ) -> None:
        prompt = create(client)
        assert prompt["temperature"] == DEFAULT_TEMPERATURE
        assert read(client, prompt["id"])["temperature"] == DEFAULT_TEMPERATURE

    def test_created_prompt_can_be_read_back(self, client: TestClient) -> None:
        prompt = create(client)
        assert contract_part(read(client, prompt["id"])) == contract_part(prompt)

    def test_created_prompts_get_distinct_ids(self, client: TestClient) -> None:
        ids = {create(client, name=f"prompt {n}")["id"] for n in range(5)}
        assert len(ids) == 5

    def test_create_strips_surrounding_whitespace_from_name(
        self, client: TestClient
    ) -> None:
        assert create(client, name=" \t summary \n")["name"] == "summary"

    def test_name_is_measured_after_stripping(self, client: TestClient) -> None:
        assert create(client, name="  " + "n" * 100 + "  ")["name"] == "n" * 100

    def test_create_keeps_whitespace_around_template_and_model(
        self, client: TestClient
    ) -> None:
        prompt = create(client, template="  indented\n", model=" padded ")
        assert (prompt["template"], prompt["model"]) == ("  indented\n", " padded ")

    @pytest.mark.parametrize("temperature", [0, 0.0, 2, 2.0])
    def test_create_accepts_temperature_bounds(
        self, client: TestClient, temperature: float
    ) -> None:
        assert create(client, temperature=temperature)["temperature"] == temperature

    @pytest.mark.parametrize(("field", "value"), INVALID_VALUES)
    def test_create_with_invalid_value_returns_422_naming_the_field(
        self, client: TestClient, field: str, value: Any
    ) -> None:
        body = {"name": "summary", "template": "Hi", field: value}
        response = client.post("/prompts", json=body)
        assert response.status_code == 422
        assert ("body", field) in error_locations(response)
        assert list_all(client) == []

    @pytest.mark.parametrize("number", NON_FINITE_NUMBERS)
    def test_create_with_non_finite_temperature_returns_422(
        self, client: TestClient, number: str
    ) -> None:
        body = f'{{"name": "summary", "template": "Hi", "temperature": {number}}}'
        response = client.post("/prompts", content=body, headers=JSON)
        assert response.status_code == 422
        assert ("body", "temperature") in error_locations(response)

    @pytest.mark.parametrize("field", ["name", "template"])
    def test_create_without_required_field_returns_422(
        self, client: TestClient, field: str
    ) -> None:
        body = {"name": "summary", "template": "Hi"}
        del body[field]
        response = client.post("/prompts", json=body)
        assert response.status_code == 422
        assert ("body", field) in error_locations(response)

    def test_create_with_unknown_field_returns_422(self, client: TestClient) -> None:
        body = {"name": "summary", "template": "Hi", "temprature": 0.3}
        response = client.post("/prompts", json=body)
        assert response.status_code == 422
        assert ("body", "temprature") in error_locations(response)

    @pytest.mark.parametrize("body", ["[]", '"summary"', "42", "null"])
    def test_create_with_body_that_is_not_an_object_returns_422(
        self, client: TestClient, body: str
    ) -> None:
        response = client.post("/prompts", content=body, headers=JSON)
        assert response.status_code == 422

    @pytest.mark.parametrize(
        "body",
        [
            b'{"name": "summary", "template": ',
            b"{'name': 'summary'}",
            b'{"name": "summary", "template": "Hi",}',
        ],
        ids=["truncated", "single-quotes", "trailing-comma"],
    )
    def test_create_with_malformed_json_returns_422(
        self, client: TestClient, body: bytes
    ) -> None:
        response = client.post("/prompts", content=body, headers=JSON)
        assert response.status_code == 422

    @pytest.mark.parametrize(
        "body",
        [
            b'{"name": "summary", "template": "Hi", "temperature": 1'
            + b"0" * 5000
            + b"}",
            b"[" * 100_000 + b"]" * 100_000,
            b'{"name": "summ\xffary", "template": "Hi"}',
        ],
        ids=["integer-of-5001-digits", "nested-100000-deep", "not-utf8"],
    )
    def test_create_with_body_python_cannot_decode_returns_400(
        self, client: TestClient, body: bytes
    ) -> None:
        # FastAPI's own answer, before any validation: the body is unreadable.
        response = client.post("/prompts", content=body, headers=JSON)
        assert response.status_code == 400
        assert isinstance(response.json()["detail"], str)
        assert list_all(client) == []

    def test_create_with_lone_surrogate_in_name_returns_422(
        self, client: TestClient
    ) -> None:
        body = '{"name": "bad \\ud800 name", "template": "Hi"}'
        response = client.post("/prompts", content=body, headers=JSON)
        assert response.status_code == 422

    def test_create_with_form_data_returns_422(self, client: TestClient) -> None:
        response = client.post("/prompts", data={"name": "summary", "template": "Hi"})
        assert response.status_code == 422


# --- Values read back exactly ------------------------------------------------


class TestRoundTrip:
    @pytest.mark.parametrize("text", TRICKY_TEXTS.values(), ids=TRICKY_TEXTS.keys())
    @pytest.mark.parametrize("field", ["name", "template", "model"])
    def test_text_reads_back_exactly(
        self, client: TestClient, field: str, text: str
    ) -> None:
        prompt = create(client, **{field: text})
        assert prompt[field] == text
        assert read(client, prompt["id"])[field] == text
        assert list_all(client)[0][field] == text

    def test_template_of_10000_emoji_reads_back_exactly(
        self, client: TestClient
    ) -> None:
        template = "🦜" * 10_000
        prompt = create(client, template=template)
        assert read(client, prompt["id"])["template"] == template

    def test_template_of_10001_emoji_returns_422(self, client: TestClient) -> None:
        response = client.post(
            "/prompts", json={"name": "summary", "template": "🦜" * 10_001}
        )
        assert response.status_code == 422
        assert ("body", "template") in error_locations(response)

    @pytest.mark.parametrize("field", ["name", "model"])
    def test_100_emoji_read_back_exactly(self, client: TestClient, field: str) -> None:
        text = "🧠" * 100
        prompt = create(client, **{field: text})
        assert read(client, prompt["id"])[field] == text

    @pytest.mark.parametrize("number", EXACT_FLOATS, ids=repr)
    def test_temperature_reads_back_to_the_last_bit(
        self, client: TestClient, number: float
    ) -> None:
        prompt = create(client, temperature=number)
        assert prompt["temperature"].hex() == number.hex()
        assert read(client, prompt["id"])["temperature"].hex() == number.hex()

    @pytest.mark.parametrize("number", EXACT_FLOATS, ids=repr)
    def test_updated_temperature_reads_back_to_the_last_bit(
        self, client: TestClient, number: float
    ) -> None:
        prompt = create(client, temperature=1.0)
        response = client.patch(
            f"/prompts/{prompt['id']}", json={"temperature": number}
        )
        assert response.json()["temperature"].hex() == number.hex()
        assert read(client, prompt["id"])["temperature"].hex() == number.hex()


# --- Names are unique, compared case-insensitively ---------------------------


class TestUniqueName:
    def test_create_with_taken_name_returns_409(self, client: TestClient) -> None:
        create(client, name="summary")
        response = client.post("/prompts", json={"name": "summary", "template": "x"})
        assert response.status_code == 409
        assert isinstance(response.json()["detail"], str)
        assert len(list_all(client)) == 1

    @pytest.mark.parametrize(("first", "second"), CLASHING_NAMES)
    def test_create_with_name_equal_after_casefold_returns_409(
        self, client: TestClient, first: str, second: str
    ) -> None:
        create(client, name=first)
        response = client.post("/prompts", json={"name": second, "template": "x"})
        assert response.status_code == 409

    @pytest.mark.parametrize(("first", "second"), DISTINCT_NAMES)
    def test_names_that_differ_after_casefold_are_distinct(
        self, client: TestClient, first: str, second: str
    ) -> None:
        create(client, name=first)
        assert create(client, name=second)["name"] == second

    def test_taken_name_is_found_after_stripping(self, client: TestClient) -> None:
        create(client, name="summary")
        response = client.post("/prompts", json={"name": " Summary ", "template": "x"})
        assert response.status_code == 409

    def test_first_spelling_of_a_name_is_kept(self, client: TestClient) -> None:
        prompt = create(client, name="Straße")
        response = client.post("/prompts", json={"name": "STRASSE", "template": "x"})
        assert response.status_code == 409
        assert read(client, prompt["id"])["name"] == "Straße"


# --- Reading one prompt ------------------------------------------------------


class TestRead:
    def test_read_missing_prompt_returns_404(self, client: TestClient) -> None:
        assert_not_found(client.get("/prompts/1"))

    def test_read_largest_possible_id_returns_404(self, client: TestClient) -> None:
        assert_not_found(client.get(f"/prompts/{MAX_ID}"))

    @pytest.mark.parametrize("bad_id", ["0", "-1", str(MAX_ID + 1), "abc", "1.5"])
    def test_read_with_invalid_id_returns_422(
        self, client: TestClient, bad_id: str
    ) -> None:
        response = client.get(f"/prompts/{bad_id}")
        assert response.status_code == 422
        assert ("path", "prompt_id") in error_locations(response)


# --- Listing -----------------------------------------------------------------


class TestList:
    def test_list_is_empty_at_first(self, client: TestClient) -> None:
        response = client.get("/prompts")
        assert response.status_code == 200
        assert response.json() == []

    def test_list_returns_prompts_ordered_by_id(self, client: TestClient) -> None:
        created = [create(client, name=name) for name in ["c", "a", "b"]]
        listed = list_all(client)
        assert [p["id"] for p in listed] == sorted(p["id"] for p in created)
        assert [contract_part(p) for p in listed] == [
            contract_part(p) for p in sorted(created, key=lambda p: p["id"])
        ]

    def test_list_returns_20_prompts_by_default(self, client: TestClient) -> None:
        created = [create(client, name=f"prompt {n}") for n in range(21)]
        listed = client.get("/prompts").json()
        assert [p["id"] for p in listed] == [p["id"] for p in created[:20]]

    def test_list_pages_with_offset_and_limit(self, client: TestClient) -> None:
        created = [create(client, name=f"prompt {n}") for n in range(5)]
        page = client.get("/prompts", params={"offset": 2, "limit": 2}).json()
        assert [p["id"] for p in page] == [p["id"] for p in created[2:4]]

    def test_pages_cover_every_prompt_exactly_once(self, client: TestClient) -> None:
        created = [create(client, name=f"prompt {n}") for n in range(7)]
        pages = [
            client.get("/prompts", params={"offset": offset, "limit": 3}).json()
            for offset in (0, 3, 6)
        ]
        assert [len(page) for page in pages] == [3, 3, 1]
        assert [p["id"] for page in pages for p in page] == [p["id"] for p in created]

    def test_list_leaves_out_deleted_prompts(self, client: TestClient) -> None:
        first, second, third = (create(client, name=n) for n in ["1st", "2nd", "3rd"])
        client.delete(f"/prompts/{second['id']}")
        assert [p["id"] for p in list_all(client)] == [first["id"], third["id"]]

    @pytest.mark.parametrize(
        "params",
        [{"offset": 5}, {"offset": MAX_ID}, {"offset": MAX_ID, "limit": 100}],
        ids=["offset-past-end", "largest-offset", "largest-offset-and-limit"],
    )
    def test_offset_past_the_end_gives_an_empty_list(
        self, client: TestClient, params: dict[str, int]
    ) -> None:
        create(client)
        response = client.get("/prompts", params=params)
        assert response.status_code == 200
        assert response.json() == []

    @pytest.mark.parametrize("limit", [1, 100])
    def test_list_accepts_limit_bounds(self, client: TestClient, limit: int) -> None:
        for n in range(2):
            create(client, name=f"prompt {n}")
        response = client.get("/prompts", params={"limit": limit})
        assert response.status_code == 200
        assert len(response.json()) == min(limit, 2)

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("limit", "0"),
            ("limit", "101"),
            ("limit", "-1"),
            ("limit", "abc"),
            ("limit", "1.5"),
            ("offset", "-1"),
            ("offset", str(MAX_ID + 1)),
            ("offset", "abc"),
        ],
    )
    def test_list_with_invalid_paging_returns_422(
        self, client: TestClient, name: str, value: str
    ) -> None:
        response = client.get("/prompts", params={name: value})
        assert response.status_code == 422
        assert ("query", name) in error_locations(response)


# --- Updating ----------------------------------------------------------------


class TestUpdate:
    @pytest.mark.parametrize(
        "changes",
        [
            {"name": "renamed"},
            {"template": "New: {text}"},
            {"model": "other-model"},
            {"temperature": 1.5},
            {"template": "Both {x}", "temperature": 0.0},
        ],
        ids=lambda changes: "+".join(changes),
    )
    def test_patch_changes_only_the_fields_sent(
        self, client: TestClient, changes: dict[str, Any]
    ) -> None:
        prompt = create(client, model="tiny-model", temperature=0.3)
        response = client.patch(f"/prompts/{prompt['id']}", json=changes)
        assert response.status_code == 200
        expected = {**contract_part(prompt), **changes}
        assert contract_part(response.json()) == expected
        assert contract_part(read(client, prompt["id"])) == expected

    def test_patch_with_empty_body_changes_nothing(self, client: TestClient) -> None:
        prompt = create(client)
        response = client.patch(f"/prompts/{prompt['id']}", json={})
        assert response.status_code == 200
        assert contract_part(read(client, prompt["id"])) == contract_part(prompt)

    def test_patch_strips_surrounding_whitespace_from_name(
        self, client: TestClient
    ) -> None:
        prompt = create(client)
        response = client.patch(f"/prompts/{prompt['id']}", json={"name": " new "})
        assert response.json()["name"] == "new"

    def test_patch_may_change_the_case_of_its_own_name(
        self, client: TestClient
    ) -> None:
        prompt = create(client, name="summary")
        response = client.patch(f"/prompts/{prompt['id']}", json={"name": "Summary"})
        assert response.status_code == 200
        assert read(client, prompt["id"])["name"] == "Summary"

    def test_patch_to_a_taken_name_returns_409(self, client: TestClient) -> None:
        create(client, name="taken")
        prompt = create(client, name="mine")
        response = client.patch(f"/prompts/{prompt['id']}", json={"name": "TAKEN"})
        assert response.status_code == 409
        assert isinstance(response.json()["detail"], str)

    def test_patch_refused_with_409_changes_nothing(self, client: TestClient) -> None:
        create(client, name="taken")
        prompt = create(client, name="mine")
        changes = {"name": "taken", "template": "Changed {x}", "temperature": 2.0}
        response = client.patch(f"/prompts/{prompt['id']}", json=changes)
        assert response.status_code == 409
        assert contract_part(read(client, prompt["id"])) == contract_part(prompt)

    def test_renaming_frees_the_old_name(self, client: TestClient) -> None:
        prompt = create(client, name="old")
        client.patch(f"/prompts/{prompt['id']}", json={"name": "new"})
        assert create(client, name="OLD")["name"] == "OLD"

    def test_patch_missing_prompt_returns_404(self, client: TestClient) -> None:
        assert_not_found(client.patch("/prompts/1", json={"name": "x"}))

    @pytest.mark.parametrize(("field", "value"), INVALID_VALUES)
    def test_patch_with_invalid_value_returns_422_and_changes_nothing(
        self, client: TestClient, field: str, value: Any
    ) -> None:
        prompt = create(client)
        response = client.patch(f"/prompts/{prompt['id']}", json={field: value})
        assert response.status_code == 422
        assert ("body", field) in error_locations(response)
        assert contract_part(read(client, prompt["id"])) == contract_part(prompt)

    @pytest.mark.parametrize("number", NON_FINITE_NUMBERS)
    def test_patch_with_non_finite_temperature_returns_422(
        self, client: TestClient, number: str
    ) -> None:
        prompt = create(client)
        body = f'{{"temperature": {number}}}'
        response = client.patch(f"/prompts/{prompt['id']}", content=body, headers=JSON)
        assert response.status_code == 422

    def test_patch_with_unknown_field_returns_422(self, client: TestClient) -> None:
        prompt = create(client)
        response = client.patch(f"/prompts/{prompt['id']}", json={"id": 99})
        assert response.status_code == 422
        assert read(client, prompt["id"])["id"] == prompt["id"]

    @pytest.mark.parametrize("bad_id", ["0", str(MAX_ID + 1), "abc"])
    def test_patch_with_invalid_id_returns_422(
        self, client: TestClient, bad_id: str
    ) -> None:
        response = client.patch(f"/prompts/{bad_id}", json={"name": "x"})
        assert response.status_code == 422


# --- Deleting ----------------------------------------------------------------


class TestDelete:
    def test_delete_returns_204_with_empty_body(self, client: TestClient) -> None:
        prompt = create(client)
        response = client.delete(f"/prompts/{prompt['id']}")
        assert response.status_code == 204
        assert response.content == b""

    def test_deleted_prompt_is_gone(self, client: TestClient) -> None:
        prompt = create(client)
        client.delete(f"/prompts/{prompt['id']}")
        assert_not_found(client.get(f"/prompts/{prompt['id']}"))
        assert list_all(client) == []

    def test_delete_missing_prompt_returns_404(self, client: TestClient) -> None:
        assert_not_found(client.delete("/prompts/1"))

    def test_second_delete_returns_404(self, client: TestClient) -> None:
        prompt = create(client)
        client.delete(f"/prompts/{prompt['id']}")
        assert_not_found(client.delete(f"/prompts/{prompt['id']}"))

    def test_delete_frees_the_name(self, client: TestClient) -> None:
        prompt = create(client, name="summary")
        client.delete(f"/prompts/{prompt['id']}")
        assert create(client, name="Summary")["name"] == "Summary"

    def test_id_is_not_reused_after_deleting_the_newest(
        self, client: TestClient
    ) -> None:
        older, newest = create(client, name="older"), create(client, name="newest")
        client.delete(f"/prompts/{newest['id']}")
        assert create(client, name="next")["id"] not in {older["id"], newest["id"]}

    def test_id_is_not_reused_after_deleting_everything(
        self, client: TestClient
    ) -> None:
        used = {create(client, name=f"prompt {n}")["id"] for n in range(3)}
        for prompt_id in used:
            client.delete(f"/prompts/{prompt_id}")
        assert create(client, name="fresh")["id"] not in used

    @pytest.mark.parametrize("bad_id", ["0", str(MAX_ID + 1), "abc"])
    def test_delete_with_invalid_id_returns_422(
        self, client: TestClient, bad_id: str
    ) -> None:
        assert client.delete(f"/prompts/{bad_id}").status_code == 422


# --- Rendering ---------------------------------------------------------------


def render(client: TestClient, template: str, variables: dict[str, Any]) -> Response:
    """Store `template` as a new prompt and render it with `variables`."""
    prompt = create(client, name="to render", template=template)
    return client.post(f"/prompts/{prompt['id']}/render", json={"variables": variables})


def rendered_text(client: TestClient, template: str, variables: dict[str, Any]) -> str:
    response = render(client, template, variables)
    assert response.status_code == 200, response.text
    text: str = response.json()["text"]
    return text


# Templates that would run code, read attributes or format values if they
# went through str.format. Each must come out as plain text.
HOSTILE_TEMPLATES = [
    pytest.param("{0}", "{0}", id="positional"),
    pytest.param("{}", "{}", id="empty-braces"),
    pytest.param("{a.b}", "{a.b}", id="attribute"),
    pytest.param("{a.__class__.__mro__}", "{a.__class__.__mro__}", id="dunder-chain"),
    pytest.param("{a[0]}", "{a[0]}", id="index"),
    pytest.param("{x!r}", "{x!r}", id="conversion"),
    pytest.param("{x:>10}", "{x:>10}", id="format-spec"),
    pytest.param("{x:{a}}", "{x:A}", id="nested-spec"),
    pytest.param("{ x }", "{ x }", id="spaces-inside"),
    pytest.param("{1x}", "{1x}", id="starts-with-digit"),
    pytest.param("{x", "{x", id="unclosed"),
    pytest.param("x}", "x}", id="unopened"),
    pytest.param("{__class__}", "C", id="dunder-name-is-a-plain-placeholder"),
]


class TestRender:
    def test_render_fills_placeholders(self, client: TestClient) -> None:
        variables = {"name": "Ada", "greeting": "welcome"}
        text = rendered_text(client, "Dear {name}, {greeting}!", variables)
        assert text == "Dear Ada, welcome!"

    def test_render_fills_a_repeated_placeholder_everywhere(
        self, client: TestClient
    ) -> None:
        assert rendered_text(client, "{x}-{x}-{x}", {"x": "ab"}) == "ab-ab-ab"

    def test_render_of_template_without_placeholders_returns_it(
        self, client: TestClient
    ) -> None:
        assert rendered_text(client, "Plain text.", {}) == "Plain text."

    @pytest.mark.parametrize(
        ("template", "text"),
        [("{{x}}", "{x}"), ("{{{x}}}", "{X}"), ("}}{{", "}{"), ("{{{{", "{{")],
    )
    def test_doubled_braces_render_as_literal_braces(
        self, client: TestClient, template: str, text: str
    ) -> None:
        assert rendered_text(client, template, {"x": "X"}) == text

    def test_doubled_braces_need_no_variable(self, client: TestClient) -> None:
        assert rendered_text(client, "{{name}}", {}) == "{name}"

    def test_render_ignores_extra_variables(self, client: TestClient) -> None:
        variables = {"x": "1", "unused": "2", "0": "3"}
        assert rendered_text(client, "{x}", variables) == "1"

    def test_values_are_inserted_as_they_are(self, client: TestClient) -> None:
        values = {"a": "{b}", "b": "B", "c": "{{}} {0} %s"}
        assert rendered_text(client, "{a} {c}", values) == "{b} {{}} {0} %s"

    def test_render_keeps_4_byte_characters(self, client: TestClient) -> None:
        assert rendered_text(client, "🦜 {x} 🦜", {"x": "𠜎"}) == "🦜 𠜎 🦜"

    @pytest.mark.parametrize(("template", "text"), HOSTILE_TEMPLATES)
    def test_hostile_template_is_never_evaluated(
        self, client: TestClient, template: str, text: str
    ) -> None:
        variables = {"a": "A", "x": "X", "0": "zero", "__class__": "C"}
        assert rendered_text(client, template, variables) == text

    def test_render_with_missing_variables_returns_422_listing_each(
        self, client: TestClient
    ) -> None:
        response = render(client, "{a} {known} {b} {a} {c}", {"known": "k"})
        assert response.status_code == 422
        missing = [loc[-1] for loc in error_locations(response)]
        assert missing == ["a", "b", "c"]

    def test_dunder_placeholder_is_reported_missing_like_any_other(
        self, client: TestClient
    ) -> None:
        response = render(client, "{__class__}", {})
        assert response.status_code == 422
        assert [loc[-1] for loc in error_locations(response)] == ["__class__"]

    def test_render_missing_prompt_returns_404(self, client: TestClient) -> None:
        assert_not_found(client.post("/prompts/1/render", json={"variables": {}}))

    @pytest.mark.parametrize(
        "body",
        [
            {"variables": {"x": 1}},
            {"variables": {"x": None}},
            {"variables": ["x"]},
            {"variables": None},
            {"variables": {}, "extra": 1},
        ],
        ids=["number-value", "null-value", "list", "null", "unknown-field"],
    )
    def test_render_with_invalid_variables_returns_422(
        self, client: TestClient, body: dict[str, Any]
    ) -> None:
        prompt = create(client, template="{x}")
        response = client.post(f"/prompts/{prompt['id']}/render", json=body)
        assert response.status_code == 422

    def test_render_with_invalid_id_returns_422(self, client: TestClient) -> None:
        response = client.post("/prompts/0/render", json={"variables": {}})
        assert response.status_code == 422


# --- Many requests at once ---------------------------------------------------


def casings(word: str) -> list[str]:
    """Every way to capitalise `word`: "ab" -> ["ab", "aB", "Ab", "AB"]."""
    options = [(letter.lower(), letter.upper()) for letter in word]
    return ["".join(letters) for letters in itertools.product(*options)]


class TestConcurrency:
    def test_simultaneous_creates_all_succeed_with_distinct_ids(
        self, client: TestClient
    ) -> None:
        def create_numbered(n: int) -> Response:
            return client.post("/prompts", json={"name": f"p{n}", "template": f"#{n}"})

        responses = all_at_once(50, create_numbered)
        assert statuses(responses) == [201] * 50
        ids = {response.json()["id"] for response in responses}
        assert len(ids) == 50
        assert {p["id"] for p in list_all(client)} == ids

    def test_racing_creates_with_one_name_let_exactly_one_win(
        self, client: TestClient
    ) -> None:
        def create_race(n: int) -> Response:
            return client.post("/prompts", json={"name": "race", "template": f"#{n}"})

        assert statuses(all_at_once(20, create_race)) == [201] + [409] * 19
        assert len(list_all(client)) == 1

    def test_racing_creates_with_names_equal_after_casefold_let_one_win(
        self, client: TestClient
    ) -> None:
        names = casings("racing")[:20]

        def create_race(n: int) -> Response:
            return client.post("/prompts", json={"name": names[n], "template": "x"})

        assert statuses(all_at_once(20, create_race)) == [201] + [409] * 19
        assert len(list_all(client)) == 1

    def test_racing_renames_to_one_name_let_exactly_one_win(
        self, client: TestClient
    ) -> None:
        ids = [create(client, name=f"prompt {n}")["id"] for n in range(10)]

        def rename(n: int) -> Response:
            return client.patch(f"/prompts/{ids[n]}", json={"name": "winner"})

        assert statuses(all_at_once(10, rename)) == [200] + [409] * 9
        assert [p["name"] for p in list_all(client)].count("winner") == 1

    def test_simultaneous_patches_of_different_fields_all_stick(
        self, client: TestClient
    ) -> None:
        prompt = create(client, name="shared", model="old-model", temperature=0.1)
        changes: list[dict[str, Any]] = [
            {"name": "renamed"},
            {"template": "New {x}"},
            {"model": "new-model"},
            {"temperature": 1.9},
        ]

        def update(n: int) -> Response:
            return client.patch(f"/prompts/{prompt['id']}", json=changes[n])

        assert statuses(all_at_once(4, update)) == [200] * 4
        merged = {key: value for change in changes for key, value in change.items()}
        assert contract_part(read(client, prompt["id"])) == {
            "id": prompt["id"],
            **merged,
        }

    def test_racing_deletes_of_one_prompt_let_exactly_one_win(
        self, client: TestClient
    ) -> None:
        prompt = create(client)

        def delete(n: int) -> Response:
            return client.delete(f"/prompts/{prompt['id']}")

        assert statuses(all_at_once(10, delete)) == [204] + [404] * 9


# --- The API describes itself ------------------------------------------------


OPERATIONS = [
    ("post", "/prompts", {"201", "400", "409", "422"}),
    ("get", "/prompts", {"200", "422"}),
    ("get", "/prompts/{prompt_id}", {"200", "404", "422"}),
    ("patch", "/prompts/{prompt_id}", {"200", "400", "404", "409", "422"}),
    ("delete", "/prompts/{prompt_id}", {"204", "404", "422"}),
    ("post", "/prompts/{prompt_id}/render", {"200", "400", "404", "422"}),
]


class TestSelfDescription:
    @pytest.mark.parametrize(("method", "path", "codes"), OPERATIONS)
    def test_openapi_documents_every_status_the_operation_returns(
        self, client: TestClient, method: str, path: str, codes: set[str]
    ) -> None:
        document = client.get("/openapi.json").json()
        assert codes <= set(document["paths"][path][method]["responses"])

    def test_openapi_names_the_app(self, client: TestClient) -> None:
        info = client.get("/openapi.json").json()["info"]
        assert info["title"] and info["version"] and info["description"]

    @pytest.mark.parametrize("path", ["/docs", "/redoc"])
    def test_documentation_pages_answer_with_html(
        self, client: TestClient, path: str
    ) -> None:
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")

    def test_unknown_path_returns_404_in_json(self, client: TestClient) -> None:
        assert_not_found(client.get("/no-such-thing"))

    def test_wrong_method_returns_405_in_json(self, client: TestClient) -> None:
        response = client.put("/prompts")
        assert response.status_code == 405
        assert isinstance(response.json()["detail"], str)


def test_every_answer_in_a_session_is_json(client: TestClient) -> None:
    """One reader's session, start to finish; each answer parses as JSON."""
    prompt = create(client)
    answers = [
        client.get("/prompts"),
        client.get(f"/prompts/{prompt['id']}"),
        client.patch(f"/prompts/{prompt['id']}", json={"temperature": 1.0}),
        client.post(
            f"/prompts/{prompt['id']}/render", json={"variables": {"text": "t"}}
        ),
        client.post(f"/prompts/{prompt['id']}/render", json={"variables": {}}),
        client.post("/prompts", json={"name": "summary", "template": "x"}),
        client.get("/prompts/999999"),
    ]
    for answer in answers:
        assert answer.headers["content-type"] == "application/json"
        json.loads(answer.content)
