"""An input OPA cannot evaluate in the memory available is exit 2 naming its size, not a Go crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from sesguard import cli
from sesguard.engine import memory

DOC = Path(__file__).resolve().parent / "fixtures" / "compliant_stack.json"


def test_a_document_too_big_for_the_memory_left_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the bound OPA runs out of memory inside Go: a fatal error, a goroutine dump, exit 134."""
    monkeypatch.setattr(memory, "available", lambda: 16 * 1024)
    code = cli.main(["check", "--document", str(DOC), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1, err
    assert "MB as OPA reads it; evaluating it needs about" in err and "0.0 MB of memory is available" in err


def test_a_document_that_fits_is_judged(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(memory, "available", lambda: 64 * 1024 * 1024)
    assert cli.main(["check", "--document", str(DOC), "--format", "json"]) == 0
    capsys.readouterr()
