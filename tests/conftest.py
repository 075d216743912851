"""Checks shared by every chapter's tests."""

import os
from collections.abc import Iterator

import pytest

# Each defines SQLModel's table `prompt`; one Python process can hold only one.
ONE_PER_PROCESS = ("tests/part3_sqlite", "tests/part4_mysql", "tests/part5_llm")


def pytest_configure(config: pytest.Config) -> None:
    here = config.invocation_params.dir
    targets = [(here / arg.split("::")[0]).resolve() for arg in config.args]
    chapters = [config.rootpath / chapter for chapter in ONE_PER_PROCESS]
    chosen = [
        chapter
        for chapter in chapters
        if any(
            chapter.is_relative_to(target) or target.is_relative_to(chapter)
            for target in targets
        )
    ]
    if len(chosen) > 1:
        raise pytest.UsageError(
            "Parts 3 and 4 cannot be tested in one pytest run: both define the "
            "table `prompt`. Test one chapter at a time (pytest tests/part3_sqlite),"
            " or every chapter with: make test"
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Iterator[None]:
    """Under CI=true a skip is a failure: CI has every server and tool."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else ""
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where nothing may skip: {reason}"
