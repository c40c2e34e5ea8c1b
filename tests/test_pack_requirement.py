"""`sesguard pack init` pins the sesguard that is installed, as pip recorded it (PEP 610, issue 22).

The end to end proof (a pack written by the installed wheel installs in a fresh virtualenv and
answers over gRPC) is tests/test_installed.py; here each kind of direct_url.json pip writes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sesguard import packdir


class FakeDistribution:
    def __init__(self, direct_url: dict[str, Any] | None, version: str = "1.2.3") -> None:
        self.direct_url = direct_url
        self.version = version

    def read_text(self, name: str) -> str | None:
        assert name == "direct_url.json"
        return None if self.direct_url is None else json.dumps(self.direct_url)


@pytest.mark.parametrize(
    ("direct_url", "pin"),
    [
        (None, "sesguard==1.2.3"),  # from an index: its version
        (
            {
                "url": "https://github.com/acme/sesguard",
                "vcs_info": {"vcs": "git", "requested_revision": "main", "commit_id": "0123abcd" * 5},
            },
            "sesguard @ git+https://github.com/acme/sesguard@" + "0123abcd" * 5,
        ),
        (
            {
                "url": "file:///tmp/dist/sesguard-1.2.3-py3-none-any.whl",
                "archive_info": {"hash": "sha256=ab12"},
            },
            "sesguard @ file:///tmp/dist/sesguard-1.2.3-py3-none-any.whl#sha256=ab12",
        ),
        (
            {
                "url": "file:///tmp/x.whl",
                "archive_info": {"hash": "md5=0", "hashes": {"sha256": "cd34", "md5": "0"}},
            },
            "sesguard @ file:///tmp/x.whl#sha256=cd34",
        ),
        (
            {"url": "file:///home/me/sesguard", "dir_info": {"editable": True}},
            "sesguard @ file:///home/me/sesguard",
        ),
        (
            {
                "url": "https://github.com/acme/mono",
                "vcs_info": {"vcs": "git", "commit_id": "f" * 40},
                "subdirectory": "tools/sesguard",
            },
            "sesguard @ git+https://github.com/acme/mono@" + "f" * 40 + "#subdirectory=tools/sesguard",
        ),
    ],
)
def test_the_pin_is_what_pip_recorded(
    monkeypatch: pytest.MonkeyPatch, direct_url: dict[str, Any] | None, pin: str
) -> None:
    monkeypatch.setattr(packdir, "_installed", lambda: FakeDistribution(direct_url))
    assert packdir.requirement() == pin


def test_pack_init_writes_the_pin(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setattr(
        packdir, "_installed", lambda: FakeDistribution({"url": "file:///w/s.whl", "archive_info": {}})
    )
    packdir.write(tmp_path / "pack")
    assert (
        "sesguard @ file:///w/s.whl"
        in (tmp_path / "pack" / "requirements.txt").read_text("utf-8").splitlines()
    )
