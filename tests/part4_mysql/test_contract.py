"""Part 4 against the prompt library contract shared by Parts 2, 3 and 4."""

from tests.contract.prompt_contract import *  # noqa: F403
