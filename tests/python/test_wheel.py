"""The wheel installs into a fresh venv with no compiler on PATH and no package index, and verifies
a token there: it is a prebuilt abi3 wheel (``target/wheels/``, made by ``npm run build:python``)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

from conftest import ROOT, claims, make_key


def test_the_wheel_installs_into_a_fresh_venv_without_a_compiler(tmp_path: Path) -> None:
    wheels = sorted((ROOT / "target" / "wheels").glob("edge_jwt-*-abi3-*.whl"))
    assert len(wheels) == 1, wheels
    assert "cp39-abi3" in wheels[0].name
    if sys.platform.startswith("linux"):
        assert "manylinux2014" in wheels[0].name, wheels[0].name
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # No compiler: PATH holds only the venv's bin and a directory with nothing in it.
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {"PATH": f"{env_dir / 'bin'}:{empty}", "HOME": str(tmp_path), "PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull}
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheels[0])],
        check=True,
        env=env,
        timeout=120,
    )
    key = make_key("EdDSA")
    token = key.sign(claims())
    script = (
        "import json, sys, edge_jwt\n"
        "jwks = json.loads(sys.argv[2])\n"
        "print(edge_jwt.verify(sys.argv[1], jwks).payload['sub'])\n"
    )
    import json

    out = subprocess.run(
        [str(python), "-c", script, token, json.dumps({"keys": [key.jwk]})],
        check=True,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert out.stdout.strip() == "user-1"
    assert sys.version_info >= (3, 9)
