"""`sesguard-pre-commit`: the entry of the hooks in .pre-commit-hooks.yaml.

pre-commit installs a hook's package with its dependencies into an environment of its own, but
the embedded OPA (opa-golib-python-bindings) must be installed with ``--no-deps
--ignore-requires-python`` (its metadata asks for Python 3.14; the ctypes wrapper runs on 3.11),
which a hook's ``additional_dependencies`` cannot say. So the first run installs that pinned
engine into the hook's environment with the environment's own pip; later runs find it and go
straight to ``sesguard`` with the hook's arguments.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Sequence

from sesguard.engine import install

ENGINE = install.PACKAGE
ENGINE_MODULE = "opa_bindings"


def ensure_engine() -> None:
    if importlib.util.find_spec(ENGINE_MODULE) is not None:
        return
    print(f"sesguard-pre-commit: installing the embedded OPA engine ({ENGINE}) into the hook environment")
    # The hook runs in the user's repository: pip in isolated mode, the engine pinned by hash.
    command = install.pip_command(sys.executable, "-q")
    if subprocess.run(command, check=False).returncode != 0:
        raise SystemExit(f"sesguard-pre-commit: could not install {ENGINE} (pip failed; see above)")
    importlib.invalidate_caches()


def main(argv: Sequence[str] | None = None) -> int:
    ensure_engine()
    from sesguard import cli

    return cli.main(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
