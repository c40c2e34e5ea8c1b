"""The Pulumi project a command judges: its Pulumi.yaml and its Pulumi.<stack>.yaml files.

Found in the current directory (or ``--root DIR``), never anywhere else: sesguard must not judge a
project the user did not point it at. Read as the Pulumi CLI reads them: ``name``; ``runtime`` as
a string or ``{name, options}`` (``options.virtualenv`` relative to the project, ``options.toolchain``
pip, uv or poetry); ``main`` (the
program's folder, default the project's); ``stackConfigDir`` (default: stack files beside
Pulumi.yaml). A config key without a namespace belongs to the project.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sesguard import languages
from sesguard.document import SECRET
from sesguard.errors import InputError, SesguardError
from sesguard.sources.common.reading import decode_text

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
TOOLCHAINS = ("pip", "uv", "poetry")  # Pulumi's Python toolchains


@dataclass(frozen=True)
class Project:
    root: Path
    file: Path
    name: str
    runtime: str
    virtualenv: Path | None
    main: Path
    stack_dir: Path
    # runtime.options as written (nodejs reads typescript, tsconfig, nodeargs); `main` as written.
    options: dict[str, Any] = field(default_factory=dict, hash=False)
    main_given: str | None = None
    toolchain: str = "pip"
    virtualenv_option: str | None = None  # as written in Pulumi.yaml, for messages

    @property
    def language(self) -> str | None:
        return languages.of_runtime(self.runtime)

    def stack_file(self, stack: str) -> Path:
        return self.stack_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        """Stack names with a Pulumi.<name>.yaml, sorted."""
        if not self.stack_dir.is_dir():
            return []
        return sorted(
            p.name[len("Pulumi.") : -len(".yaml")]
            for p in self.stack_dir.glob("Pulumi.*.yaml")
            if p.is_file()
        )

    def relative(self, path: Path) -> str:
        """A path as reports show it: relative to the project when inside it."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def qualify(self, config: dict[Any, Any]) -> dict[str, Any]:
        """Config keys fully qualified: a key without a namespace is the project's."""
        return {(str(k) if ":" in str(k) else f"{self.name}:{k}"): v for k, v in config.items()}

    def preview_command(self, stack: str | None) -> str:
        where = "" if self.root == Path.cwd().resolve() else f" --cwd {shlex.quote(str(self.root))}"
        name = shlex.quote(stack or "<stack>")
        return f"pulumi preview{where} --json --stack {name} | sesguard check --preview -"


def find(root: Path | str | None = None) -> Project:
    """The project in ``root`` (default: the current directory); exit 2 when there is none."""
    folder = Path(root if root is not None else Path.cwd()).resolve()
    if not folder.is_dir():
        raise InputError(str(folder), "not a directory")
    for name in PROJECT_FILES:
        if (folder / name).is_file():
            return _read(folder, folder / name)
    raise InputError(
        str(folder),
        "no Pulumi.yaml: run sesguard in a Pulumi project (or --root DIR), or judge a file with "
        "--preview, --state, --terraform (terraform show -json output), --cloudformation (a template "
        "or cdk.out) or --document",
    )


def find_optional(root: Path | str | None = None) -> Project | None:
    folder = Path(root if root is not None else Path.cwd())
    if not any((folder / name).is_file() for name in PROJECT_FILES):
        return None
    return find(folder)


