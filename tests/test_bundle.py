"""`sesguard bundle`: an OPA bundle a server loads and evaluates to the same findings as embedded."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import engine_corpus
import pytest
from opa_rest_server import OpaRestServer

from sesguard import cli, policyset
from sesguard.bundle import ROOTS, build_bundle, pack_digest
from sesguard.engine import Settings
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.engine.server import ServerEngine
from sesguard.errors import EngineError, SesguardError
from sesguard.policyset import PolicySet

SETTINGS = Settings(
    levels={"SES-006": "mandatory"},
    waivers=[{"rule": "SES-005", "reason": "DMARC moves to p=reject next sprint", "expires": "2099-06-30"}],
)


@pytest.fixture(scope="module")
def policies() -> PolicySet:
    return policyset.load()


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


def test_bundle_layout_and_manifest(policies: PolicySet, tmp_path: Path) -> None:
    members = _members(build_bundle(policies, tmp_path / "b.tar.gz"))
    manifest = json.loads(members["/.manifest"])
    assert manifest["roots"] == ["ses", "lib", "sesguard"] == list(ROOTS)
    assert manifest["rego_version"] == 1
    assert re.fullmatch(
        r"([0-9a-f]{40}(-dirty\+sha256:[0-9a-f]{16})?|sha256:[0-9a-f]{16});pack-sha256=[0-9a-f]{64}",
        manifest["revision"],
    )
    assert manifest["revision"].endswith(f"pack-sha256={pack_digest(policies)}")
    rego = {name for name in members if name.endswith(".rego")}
    assert rego == {f"/{path}" for path, _ in policies.modules}
    assert not any(name.endswith("_test.rego") for name in members)
    assert not any(name.endswith("data.json") for name in members)
    for path, text in policies.modules:
        assert members[f"/{path}"].decode() == text


def test_bundle_is_reproducible_and_takes_a_revision(policies: PolicySet, tmp_path: Path) -> None:
    a = build_bundle(policies, tmp_path / "a.tar.gz", revision="v1.2.3")
    b = build_bundle(policies, tmp_path / "b.tar.gz", revision="v1.2.3")
    assert a.read_bytes() == b.read_bytes()
    assert json.loads(_members(a)["/.manifest"])["revision"] == f"v1.2.3;pack-sha256={pack_digest(policies)}"


def test_settings_are_baked_in_under_their_own_root(policies: PolicySet, tmp_path: Path) -> None:
    members = _members(build_bundle(policies, tmp_path / "s.tar.gz", settings=SETTINGS))
    assert json.loads(members["/.manifest"])["roots"] == [*ROOTS, "sesguard_settings"]
    assert json.loads(members["/sesguard_settings/data.json"]) == SETTINGS.as_data()["sesguard_settings"]


def test_package_outside_the_roots_is_refused(tmp_path: Path) -> None:
    stray = PolicySet(tmp_path, (("x/y.rego", "package elsewhere.y\n\nallow := true\n"),), (), ())
    with pytest.raises(SesguardError, match=r"x/y\.rego: package elsewhere\.y is outside the bundle roots"):
        build_bundle(stray, tmp_path / "x.tar.gz")


def test_loaded_bundle_gives_the_embedded_findings(policies: PolicySet, tmp_path: Path) -> None:
    bundle = build_bundle(policies, tmp_path / "b.tar.gz", revision="test")
    docs = engine_corpus.corpus()
    with OpaRestServer(bundle=bundle) as server:
        assert server.revision == f"test;pack-sha256={pack_digest(policies)}"
        engine = ServerEngine(server.url, policies, bundle_loaded=True)
        embedded = EmbeddedEngine(policies)
        try:
            for doc in docs:
                assert engine.evaluate(doc) == embedded.evaluate(doc), doc["stack"]
            # Settings are the run's own and pushed beside the bundle, outside its roots.
            with_settings = ServerEngine(server.url, policies, SETTINGS, bundle_loaded=True)
            assert with_settings.evaluate(docs[2]) == EmbeddedEngine(policies, SETTINGS).evaluate(docs[2])
            with_settings.close()
        finally:
            engine.close()
            embedded.close()
        assert not any(p.startswith("/v1/policies/") for _, p in server.requests)


def test_bundle_with_settings_owns_them(policies: PolicySet, tmp_path: Path) -> None:
    bundle = build_bundle(policies, tmp_path / "s.tar.gz", settings=SETTINGS)
    doc = engine_corpus.hand_made()[2]
    with OpaRestServer(bundle=bundle) as server:
        engine = ServerEngine(server.url, policies, bundle_loaded=True)
        try:
            assert engine.evaluate(doc) == EmbeddedEngine(policies, SETTINGS).evaluate(doc)
        finally:
            engine.close()
        with pytest.raises(
            EngineError,
            match=r"pushing settings .*: invalid_parameter: path /sesguard_settings is owned by bundle",
        ):
            ServerEngine(server.url, policies, Settings(levels={"SES-006": "advisory"}), bundle_loaded=True)


def test_bundle_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dist" / "sesguard.tar.gz"
    assert cli.main(["bundle", "-o", str(out), "--revision", "r1"]) == 0
    digest = pack_digest(policyset.load())
    assert json.loads(_members(out)["/.manifest"])["revision"] == f"r1;pack-sha256={digest}"
    assert f"wrote {out} (revision r1;pack-sha256={digest}, " in capsys.readouterr().out


def test_bundle_command_unwritable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("")
    assert cli.main(["bundle", "-o", str(tmp_path / "file" / "b.tar.gz")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sesguard: ") and "cannot write the bundle" in err and err.count("\n") == 1


def test_bundle_command_says_with_settings_only_when_some_are_baked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["bundle", "-o", str(tmp_path / "plain.tar.gz"), "--revision", "r1"]) == 0
    assert "with settings" not in capsys.readouterr().out
    baked = [
        "bundle",
        "-o",
        str(tmp_path / "baked.tar.gz"),
        "--revision",
        "r1",
        "--level",
        "SES-006=advisory",
    ]
    assert cli.main(baked) == 0
    assert "modules, with settings)" in capsys.readouterr().out


def _without(policies: PolicySet, path: str) -> PolicySet:
    kept = tuple(m for m in policies.modules if m[0] != path)
    assert len(kept) == len(policies.modules) - 1
    return PolicySet(policies.root, kept, (), ())


@pytest.mark.parametrize("revision", [None, "v1"], ids=["default", "given"])
def test_a_server_holding_an_older_pack_judges_nothing(
    policies: PolicySet, tmp_path: Path, revision: str | None
) -> None:
    """docs/ci.md: a server whose bundle lacks a rule (SES-024 here) is exit 2, before any verdict."""
    older_pack = _without(policies, "ses/access/identity_policy.rego")
    older = build_bundle(older_pack, tmp_path / "o.tar.gz", revision)
    with OpaRestServer(bundle=older) as server:
        with pytest.raises(EngineError) as err:
            ServerEngine(server.url, policies, bundle_loaded=True)
        assert not any(p.startswith("/v1/data/sesguard/") for _, p in server.requests), "judged on it"
    text = str(err.value)
    assert "the bundle it serves is not this pack" in text and "rebuild it with `sesguard bundle`" in text
    assert "\n" not in text


def test_a_bundle_without_a_digest_judges_nothing(policies: PolicySet, tmp_path: Path) -> None:
    """A bundle built by other means (opa build) names no digest: sesguard cannot tell what it holds."""
    bundle = build_bundle(policies, tmp_path / "b.tar.gz", revision="r1")
    raw = _members(bundle)
    manifest = json.loads(raw["/.manifest"])
    manifest["revision"] = "r1"
    plain = tmp_path / "plain.tar.gz"
    with tarfile.open(plain, "w:gz") as tar:
        for name, data in raw.items():
            data = json.dumps(manifest).encode() if name == "/.manifest" else data
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with (
        OpaRestServer(bundle=plain) as server,
        pytest.raises(EngineError, match="holds no pack digest in its revision"),
    ):
        ServerEngine(server.url, policies, bundle_loaded=True)
