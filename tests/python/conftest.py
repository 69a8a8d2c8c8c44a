"""Shared fixtures of the Python tests: signing keys of every type (made with ``cryptography`` and
signed with PyJWT, an independent signer), the package case table exported by Node, and small
helpers. Every server a test starts listens on 127.0.0.1 and is stopped by the test."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

ROOT = Path(__file__).resolve().parents[2]
PROVIDERS = ["native", "rust"]


class SigningKey:
    """A private key, its public JWK, and the algorithm it signs with."""

    def __init__(self, alg: str, private: Any, kid: str) -> None:
        self.alg = alg
        self.private = private
        self.kid = kid
        public = private.public_key()
        if isinstance(private, ed25519.Ed25519PrivateKey):
            text = OKPAlgorithm.to_jwk(public)
        elif isinstance(private, ec.EllipticCurvePrivateKey):
            text = ECAlgorithm.to_jwk(public)
        else:
            text = RSAAlgorithm.to_jwk(public)
        self.jwk: Dict[str, Any] = {**json.loads(text), "kid": kid, "alg": alg, "use": "sig"}

    def sign(self, claims: Dict[str, Any], headers: Dict[str, Any] | None = None) -> str:
        return jwt.encode(claims, self.private, algorithm=self.alg, headers={"kid": self.kid, **(headers or {})})


def make_key(alg: str, kid: str | None = None) -> SigningKey:
    kid = kid or f"{alg.lower()}-{os.urandom(4).hex()}"
    if alg == "EdDSA":
        return SigningKey(alg, ed25519.Ed25519PrivateKey.generate(), kid)
    if alg in ("ES256", "ES384", "ES512"):
        curve = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}[alg]
        return SigningKey(alg, ec.generate_private_key(curve), kid)
    return SigningKey(alg, rsa.generate_private_key(public_exponent=65537, key_size=2048), kid)


# The five key types: Ed25519, P-256, P-384, P-521, RSA (with PKCS#1 v1.5 and PSS).
KEY_ALGS = ["EdDSA", "ES256", "ES384", "ES512", "RS256", "PS256"]


@pytest.fixture(scope="session")
def keys() -> Dict[str, SigningKey]:
    return {alg: make_key(alg) for alg in KEY_ALGS}


@pytest.fixture(scope="session")
def jwks(keys: Dict[str, SigningKey]) -> Dict[str, Any]:
    return {"keys": [key.jwk for key in keys.values()]}


def claims(**extra: Any) -> Dict[str, Any]:
    now = int(time.time())
    return {"sub": "user-1", "iat": now, "exp": now + 300, **extra}


@pytest.fixture(scope="session")
def case_table(tmp_path_factory: pytest.TempPathFactory) -> List[Dict[str, Any]]:
    """The package case table with the npm package's answer for each case (Node writes it)."""
    if not os.environ.get("EDGE_JWT_SCRATCH"):
        pytest.fail(
            "EDGE_JWT_SCRATCH is not set: the cross-language tests need the installed npm package "
            "(run them through `npm test`, or see tests/package/load.mjs)"
        )
    out = tmp_path_factory.mktemp("cases") / "cases.json"
    subprocess.run(
        ["node", str(ROOT / "tests" / "python" / "export-cases.mjs"), str(out)],
        check=True,
        cwd=ROOT,
        timeout=300,
    )
    cases: List[Dict[str, Any]] = json.loads(out.read_text())
    return cases


def decode_special(value: Any) -> Any:
    """The inverse of the case table's encodeSpecial: {"$number": "Infinity"} back to a float."""
    if isinstance(value, list):
        return [decode_special(item) for item in value]
    if isinstance(value, dict):
        if list(value) == ["$number"] and isinstance(value["$number"], str):
            return float(value["$number"].replace("Infinity", "inf"))
        return {key: decode_special(item) for key, item in value.items()}
    return value


def split_token(token: str) -> Tuple[str, str, str]:
    head, payload, signature = token.split(".")
    return head, payload, signature


class BetterAuthHarness:
    """Real Better Auth servers in a Node process (tests/python/better-auth-harness.mjs), driven
    one JSON line at a time; every call is bounded by a timeout."""

    def __init__(self) -> None:
        import queue
        import threading

        self._process = subprocess.Popen(
            ["node", str(ROOT / "tests" / "python" / "better-auth-harness.mjs")],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._answers: "queue.Queue[str]" = queue.Queue()
        self._lock = threading.Lock()

        def read() -> None:
            assert self._process.stdout is not None
            for line in self._process.stdout:
                self._answers.put(line)

        threading.Thread(target=read, daemon=True).start()

    def call(self, op: str, timeout: float = 60.0, **arguments: Any) -> Any:
        with self._lock:
            assert self._process.stdin is not None
            self._process.stdin.write(json.dumps({"op": op, **arguments}) + "\n")
            self._process.stdin.flush()
            answer = json.loads(self._answers.get(timeout=timeout))
        if not answer["ok"]:
            raise RuntimeError(f"Better Auth harness {op}: {answer['error']}")
        return answer["value"]

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)


@pytest.fixture(scope="session")
def better_auth() -> Any:
    harness = BetterAuthHarness()
    yield harness
    harness.close()
