from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.serving import ROOT
from tests.site.printed import SERVER_COMMANDS
from tests.site.servers import PARTS, Servers, docs_command, part_of


@pytest.fixture(scope="package")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with ExitStack() as stack:
        servers = Servers(stack, tmp_path_factory.mktemp("storage"))
        # Everything that needs no database server starts now, in parallel;
        # Part 4 starts when a test asks, so that it can skip on its own.
        commands = [*SERVER_COMMANDS, *map(docs_command, PARTS)]
        for command in commands:
            part = part_of(command)
            if part != "part4_mysql" and (ROOT / part / "main.py").is_file():
                servers.start(command)
        yield servers
