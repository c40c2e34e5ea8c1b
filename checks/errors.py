"""The one error type the command line turns into exit code 2 and a single line on stderr."""


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
