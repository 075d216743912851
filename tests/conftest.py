"""Checks shared by every chapter's tests."""

import os
from collections.abc import Iterator

import pytest

# Each defines SQLModel's table `prompt`; one Python process can hold only one.
ONE_PER_PROCESS = (
    "tests/part3_sqlite",
    "tests/part4_mysql",
    "tests/part5_llm",
    "tests/part6_rag",
)


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
    """One summary line per reason a chapter skips; under CI=true, a failure.

    A fixture that skips (no MySQL server, no Chromium) skips every test that
    uses it: reported under the chapter's folder, they fold into one line.
    """
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else ""
    if os.environ.get("CI"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where nothing may skip: {reason}"
    elif report.when == "setup":
        chapter = item.path.parent.relative_to(item.config.rootpath)
        report.longrepr = (str(chapter), None, reason)  # type: ignore[assignment]
