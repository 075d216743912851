"""Part 4 under generated and hostile requests: never a 5xx."""

from tests.contract.fuzz import *  # noqa: F403
