"""The one error type the command line turns into exit code 2 and a single line on stderr."""

import re

# C0 and C1 controls, DEL, and the Unicode line/paragraph separators: none may reach a terminal or
# a CI log raw. A newline followed by `::error ...` or `::stop-commands::` would otherwise become
# a GitHub Actions workflow command; an escape sequence would rewrite the terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def warn(message: str) -> None:
    """A warning on stderr, one escaped line: the run goes on."""
    import sys

    print(one_line(f"sesguard: warning: {message}"), file=sys.stderr)


def one_line(text: str) -> str:
    """``text`` as one printable line: control characters shown as ``\\n``, ``\\x1b``, ``\\u2028``,
    and nothing a CI runner takes for a workflow command (sesguard/outputline.py)."""
    from sesguard.outputline import inert

    return inert(_CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text))


class SesguardError(Exception):
    """Bad input, an unreadable source, an engine or network failure: never a pass.

    The message is the whole line the user sees, so it names the file or endpoint and the problem.
    """


class InputError(SesguardError):
    """A source could not read its input (file, place in the file, problem)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


class EngineError(SesguardError):
    """The policy engine failed or could not be reached."""


class PolicyError(EngineError):
    """OPA refused the policies themselves: a module that does not parse or does not compile.

    Apart from other engine failures (a missing engine, an evaluation error) so that only this is
    reported as "Rego does not compile".
    """
