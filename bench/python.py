"""Python benchmark: microseconds per verification of edge_jwt against PyJWT (key pre-loaded, and
through PyJWKClient), joserfc and the bare `cryptography` primitive, for EdDSA, ES256, RS256, PS256
and HS256; then a FastAPI endpoint under 100 concurrent requests with edge_jwt's dependency against
a PyJWT + PyJWKClient dependency written the usual way, cold and warm cache.

Run with `npm run bench:python` (builds the wheel into build/python-venv first) or, with the
package installed, `python bench/python.py [--quick] [--json OUT]`. Every server listens on
127.0.0.1 and is stopped at the end. Figures depend on the machine; the report names it.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Tuple

import jwt as pyjwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

import edge_jwt

warnings.filterwarnings("ignore", message=".*deprecated via RFC 9864")

ISSUER = "https://app.example.com"
AUDIENCE = "https://app.example.com"
ALGS = ["EdDSA", "ES256", "RS256", "PS256", "HS256"]
SECRET = b"a-shared-hs256-secret-of-32-bytes!"


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Alg:
    """One algorithm's keys, JWK, tokens and the verifiers to compare."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.kid = f"bench-{name.lower()}"
        if name == "EdDSA":
            self.private: Any = ed25519.Ed25519PrivateKey.generate()
        elif name == "ES256":
            self.private = ec.generate_private_key(ec.SECP256R1())
        elif name in ("RS256", "PS256"):
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            self.private = SECRET
        self.public = self.private if name == "HS256" else self.private.public_key()
        if name == "EdDSA":
            self.jwk: Dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(self.public))
        elif name == "ES256":
            self.jwk = json.loads(ECAlgorithm.to_jwk(self.public))
        elif name in ("RS256", "PS256"):
            self.jwk = json.loads(RSAAlgorithm.to_jwk(self.public))
        else:
            self.jwk = {}
        self.jwk.update({"kid": self.kid, "alg": name, "use": "sig"})

    def token(self, n: int = 0) -> str:
        now = int(time.time())
        claims = {"sub": f"user-{n}", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 3600}
        return pyjwt.encode(claims, self.private, algorithm=self.name, headers={"kid": self.kid})


def per_call_us(verifiers: Dict[str, Callable[[], Any]], budget: float) -> Dict[str, float]:
    """Microseconds per call of each verifier: the median of 7 rounds, the verifiers interleaved
    round by round so that a load spike on the machine falls on every column alike."""
    counts = {}
    for name, fn in verifiers.items():
        fn()
        start = time.perf_counter()
        calls = 0
        while time.perf_counter() - start < 0.05:
            fn()
            calls += 1
        counts[name] = max(20, int(calls / (time.perf_counter() - start) * budget / 7))
    rounds: Dict[str, List[float]] = {name: [] for name in verifiers}
    for _ in range(7):
        for name, fn in verifiers.items():
            t0 = time.perf_counter()
            for _ in range(counts[name]):
                fn()
            rounds[name].append((time.perf_counter() - t0) / counts[name] * 1e6)
    return {name: statistics.median(values) for name, values in rounds.items()}


