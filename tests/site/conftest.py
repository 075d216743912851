from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.serving import ROOT
from tests.site.printed import SERVER_COMMANDS
from tests.site.servers import NEED_MYSQL, PARTS, Servers, docs_command, part_of


@pytest.fixture(scope="package")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with ExitStack() as stack:
        servers = Servers(stack, tmp_path_factory.mktemp("storage"))
        # Everything that needs no database server starts now, in parallel;
        # Parts 4 and 5 start when a test asks, so that they can skip alone.
        commands = [*SERVER_COMMANDS, *map(docs_command, PARTS)]
        for command in commands:
            part = part_of(command)
            if part not in NEED_MYSQL and (ROOT / part / "main.py").is_file():
                servers.start(command)
        yield servers


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """One process: a second worker would start a second browser and second
    servers, and make the run slower, not faster."""
    config.option.numprocesses = 0
