"""Where the database lives, read from the environment and a `.env` file.

The variable names are the ones the official MySQL container uses, so one
`.env` file can describe both the server and the app. The defaults are the
development values of `compose.yaml` and `.env.example`: fine on your laptop,
never in production.
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
    # Printed or logged, a SecretStr shows as **********.
    password: SecretStr = SecretStr("tutorial-dev-only")
    database: str = "prompt_library"

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
