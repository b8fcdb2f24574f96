"""Suite-wide policy: in CI (``CI`` set), a skipped test is a failure, except skips no CI machine can avoid.

Real-server and real-model tests skip with a reason when a part is missing on a developer's machine; in CI every
part is installed by ``make test`` (``.ci/setup.d``), so a skip there means lost coverage and must not pass silently.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

# Skips that are expected on every CI machine of this project, matched against the skip reason.
ALLOWED_CI_SKIPS = ("no Docker engine runs on these machines",)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def _allowed(reason: str) -> bool:
    return any(allowed in reason for allowed in ALLOWED_CI_SKIPS)


def _skip_reason(report: Any) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if _in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = _skip_reason(report)
        if not _allowed(reason):
            report.outcome = "failed"
            report.longrepr = f"skipped in CI, which must run every test: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if _in_ci() and report.skipped:
        reason = _skip_reason(report)
        if not _allowed(reason):
            report.outcome = "failed"
            report.longrepr = f"module skipped in CI, which must run every test: {reason}"