def _read(folder: Path, file: Path) -> Project:
    data = load_yaml(file)
    if not isinstance(data, dict):
        raise InputError(str(file), "expected a mapping (name, runtime)")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(str(file), "`name` must be the project's name")
    runtime, options = _runtime(file, data.get("runtime"))
    virtualenv = options.get("virtualenv")
    if virtualenv is not None and not isinstance(virtualenv, str):
        raise InputError(str(file), "runtime.options.virtualenv must be a path")
    toolchain = options.get("toolchain", "pip")
    if toolchain not in TOOLCHAINS:
        raise InputError(str(file), f"runtime.options.toolchain must be one of {', '.join(TOOLCHAINS)}")
    main = data.get("main", ".")
    if not isinstance(main, str):
        raise InputError(str(file), "`main` must be a path")
    stack_dir = data.get("stackConfigDir", ".")
    if not isinstance(stack_dir, str):
        raise InputError(str(file), "`stackConfigDir` must be a path")
    return Project(
        root=folder,
        file=file,
        name=name.strip(),
        runtime=runtime,
        virtualenv=(folder / virtualenv).absolute() if virtualenv else None,
        main=(folder / main).resolve(),
        stack_dir=(folder / stack_dir).resolve(),
        options=dict(options),
        main_given=data.get("main"),
        toolchain=toolchain,
        virtualenv_option=virtualenv or None,
    )


def _runtime(file: Path, value: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(value, str) and value.strip():
        return value.strip().lower(), {}
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        options = value.get("options") or {}
        if not isinstance(options, dict):
            raise InputError(str(file), "runtime.options must be a mapping")
        return value["name"].strip().lower(), options
    raise InputError(str(file), "`runtime` must be a name (python, nodejs, go, ...) or {name, options}")


def load_yaml(path: Path) -> Any:
    """A Pulumi YAML file; unreadable or invalid is exit 2 naming the file (and line)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    text = decode_text(raw, str(path))  # UTF-16 and other encodings are named, not a traceback
    # PyYAML only once a file is read: a check of a state file outside any project never needs it.
    import yaml

    from sesguard import yamlio

    try:
        return yamlio.load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputError(where, f"not valid YAML: {problem}") from None


def redact_secure(value: Any) -> tuple[Any, bool]:
    """Replace `secure:` values with the secret marker; say whether there was one.

    A mapping holding `secure` beside other keys is still a secret: its ciphertext must not reach
    the program, the document or an error message.
    """
    if isinstance(value, dict):
        if "secure" in value:
            return SECRET, True
        found = False
        out = {}
        for k, v in value.items():
            out[k], hit = redact_secure(v)
            found = found or hit
        return out, found
    if isinstance(value, list):
        pairs = [redact_secure(v) for v in value]
        return [v for v, _ in pairs], any(h for _, h in pairs)
    return value, False


def stack_config(path: Path, project_name: str) -> dict[str, Any]:
    """A Pulumi.<stack>.yaml's `config:`, fully qualified; `secure:` values are left as they are."""
    data = load_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("config", {}), dict | None):
        raise InputError(str(path), "expected a mapping with a `config:` mapping")
    config = data.get("config") or {}
    return {(str(k) if ":" in str(k) else f"{project_name}:{k}"): v for k, v in config.items()}


# Runtimes whose programs sesguard runs under their own SDK's mocks.
MOCK_RUNTIMES = ("python", "nodejs")


def not_python(project: Project, stack: str | None, others: Sequence[str] = ()) -> SesguardError:
    """Python and Node.js programs run under mocks; any other runtime is judged from a preview, one
    per stack: ``others`` are the stacks after ``stack``, named too."""
    rest = [s for s in others if s != stack]
    likewise = f" (likewise --stack {', --stack '.join(shlex.quote(s) for s in rest)})" if rest else ""
    return SesguardError(
        f"{project.file}: runtime {project.runtime}: sesguard runs only Python and Node.js "
        f"(TypeScript, JavaScript) programs under mocks; judge each stack's preview instead: "
        f"{project.preview_command(stack)}{likewise}"
    )


def esc_environments(data: Any) -> list[str]:
    """The Pulumi ESC environments a stack file imports (its `environment:`), by name."""
    value = data.get("environment") if isinstance(data, dict) else None
    if isinstance(value, dict):  # the long form: {imports: [...]}
        value = value.get("imports")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [
            v if isinstance(v, str) else next(iter(v), "?") if isinstance(v, dict) else str(v) for v in value
        ]
    return []
