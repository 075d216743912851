"""Where the database and the model provider live, read from the environment.

`Settings` is Part 4's, unchanged: the variable names are the ones the
official MySQL container uses, and the defaults are development values.
`LLMSettings` says which OpenAI-compatible API answers, and how patiently.
"""

from typing import Annotated

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import URL


class Settings(BaseSettings):
    # MYSQL_HOST fills `host`, MYSQL_PORT fills `port`, and so on. A real
    # environment variable wins over the same name in `.env`.
    model_config = SettingsConfigDict(
        env_prefix="MYSQL_", env_file=".env", extra="ignore"
    )

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65_535)] = 3306
    user: str = "tutorial"
    password: SecretStr = SecretStr("tutorial-dev-only")  # prints as **********
    database: str = "prompt_library_part5"  # each MySQL part has its own

    def database_url(self) -> URL:
        # URL.create escapes each part, so a password such as "p@ss:w/rd"
        # cannot be mistaken for the host or the port.
        return URL.create(
            "mysql+pymysql",
            username=self.user,
            password=self.password.get_secret_value(),
            host=self.host,
            port=self.port,
            database=self.database,
        )


class LLMSettings(BaseSettings):
    # LLM_BASE_URL fills `base_url`, LLM_API_KEY fills `api_key`, and so on;
    # a variable set to "" counts as not set.
    model_config = SettingsConfigDict(
        env_prefix="LLM_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    # None: no provider configured, so the app starts its fake one (offline).
    base_url: str | None = None
    # SecretStr prints as '**********': it cannot reach a log by accident.
    # Ollama and the fake take any key, but the SDK insists on having one.
    api_key: SecretStr = SecretStr("no-key")
    # How long to wait for the provider to start answering, and for each
    # silence inside a stream.
    timeout_s: Annotated[float, Field(gt=0, le=3600)] = 60.0
    # Retries on 429, 5xx and lost connections, with backoff and Retry-After.
    max_retries: Annotated[int, Field(ge=0, le=10)] = 2
