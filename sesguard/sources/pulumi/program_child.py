"""The mock run inside a project's own virtualenv (started by ``program_venv``).

Reads the run's request as JSON on stdin; writes ``{"resources", "outputs"}`` or ``{"error"}`` as
one JSON line on the real stdout, after pointing the program's own stdout at stderr.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main() -> int:
    request = json.load(sys.stdin)
    answer_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    from sesguard.errors import SesguardError
    from sesguard.sources.pulumi import program

    # The link folder sesguard was imported from leaves sys.path before the program runs; what
    # sesguard's own code still imports is found through the package's __path__ (program_hide).
    if sys.argv[1:] and sys.argv[1] in sys.path:
        sys.path.remove(sys.argv[1])

    try:
        recorder = program._run_program(
            Path(request["main"]),
            request["project"],
            request["stack"],
            request["config"],
            request["secretKeys"],
            Path(request["root"]) if request.get("root") else None,
        )
        answer: dict = {"resources": recorder.resources, "outputs": recorder.outputs}
        code = 0
    except SesguardError as exc:
        answer, code = {"error": str(exc)}, 0
    except ModuleNotFoundError as exc:  # the parent adds how to install the program's dependencies
        answer, code = {"error": f"program failed: {exc}", "missing": exc.name or ""}, 0
    except BaseException as exc:  # one line for the parent, never a traceback
        answer, code = {"error": f"program failed: {type(exc).__name__}: {exc}"}, 0
    with os.fdopen(answer_fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(answer) + "\n")
    return code
