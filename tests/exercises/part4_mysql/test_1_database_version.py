"""Exercise 1 (easy): the database's version at /health/database.

`GET /health/database` answers `{"version": "..."}` with the version the
MySQL server reports for itself when asked `SELECT VERSION()`, such as
`8.4.2` or `11.4.5-MariaDB`.
"""

import re

import httpx

# A version starts with its numbers: 8.4.2, 10.11.6-MariaDB-0+deb12u1.
VERSION = re.compile(r"\d+\.\d+\.\d+")


def test_the_version_is_the_one_the_server_reports(api: httpx.Client) -> None:
    response = api.get("/health/database")
    answered = f"GET /health/database answered {response.status_code}: {response.text}"
    assert response.status_code == 200, answered
    version = response.json().get("version")
    assert isinstance(version, str) and VERSION.match(version), (
        f'{answered}; expected {{"version": "..."}} with what SELECT VERSION() '
        "gives, a text that starts like 8.4.2"
    )
