"""The one table of ``do-platform`` exit codes: every command exits through these names.

A condition has one code whichever command meets it (a token the API rejects is ``TOKEN_REJECTED`` in
preflight as in status or registry cleanup). The README's and docs/operations.md's exit-code tables are
:func:`markdown_table` (a test compares them), so the docs cannot drift from the code.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    ERROR = 1  # bad input (stack name, config key, flag value), API unreachable or failing after retries
    USAGE = 2  # unknown option or missing argument (typer/click's own code)
    CHECKS_FAILED = 3  # a check failed: preflight, unhealthy status, mandatory guardrail, price drift, cost limit
    NOT_DEPLOYED = 4  # the stack has never been deployed: nothing of it exists in the account
    TOKEN_REJECTED = 5  # the API answered 401 to the token
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)


MEANING: dict[ExitCode, str] = {
    ExitCode.OK: "success: every check passed (warnings allowed), every resource healthy, the operation done",
    ExitCode.ERROR: "bad input (stack name, unknown stack, config key, flag value, missing token), the API "
                    "unreachable or failing after retries, or an operation that failed (a garbage collection "
                    "that did not succeed)",
    ExitCode.USAGE: "usage error: unknown option, missing or malformed argument",
    ExitCode.CHECKS_FAILED: "checks failed: a preflight check, a missing or unhealthy resource (`status`), a "
                            "mandatory guardrail or a monthly cost increase above the limit (`plan`), price "
                            "drift (`prices check`)",
    ExitCode.NOT_DEPLOYED: "`status`: the stack has never been deployed (no project, no resource with its tag)",
    ExitCode.TOKEN_REJECTED: "the API rejected the token (401), in every command that calls the API",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C); `registry cleanup` prints what it already deleted and the "
                          "command that resumes",
}


def markdown_table() -> str:
    """The docs' table, generated from :data:`MEANING`."""
    rows = ["| exit code | meaning |", "|---|---|"]
    rows += [f"| {code.value} | {MEANING[code]} |" for code in ExitCode]
    return "\n".join(rows) + "\n"
