"""Where the database, the model, the embeddings and the vectors live.

`Settings` is Part 5's, with a database of its own (`prompt_library_part6`),
so that Part 5's stays as its chapter left it. `LLMSettings` is Part 5's
with the model of `/ask`. New: `EmbeddingSettings` and `QdrantSettings`.
"""

from typing import Annotated

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import URL

from .models import DEFAULT_MODEL


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
    database: str = "prompt_library_part6"  # each MySQL part has its own

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

    # The model of a run made without a library prompt (POST /ask).
    model: str = DEFAULT_MODEL


class EmbeddingSettings(BaseSettings):
    """Which OpenAI-compatible /embeddings API turns text into vectors.

    EMBEDDING_BASE_URL and EMBEDDING_API_KEY, when unset, take the values of
    LLM_BASE_URL and LLM_API_KEY: one provider often serves both.
    """

    model_config = SettingsConfigDict(
        env_prefix="EMBEDDING_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    base_url: str | None = None
    api_key: SecretStr | None = None
    model: Annotated[str, Field(min_length=1, max_length=200)] = "multilingual-e5-small"
    timeout_s: Annotated[float, Field(gt=0, le=3600)] = 60.0
    max_retries: Annotated[int, Field(ge=0, le=10)] = 2
    # Chunks per call to the API: one call for 32 chunks costs about as much
    # network and overhead as one call for one.
    batch_size: Annotated[int, Field(ge=1, le=2048)] = 32
    # E5 models are trained with these prefixes; set both to "" for OpenAI.
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "


class QdrantSettings(BaseSettings):
    """Where the vectors live: a Qdrant server (QDRANT_URL) or a local folder."""

    model_config = SettingsConfigDict(
        env_prefix="QDRANT_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    url: str | None = None
    api_key: SecretStr | None = None
    # Embedded local mode, used when url is unset: one process at a time.
    path: str = ".qdrant"
    collection: Annotated[str, Field(min_length=1, max_length=200)] = "chunks"
    timeout_s: Annotated[float, Field(gt=0, le=3600)] = 5.0