class JwksHttp:
    """A JWKS endpoint on 127.0.0.1 with an optional latency, counting requests."""

    def __init__(self, jwks: Dict[str, Any], latency: float = 0.0) -> None:
        body = json.dumps(jwks).encode()
        self.count = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer.count += 1
                if latency:
                    time.sleep(latency)
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/auth/jwks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def micro(budget: float) -> List[Dict[str, Any]]:
    import joserfc.jwk
    import joserfc.jwt

    algs = {name: Alg(name) for name in ALGS}
    jwks = {"keys": [a.jwk for a in algs.values() if a.name != "HS256"]}
    key_set = edge_jwt.KeySet.from_json(jwks)
    http = JwksHttp(jwks)
    remote = edge_jwt.RemoteKeySet(http.url)
    jwk_client = pyjwt.PyJWKClient(http.url)
    rows = []
    try:
        for name, alg in algs.items():
            token = alg.token()
            head, body, sig = token.split(".")
            signing_input = f"{head}.{body}".encode()
            signature = b64d(sig)
            # 2000 distinct tokens, more than the remote set's token cache holds (1000): every
            # RemoteKeySet verification below checks its signature.
            pool = [alg.token(n) for n in range(2000)]
            counter = [0]

            def next_token() -> str:
                counter[0] = (counter[0] + 1) % len(pool)
                return pool[counter[0]]

            edge_kwargs: Dict[str, Any] = {"issuer": ISSUER, "audience": AUDIENCE, "algorithms": [name]}
            if name == "HS256":
                edge_local: Callable[[], Any] = lambda: edge_jwt.verify(token, secret=SECRET, **edge_kwargs)
                edge_remote = None
            else:
                edge_local = lambda: edge_jwt.verify(token, key_set, **edge_kwargs)
                edge_remote = lambda: edge_jwt.verify(next_token(), remote, **edge_kwargs)
            pyjwt_key = alg.public
            pyjwt_local = lambda: pyjwt.decode(token, pyjwt_key, algorithms=[name], audience=AUDIENCE, issuer=ISSUER)

            def pyjwt_client() -> Any:
                t = next_token()
                key = jwk_client.get_signing_key_from_jwt(t)
                return pyjwt.decode(t, key.key, algorithms=[name], audience=AUDIENCE, issuer=ISSUER)

            if name == "HS256":
                jose_key = joserfc.jwk.OctKey.import_key(SECRET)
            else:
                jose_key = joserfc.jwk.import_key(alg.jwk)
            registry = joserfc.jwt.JWTClaimsRegistry(iss={"essential": True, "value": ISSUER}, aud={"essential": True, "value": AUDIENCE})

            def joserfc_verify() -> Any:
                decoded = joserfc.jwt.decode(token, jose_key, algorithms=[name])
                registry.validate(decoded.claims)
                return decoded.claims

            primitive: Callable[[], Any]
            if name == "EdDSA":
                primitive = lambda: alg.public.verify(signature, signing_input)
            elif name == "ES256":
                der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
                primitive = lambda: alg.public.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
            elif name == "RS256":
                primitive = lambda: alg.public.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            elif name == "PS256":
                pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
                primitive = lambda: alg.public.verify(signature, signing_input, pss, hashes.SHA256())
            else:
                primitive = lambda: hmac.compare_digest(hmac.new(SECRET, signing_input, hashlib.sha256).digest(), signature)

            verifiers: Dict[str, Callable[[], Any]] = {"edge_jwt": edge_local}
            if edge_remote is not None:
                verifiers["edge_jwt_remote"] = edge_remote
            verifiers["pyjwt"] = pyjwt_local
            if name != "HS256":
                verifiers["pyjwt_jwk_client"] = pyjwt_client
            verifiers["joserfc"] = joserfc_verify
            verifiers["primitive"] = primitive
            row: Dict[str, Any] = {"alg": name, "edge_jwt_remote": None, "pyjwt_jwk_client": None}
            row.update(per_call_us(verifiers, budget))
            rows.append(row)
            print(
                f"  {name:6} edge_jwt {row['edge_jwt']:7.1f} us"
                + (f" (RemoteKeySet {row['edge_jwt_remote']:6.1f})" if row["edge_jwt_remote"] else "")
                + f" | PyJWT {row['pyjwt']:7.1f}"
                + (f" (PyJWKClient {row['pyjwt_jwk_client']:6.1f})" if row["pyjwt_jwk_client"] else "")
                + f" | joserfc {row['joserfc']:7.1f} | primitive {row['primitive']:6.1f}",
                flush=True,
            )
    finally:
        http.close()
    return rows


# ------------------------------------------------------------------------------------------------
# FastAPI under load: each app runs in its own uvicorn process.

APP_EDGE = """
from typing import Any, Dict
from typing_extensions import Annotated
from fastapi import Depends, FastAPI
from edge_jwt.fastapi import BetterAuth

auth = BetterAuth(jwks_url=JWKS_URL, issuer=ISSUER, audience=AUDIENCE)
app = FastAPI(lifespan=auth.lifespan if WARM else None)

@app.get("/me")
async def me(claims: Annotated[Dict[str, Any], Depends(auth.claims)]) -> Dict[str, Any]:
    return {"sub": claims["sub"]}
"""

