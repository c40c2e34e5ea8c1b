"""Findings of the pack before and after a Rego rewrite, compared on every stack document we have.

    .venv/bin/python -m bench.rego.equivalence [--base REF]

The old pack is `policies/` at REF (default: the merge base of HEAD and main), extracted with
`git archive` into a temporary folder; the new pack is the working tree's `policies/`. Both are
evaluated by the embedded engine (`data.sesguard.findings` through EmbeddedEngine.evaluate, so the
projection and the findings' Python shape are the real ones) over:

- tests/engine_corpus.py's corpus (hand-made stacks, the fixture documents and their broken variants);
- the mutation suite: every mutation of tests/mutations.py applied to the prod stack run under mocks;
- the wrong-type table: every case of tests/wrong_types.py applied to tests/fixtures/compliant_stack.json;
- every file under tests/fixtures/** that a source reads as a stack document (document, state,
  preview, Terraform, CloudFormation);
- bench/generate.py's documents at 10 and 1,000 domains.

Prints one line per difference and a summary; exits 1 when any document's findings differ.

    .venv/bin/python -m bench.rego.equivalence --split [--sizes 10,1000,10000]

compares instead, with the working tree's pack, one evaluation of each document with its
evaluation in groups (sesguard/engine/groups.py, forced: one group per batch; the generated
documents of ``--sizes`` domains in batches of the engine's budget).
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))


def _old_policies(ref: str, into: Path) -> Path:
    archive = ["git", "archive", ref, "policies"]
    data = subprocess.run(archive, cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "policies"


def _fixture_documents() -> Iterator[tuple[str, dict[str, Any]]]:
    from sesguard.sources import document
    from sesguard.sources.cloudformation import inputs as cloudformation
    from sesguard.sources.pulumi import preview, state
    from sesguard.sources.terraform import plan as terraform

    for path in sorted((ROOT / "tests" / "fixtures").rglob("*")):
        if not path.is_file() or path.suffix not in {".json", ".yaml", ".yml", ".template", ".tf"}:
            continue
        for name, loader in (
            ("document", document.load),
            ("state", state.load),
            ("preview", preview.load),
            ("terraform", terraform.load),
            ("cloudformation", cloudformation.load),
        ):
            # Only the Terraform and CloudFormation fixtures go to those sources: tests/fixtures/bad
            # holds hostile files (a 100,000-deep document) that crash cfn-lint's YAML reader.
            if name in {"terraform", "cloudformation"} and name not in path.parts:
                continue
            try:
                doc = loader(path)
            except Exception:  # a file no source reads is simply not a document
                continue
            yield f"{path.relative_to(ROOT)} ({name})", doc
            break


def documents() -> Iterator[tuple[str, dict[str, Any]]]:
    import engine_corpus
    import mutations
    import wrong_types

    from bench import generate
    from sesguard.sources.pulumi.program import run_stack

    for i, doc in enumerate(engine_corpus.corpus()):
        yield f"corpus[{i}] {doc.get('stack')}", doc
    prod = run_stack("prod", root=ROOT)
    yield "program prod", prod
    for m in mutations.MUTATIONS:
        doc = copy.deepcopy(prod)
        m.apply(doc)
        yield f"mutation {m.id}", doc
    compliant = json.loads((ROOT / "tests" / "fixtures" / "compliant_stack.json").read_text("utf-8"))
    for case in wrong_types.cases(compliant):
        doc = copy.deepcopy(compliant)
        wrong_types.apply(doc, case)
        yield f"wrong type {case.id}", doc
    yield from _fixture_documents()
    for n in (10, 1000):
        yield f"generated {n} domains", generate.document(n)


def _raw(engine: Any, doc: dict[str, Any]) -> list[str]:
    """OPA's own answer (every field of every finding), before the engine's Python conversion."""
    from sesguard.engine import QUERY_PATH
    from sesguard.engine.projection import project

    answer = engine.document(QUERY_PATH, project(doc, engine._types)) or []
    return sorted(json.dumps(f, sort_keys=True) for f in answer)


def _split_main(sizes: list[int]) -> int:
    from bench import generate
    from sesguard import policyset
    from sesguard.engine.embedded import EmbeddedEngine
    from sesguard.errors import EngineError

    engine = EmbeddedEngine(policyset.load(ROOT / "policies"))
    total = differ = split = 0

    def judged(doc: dict[str, Any], threshold: int, budget: int) -> Any:
        engine.split_threshold, engine.split_budget = threshold, budget
        try:
            parts = engine.encode_parts(copy.deepcopy(doc))
            return engine.evaluate_parts(parts), len(parts)
        except EngineError:
            return "EngineError", 0

    labelled = [(label, doc, 1) for label, doc in documents() if not label.startswith("generated")]
    generated = [(f"generated {n} domains", generate.document(n), 2000) for n in sizes]
    for label, doc, budget in labelled + generated:
        total += 1
        whole, _ = judged(doc, 1 << 60, budget)
        parts, batches = judged(doc, 0, budget)
        split += batches > 1
        if whole != parts:
            differ += 1
            print(f"DIFFERENT {label}")
    engine.close()
    print(f"{total} documents ({split} of them split) judged whole and in groups; {differ} differ")
    return 1 if differ else 0


def main() -> int:
    from sesguard import policyset
    from sesguard.engine.embedded import EmbeddedEngine
    from sesguard.errors import EngineError

    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default=None, help="git ref of the old pack (default: the merge base)")
    parser.add_argument("--split", action="store_true", help="compare whole and split evaluations")
    parser.add_argument("--sizes", default="10,1000,10000", help="generated documents for --split")
    args = parser.parse_args()
    if args.split:
        return _split_main([int(n) for n in args.sizes.split(",")])
    base = (
        args.base
        or subprocess.run(
            ["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    with tempfile.TemporaryDirectory() as tmp:
        old = EmbeddedEngine(policyset.load(_old_policies(base, Path(tmp))))
        new = EmbeddedEngine(policyset.load(ROOT / "policies"))
        total = differ = findings = 0
        fixed: list[str] = []
        for label, doc in documents():
            total += 1
            try:
                a = _raw(old, doc)
            except EngineError as exc:
                # The old pack stopped on this document (exit 2 for the user): the new one may
                # judge it, and that is a fix to list, not a difference in findings.
                _raw(new, doc)
                fixed.append(f"{label}: the old pack stopped ({str(exc)[-120:]})")
                continue
            b = _raw(new, doc)
            findings += len(a)
            if a != b:
                differ += 1
                print(f"DIFFERENT {label}:")
                for line in sorted(set(a) - set(b)):
                    print(f"  only old: {line[:300]}")
                for line in sorted(set(b) - set(a)):
                    print(f"  only new: {line[:300]}")
        old.close()
        new.close()
    for line in fixed:
        print(f"JUDGED NOW {line}")
    print(
        f"{total} documents, {findings} findings with the old pack ({base[:12]}); {differ} differ"
        + (f"; {len(fixed)} the old pack could not evaluate, judged now" if fixed else "")
    )
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
