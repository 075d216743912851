"""Exercise 1 (easy): search prompts by name.

`GET /prompts?q=sum` lists only the prompts whose name contains `sum`, in any
case; `offset` and `limit` then page through those matches alone. Without
`q`, the list is what it was.
"""

import secrets

import httpx

from tests.exercises.checks import create_prompt, listed


def test_q_keeps_only_the_names_that_contain_it_in_any_case(api: httpx.Client) -> None:
    tag = secrets.token_hex(4)
    for name in [f"Summarize-{tag}", f"translate-{tag}", f"re-summarize-{tag}"]:
        create_prompt(api, name=name)
    found = listed(api, "name", q=f"SUMMARIZE-{tag}", limit=100)
    assert found == [f"Summarize-{tag}", f"re-summarize-{tag}"], (
        f"?q=SUMMARIZE-{tag} should list the two names that contain it in any "
        f"case, oldest first; it listed {found}"
    )


def test_q_that_matches_no_name_gives_an_empty_list(api: httpx.Client) -> None:
    create_prompt(api)
    found = listed(api, "name", q=f"no-such-prompt-{secrets.token_hex(4)}")
    assert found == [], f"a ?q= that no name contains listed {found}"


def test_offset_and_limit_page_through_the_matches_only(api: httpx.Client) -> None:
    tag = secrets.token_hex(4)
    for name in [f"a-{tag}", f"other-{secrets.token_hex(4)}", f"b-{tag}", f"c-{tag}"]:
        create_prompt(api, name=name)
    found = listed(api, "name", q=tag, offset=1, limit=1)
    assert found == [f"b-{tag}"], (
        f"?q={tag}&offset=1&limit=1 should list the second match, b-{tag}; it "
        f"listed {found} (filter first, then take the page)"
    )
