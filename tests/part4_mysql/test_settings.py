"""Configuration: environment variables, a `.env` file, and files that agree."""

import re
from pathlib import Path

import pytest
import yaml
from dotenv import dotenv_values
from sqlalchemy import make_url

from part4_mysql.settings import Settings
from tests.part4_mysql.databases import server_environment

ROOT = Path(__file__).resolve().parents[2]
PART = ROOT / "part4_mysql"
VARIABLES = [
    "MYSQL_HOST",
    "MYSQL_PORT",
    "MYSQL_USER",
    "MYSQL_PASSWORD",
    "MYSQL_DATABASE",
]


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No MYSQL_* variables and an empty working directory (so no `.env`)."""
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_settings_come_from_environment_variables(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MYSQL_HOST", "db.internal")
    monkeypatch.setenv("MYSQL_PORT", "3307")
    monkeypatch.setenv("MYSQL_USER", "app")
    monkeypatch.setenv("MYSQL_PASSWORD", "s3cret")
    monkeypatch.setenv("MYSQL_DATABASE", "prompts")
    settings = Settings()
    assert (settings.host, settings.port, settings.user, settings.database) == (
        "db.internal",
        3307,
        "app",
        "prompts",
    )
    assert settings.password.get_secret_value() == "s3cret"


def test_settings_come_from_a_dotenv_file(clean_environment: Path) -> None:
    (clean_environment / ".env").write_text("MYSQL_HOST=from-file\nMYSQL_PORT=3310\n")
    settings = Settings()
    assert (settings.host, settings.port) == ("from-file", 3310)


def test_environment_wins_over_the_dotenv_file(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_environment / ".env").write_text("MYSQL_HOST=from-file\n")
    monkeypatch.setenv("MYSQL_HOST", "from-environment")
    assert Settings().host == "from-environment"


def test_a_port_that_is_not_a_port_is_refused(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MYSQL_PORT", "99999")
    with pytest.raises(ValueError, match="port"):
        Settings()


def test_password_with_special_characters_survives_the_url(
    clean_environment: Path,
) -> None:
    password = "p@ss:w/rd%?#&"
    url = Settings(password=password).database_url()
    # The text form that SQLAlchemy would parse back, then the parts it finds.
    parsed = make_url(url.render_as_string(hide_password=False))
    assert (parsed.password, parsed.host, parsed.port) == (password, "127.0.0.1", 3306)


def test_password_stays_out_of_logs(clean_environment: Path) -> None:
    settings = Settings()
    assert "tutorial-dev-only" not in repr(settings)
    assert "tutorial-dev-only" not in str(settings.database_url())


def defaults() -> dict[str, str]:
    """The settings' defaults, as the MYSQL_* variables that would set them."""
    return server_environment(Settings.model_construct())


def test_env_example_matches_the_settings_defaults() -> None:
    assert dotenv_values(PART / ".env.example") == defaults()


def test_compose_file_creates_the_same_account_and_database() -> None:
    compose = yaml.safe_load((PART / "compose.yaml").read_text())
    mysql = compose["services"]["mysql"]
    expected = defaults()
    assert mysql["image"].startswith("mysql:8")
    assert {
        k: mysql["environment"][k]
        for k in ["MYSQL_USER", "MYSQL_PASSWORD", "MYSQL_DATABASE"]
    } == {k: expected[k] for k in ["MYSQL_USER", "MYSQL_PASSWORD", "MYSQL_DATABASE"]}
    assert mysql["ports"] == [f"127.0.0.1:{expected['MYSQL_PORT']}:3306"]
    assert "./mysql-init:/docker-entrypoint-initdb.d:ro" in mysql["volumes"]


def grants(sql: str) -> set[tuple[str, str]]:
    """(database pattern, user) for each GRANT ALL in an SQL script."""
    return set(re.findall(r"GRANT ALL PRIVILEGES ON (\S+) TO '(\w+)'", sql))


def test_provisioning_and_compose_grant_the_same_databases() -> None:
    expected = defaults()
    provisioning = (ROOT / ".ci" / "provision-mysql.sql").read_text()
    compose_init = (PART / "mysql-init" / "grant-test-databases.sql").read_text()
    # The image grants MYSQL_DATABASE itself; the script grants the rest.
    own_database = (f"{expected['MYSQL_DATABASE']}.*", expected["MYSQL_USER"])
    assert grants(provisioning) == grants(compose_init) | {own_database}
    assert (r"`prompt\_library\_test\_%`.*", expected["MYSQL_USER"]) in grants(
        compose_init
    )
    assert f"IDENTIFIED BY '{expected['MYSQL_PASSWORD']}'" in provisioning
