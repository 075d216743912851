"""Part 5 against the prompt library contract shared by Parts 2 to 5."""

from tests.contract.prompt_contract import *  # noqa: F403
