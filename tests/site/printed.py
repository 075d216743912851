"""The commands the READMEs and the chapters of this team print.

They are read from the `bash` blocks of the pages, so a new command on a page
is checked without a change to the tests.
"""

import re
import shlex
import subprocess
from functools import cache
from pathlib import Path

from tests.serving import ROOT

# Every page a reader meets: the READMEs and the site's pages. The folders
# under docs/ hold included files, hooks and generated tables, not pages.
PAGES = [
    "README.md",
    *sorted(str(readme.relative_to(ROOT)) for readme in ROOT.glob("part*/README.md")),
    *sorted(str(page.relative_to(ROOT)) for page in ROOT.glob("docs/*.md")),
]
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```bash\b[^\n]*\n(?P<body>.*?)^(?P=indent)```$", re.M | re.S
)
SNIPPET = re.compile(r'^--8<-- "(?P<path>[^"]+)"$')
SERVER = re.compile(r"^(uvicorn|fastapi) ")
MAKE_RUN = re.compile(r"^make run PART=(?P<part>[1-6])( PORT=(?P<port>\d+))?$")
MAKE_OTHER = re.compile(
    r"^make (?P<target>install|test|lint|docs)( PORT=(?P<port>\d+))?$"
)
# The exercises: check them, see the solutions applied, start over.
EXERCISE = re.compile(r"^make exercise PART=(?P<part>[1-6])$")
APPLY_SOLUTIONS = re.compile(r"^git apply solutions/(?P<part>part\d_[a-z]+)/\*\.diff$")
RESET_PART = re.compile(r"^git checkout -- (?P<part>part\d_[a-z]+)$")
# Part 5's stream client, run against the app by tests/part5_llm.
STREAM_CLIENT = re.compile(r"^python -m part5_llm\.stream_client ")
# Part 6: the ingest command, run by tests/part6_rag/test_examples.py; the
# migrations `make run PART=6` applies; a Qdrant server, which cannot run here
# (no Docker engine), and the setting that points the app at it.
INGEST = re.compile(r"^python -m part6_rag\.ingest \S+$")
MIGRATE = re.compile(r"^alembic (?P<arguments>.+)$")
QDRANT_SERVER = re.compile(r"^docker run -p (?P<port>\d+):6333 qdrant/qdrant$")
WITH_QDRANT_URL = re.compile(r"^QDRANT_URL=(?P<url>\S+) (?P<command>.+)$")
# A curl outside the chapters' examples: one of the examples, word for word.
CURL = re.compile(r"^curl ")
# A server command with a model provider's settings before it (Ollama, OpenAI:
# neither is reachable here, so the settings are checked, and the command).
WITH_LLM_SETTINGS = re.compile(
    r"^(?P<settings>(LLM_[A-Z_]+=\S+ )+)(?P<command>(uvicorn|fastapi) .+)$"
)
PYTEST = re.compile(r"^(UPDATE_(EXAMPLES|SNAPSHOTS)=1 )?pytest (?P<path>tests/\S+)$")
# Commands for a database server that cannot run here (no Docker engine; tests
# never log in as the database's root): their files are checked instead.
COMPOSE = re.compile(r"^docker compose -f (?P<file>\S+) (up -d|ps|stop|start)$")
# The provisioning script, with or without sudo, through MariaDB's or MySQL's client.
PROVISION = re.compile(r"^(sudo )?(mariadb|mysql) < (?P<script>\S+)$")
# Stopping and starting a database server installed on the machine.
SERVICE = re.compile(
    r"^(sudo systemctl (?P<systemd>stop|start) (?P<unit>\S+)"
    r"|brew services (?P<brew>stop|start) (?P<formula>\S+)"
    r"|service (?P<initscript>\S+) (?P<sysv>stop|start))$"
)
ACTIVATE = ". .venv/bin/activate"
PLAIN_PIP = f'python3 -m venv .venv && {ACTIVATE} && pip install -e ".[dev]"'


def printed_commands(page: str) -> list[str]:
    """The commands of a page's bash blocks, continuation lines joined."""
    commands = []
    for block in FENCE.finditer((ROOT / page).read_text()):
        body = block["body"].replace("\\\n", " ")
        for line in body.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                commands.append(re.sub(r"\s+", " ", line))
    return commands


def ingest_command() -> str:
    """The ingest command of Part 6's chapter: the one its replay runs."""
    [command] = [c for c in printed_commands("docs/part6.md") if INGEST.match(c)]
    return command


ALL_COMMANDS = sorted({command for page in PAGES for command in printed_commands(page)})


@cache
def make_dry_run(*arguments: str) -> list[str]:
    """The recipe lines make would run, without running them."""
    completed = subprocess.run(
        ["make", "--no-print-directory", "-n", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.splitlines()


def server_command(command: str) -> str | None:
    """The uvicorn or fastapi command a printed command starts, if any."""
    if SERVER.match(command):
        return command
    if run := MAKE_RUN.match(command):
        # `make run` serves with the virtual environment's uvicorn on port
        # 8000; the test runs that same command on a free port instead.
        port = run["port"] or "8000"
        recipe = shlex.split(
            make_dry_run("run", f"PART={run['part']}", f"PORT={port}")[-1]
        )
        assert Path(recipe[0]) == Path(".venv/bin/uvicorn"), recipe
        assert recipe[-4:] == ["--host", "127.0.0.1", "--port", port], recipe
        return shlex.join(["uvicorn", *recipe[1:-4]])
    return None


# `make run PART=1` and `uvicorn part1_hello.main:app --reload` start the same
# server: each distinct one is started once.
SERVER_COMMANDS = sorted(
    {started for command in ALL_COMMANDS if (started := server_command(command))}
)
