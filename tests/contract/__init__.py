"""What every prompt-library chapter promises alike, collected by each one.

The asserts here run inside each chapter's tests; registered before the
modules load, they fail with pytest's full explanation, as in a test file.
"""

import pytest

pytest.register_assert_rewrite(
    "tests.contract.fuzz",
    "tests.contract.fuzzing",
    "tests.contract.helpers",
    "tests.contract.prompt_contract",
)
