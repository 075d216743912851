"""Part 3: each mistake in a body is one entry in the 422's `detail`."""

from tests.contract.validation_errors import *  # noqa: F403
