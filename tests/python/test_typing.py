"""The package is typed (py.typed, stubs for the native module): `mypy --strict` passes on a
consumer file that uses every public entry point, and fails on one with a type error (so the check
is real)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def mypy(path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(cwd / ".mypy"), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def test_mypy_strict_passes_on_a_consumer(tmp_path: Path) -> None:
    result = mypy(HERE / "typing_consumer.py", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_passes_on_the_package_itself(tmp_path: Path) -> None:
    package = HERE.parents[1] / "python" / "edge_jwt"
    result = mypy(package, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_catches_a_misuse(tmp_path: Path) -> None:
    bad = tmp_path / "bad_consumer.py"
    bad.write_text(
        "import edge_jwt\n"
        "verified = edge_jwt.verify('t', secret=3)\n"
        "name: int = edge_jwt.errors.JWTExpired.code\n"
    )
    result = mypy(bad, tmp_path)
    assert result.returncode == 1
    assert "bad_consumer.py:2" in result.stdout and "bad_consumer.py:3" in result.stdout, result.stdout