APP_PYJWT = """
from typing import Any, Dict
import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

jwks_client = jwt.PyJWKClient(JWKS_URL)
bearer = HTTPBearer()
app = FastAPI()
if WARM:
    jwks_client.get_jwk_set()

async def get_claims(credentials: HTTPAuthorizationCredentials = Depends(bearer)) -> Dict[str, Any]:
    try:
        key = jwks_client.get_signing_key_from_jwt(credentials.credentials)
        return jwt.decode(credentials.credentials, key.key, algorithms=["EdDSA", "ES256", "RS256"], audience=AUDIENCE, issuer=ISSUER)
    except jwt.PyJWTError as error:
        raise HTTPException(status_code=401, detail=str(error))

@app.get("/me")
async def me(claims: Dict[str, Any] = Depends(get_claims)) -> Dict[str, Any]:
    return {"sub": claims["sub"]}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(source: str, jwks_url: str, warm: bool) -> Tuple[subprocess.Popen, str]:
    port = free_port()
    header = f"JWKS_URL = {jwks_url!r}\nISSUER = {ISSUER!r}\nAUDIENCE = {AUDIENCE!r}\nWARM = {warm!r}\n"
    code = (
        header
        + source
        + f"\nimport uvicorn\nuvicorn.run(app, host='127.0.0.1', port={port}, log_level='warning', backlog=2048)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
    return process, url


async def load(url: str, tokens: List[str], concurrency: int) -> Tuple[float, List[float], int]:
    import httpx

    latencies: List[float] = []
    failures = 0
    queue: asyncio.Queue[str] = asyncio.Queue()
    for token in tokens:
        queue.put_nowait(token)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def worker() -> None:
            nonlocal failures
            while not queue.empty():
                token = queue.get_nowait()
                t0 = time.perf_counter()
                answer = await client.get("/me", headers={"authorization": f"Bearer {token}"})
                latencies.append(time.perf_counter() - t0)
                failures += answer.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return elapsed, latencies, failures


def p99(values: List[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def endpoint(requests: int) -> List[Dict[str, Any]]:
    alg = Alg("EdDSA")
    # 20 ms of JWKS latency, as a JWKS endpoint across a network has at least.
    http = JwksHttp({"keys": [alg.jwk]}, latency=0.02)
    tokens = [alg.token(n) for n in range(requests)]
    rows = []
    try:
        for warm in (False, True):
            for name, source in (("edge_jwt BetterAuth", APP_EDGE), ("PyJWT + PyJWKClient", APP_PYJWT)):
                process, url = serve(source, http.url, warm)
                try:
                    before = http.count
                    if warm:
                        asyncio.run(load(url, tokens[:200], 20))  # warm the process and its caches
                        elapsed, latencies, failures = asyncio.run(load(url, tokens, 100))
                    else:
                        # Cold: the first 100 concurrent requests find no keys.
                        elapsed, latencies, failures = asyncio.run(load(url, tokens[:100], 100))
                    row = {
                        "app": name,
                        "cache": "warm" if warm else "cold",
                        "requests": len(latencies),
                        "rps": len(latencies) / elapsed,
                        "p99_ms": p99(latencies),
                        "failures": failures,
                        "jwks_fetches": http.count - before,
                    }
                    rows.append(row)
                    print(
                        f"  {row['cache']:4} {name:22} {row['rps']:7.0f} req/s  p99 {row['p99_ms']:7.1f} ms"
                        f"  failures {failures}  JWKS fetches {row['jwks_fetches']}",
                        flush=True,
                    )
                finally:
                    process.terminate()
                    process.wait(10)
    finally:
        http.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test, figures noisy)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    budget = 0.5 if args.quick else 3.5
    machine = f"{os.cpu_count()}-core {platform.machine()}, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    print(f"edge_jwt Python benchmark ({machine})", flush=True)
    print("microseconds per verification (median of 7 interleaved rounds):", flush=True)
    rows = micro(budget)
    print("FastAPI endpoint, 100 concurrent requests (EdDSA, JWKS with 20 ms latency):", flush=True)
    served = endpoint(300 if args.quick else 2000)
    print("ratios (edge_jwt / other; targets: <= 0.5 x PyJWT, <= 1.3 x the primitive for public keys):")
    for row in rows:
        vs_pyjwt = row["edge_jwt"] / row["pyjwt"]
        vs_primitive = row["edge_jwt"] / row["primitive"]
        print(f"  {row['alg']:6} {vs_pyjwt:5.2f} x PyJWT   {vs_primitive:5.2f} x primitive   {row['edge_jwt'] / row['joserfc']:5.2f} x joserfc")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"machine": machine, "verify_us": rows, "endpoint": served}, out, indent=2)


if __name__ == "__main__":
    main()
