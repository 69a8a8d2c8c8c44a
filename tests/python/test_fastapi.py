"""edge_jwt.fastapi.BetterAuth in a real FastAPI app, served by uvicorn on loopback (and through
Starlette's TestClient): claims and optional_claims, 401 answers with WWW-Authenticate and the jose
code, 503 in an outage, the OpenAPI security schemes, keys fetched once by the lifespan, 100
concurrent requests on a cold cache making one fetch, HS256 access/refresh tokens told apart by
their type claim, user isolation by sub, and Better Auth's session cookie."""


import asyncio
import socket
import threading
import time
from typing import Any, Dict, Iterator, Optional

import httpx
import jwt
import pytest
import uvicorn
from fastapi import Depends, FastAPI, HTTPException
from fastapi.testclient import TestClient
from typing_extensions import Annotated

from edge_jwt.fastapi import BetterAuth

from conftest import claims as make_claims
from conftest import make_key
from jwks_server import JwksServer

PASSWORD = "correct-horse-battery-staple"


def make_app(auth: BetterAuth) -> FastAPI:
    app = FastAPI(lifespan=auth.lifespan)

    @app.get("/me")
    async def me(claims: Annotated[Dict[str, Any], Depends(auth.claims)]) -> Dict[str, Any]:
        return {"sub": claims["sub"]}

    @app.get("/maybe")
    async def maybe(claims: Annotated[Optional[Dict[str, Any]], Depends(auth.optional_claims)]) -> Dict[str, Any]:
        return {"sub": None if claims is None else claims["sub"]}

    @app.get("/users/{user_id}/items")
    async def items(user_id: str, claims: Annotated[Dict[str, Any], Depends(auth.user_isolation("user_id"))]) -> Dict[str, Any]:
        return {"owner": user_id}

    return app


class Served:
    """A FastAPI app under uvicorn on 127.0.0.1 (a free port), in a thread; stopped by close()."""

    def __init__(self, app: FastAPI) -> None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on", limit_concurrency=1000, backlog=1024)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    srv = JwksServer()
    yield srv
    srv.close()


def test_bearer_tokens_claims_and_refusals(jwks_server: JwksServer) -> None:
    key = make_key("EdDSA")
    jwks_server.set(jwks={"keys": [key.jwk]})
    auth = BetterAuth(jwks_url=jwks_server.url, issuer="https://app.example.com", audience="api")
    with TestClient(make_app(auth)) as client:
        assert jwks_server.count == 1, "the lifespan fetched the keys once"
        good = key.sign(make_claims(iss="https://app.example.com", aud="api"))
        answer = client.get("/me", headers={"authorization": f"Bearer {good}"})
        assert answer.status_code == 200 and answer.json() == {"sub": "user-1"}
        missing = client.get("/me")
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        assert missing.json()["detail"]["error"] == "missing_token"
        expired = key.sign({"sub": "user-1", "iss": "https://app.example.com", "aud": "api", "exp": int(time.time()) - 60})
        refused = client.get("/me", headers={"authorization": f"Bearer {expired}"})
        assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"
        assert refused.headers["www-authenticate"].startswith('Bearer error="invalid_token", error_description="')
        assert refused.json()["detail"]["code"] == "ERR_JWT_EXPIRED"
        wrong_aud = key.sign(make_claims(iss="https://app.example.com", aud="other"))
        assert client.get("/me", headers={"authorization": f"Bearer {wrong_aud}"}).json()["detail"]["code"] == "ERR_JWT_CLAIM_VALIDATION_FAILED"
        assert client.get("/maybe").json() == {"sub": None}
        assert client.get("/maybe", headers={"authorization": f"Bearer {expired}"}).json() == {"sub": None}
        assert client.get("/maybe", headers={"authorization": f"Bearer {good}"}).json() == {"sub": "user-1"}
        # User isolation by sub.
        own = client.get("/users/user-1/items", headers={"authorization": f"Bearer {good}"})
        assert own.status_code == 200 and own.json() == {"owner": "user-1"}
        other = client.get("/users/user-2/items", headers={"authorization": f"Bearer {good}"})
        assert other.status_code == 403
    assert jwks_server.count == 1


def test_the_security_scheme_shows_in_openapi() -> None:
    bearer_only = make_app(BetterAuth(secret="x" * 32)).openapi()
    schemes = bearer_only["components"]["securitySchemes"]
    assert schemes["BetterAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A JWT from Better Auth (`/api/auth/token`) or another issuer of this API.",
    }
    assert bearer_only["paths"]["/me"]["get"]["security"] == [{"BetterAuth": []}]
    with_cookies = make_app(BetterAuth(secret="x" * 32, cookies=True)).openapi()["components"]["securitySchemes"]
    assert with_cookies["BetterAuthCookie"]["in"] == "cookie"
    assert with_cookies["BetterAuthCookie"]["name"] == "better-auth.session_data"


def test_an_outage_with_no_keys_is_503_and_recovers(jwks_server: JwksServer) -> None:
    key = make_key("ES256")
    jwks_server.set(status=503)
    auth = BetterAuth(jwks_url=jwks_server.url, cooldown=0.2)
    with TestClient(make_app(auth)) as client:
        token = key.sign(make_claims())
        answer = client.get("/me", headers={"authorization": f"Bearer {token}"})
        assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
        assert answer.json()["detail"] == {
            "error": "temporarily_unavailable",
            "code": "ERR_JWKS_FETCH_FAILED",
            "message": "the keys to verify credentials cannot be fetched; try again later",
        }
        jwks_server.set(jwks={"keys": [key.jwk]})
        time.sleep(0.25)
        assert client.get("/me", headers={"authorization": f"Bearer {token}"}).status_code == 200


def test_hs256_access_and_refresh_tokens_by_their_type_claim() -> None:
    secret = "shared-secret-of-the-frontend-and-the-api"
    auth = BetterAuth(secret=secret, algorithms=["HS256"], required_claims=["type"])
    app = FastAPI()

    async def access_claims(claims: Annotated[Dict[str, Any], Depends(auth.claims)]) -> Dict[str, Any]:
        if claims["type"] != "access":
            raise HTTPException(status_code=401, detail={"error": "invalid_token", "code": None, "message": "not an access token"})
        return claims

    @app.get("/data")
    async def data(claims: Annotated[Dict[str, Any], Depends(access_claims)]) -> Dict[str, Any]:
        return {"sub": claims["sub"]}

    access = jwt.encode(make_claims(type="access"), secret, algorithm="HS256")
    refresh = jwt.encode(make_claims(type="refresh"), secret, algorithm="HS256")
    untyped = jwt.encode(make_claims(), secret, algorithm="HS256")
    with TestClient(app) as client:
        assert client.get("/data", headers={"authorization": f"Bearer {access}"}).json() == {"sub": "user-1"}
        assert client.get("/data", headers={"authorization": f"Bearer {refresh}"}).status_code == 401
        answer = client.get("/data", headers={"authorization": f"Bearer {untyped}"})
        assert answer.status_code == 401 and answer.json()["detail"]["code"] == "ERR_JWT_CLAIM_VALIDATION_FAILED"


def test_100_concurrent_requests_on_a_cold_cache_make_one_fetch(jwks_server: JwksServer) -> None:
    key = make_key("RS256")
    jwks_server.set(jwks={"keys": [key.jwk]}, delay=0.3)
    auth = BetterAuth(jwks_url=jwks_server.url)
    served = Served(make_app_without_lifespan(auth))  # no lifespan: the cache is cold
    try:
        tokens = [key.sign(make_claims(sub=f"user-{n}")) for n in range(100)]

        async def main() -> list:
            async with httpx.AsyncClient(base_url=served.url, timeout=20, limits=httpx.Limits(max_connections=100)) as client:
                return await asyncio.gather(*(client.get("/me", headers={"authorization": f"Bearer {t}"}) for t in tokens))

        answers = asyncio.run(main())
        assert [a.json()["sub"] for a in answers] == [f"user-{n}" for n in range(100)]
        assert jwks_server.count == 1
    finally:
        served.close()


def make_app_without_lifespan(auth: BetterAuth) -> FastAPI:
    app = FastAPI()

    @app.get("/me")
    async def me(claims: Annotated[Dict[str, Any], Depends(auth.claims)]) -> Dict[str, Any]:
        return {"sub": claims["sub"]}

    return app


def test_uvicorn_lifespan_fetches_the_better_auth_keys_once(better_auth: Any) -> None:
    server = better_auth.call("start", keyPairConfig={"alg": "EdDSA", "crv": "Ed25519"})
    try:
        url = server["url"]
        auth = BetterAuth(jwks_url=f"{url}/api/auth/jwks", issuer=url, audience=url)
        served = Served(make_app(auth))
        try:
            assert better_auth.call("requests", id=server["id"])["jwks"] == 1, "fetched at startup"
            user = better_auth.call("signUp", id=server["id"], email="fastapi@example.com", password=PASSWORD, name="F")
            token = better_auth.call("token", id=server["id"], cookieHeader=user["cookieHeader"])
            answer = httpx.get(f"{served.url}/me", headers={"authorization": f"Bearer {token}"}, timeout=10)
            assert answer.status_code == 200 and answer.json() == {"sub": user["user"]["id"]}
            assert better_auth.call("requests", id=server["id"])["jwks"] == 1
        finally:
            served.close()
    finally:
        better_auth.call("close", id=server["id"])


@pytest.mark.parametrize("strategy", ["compact", "jwe"])
def test_better_auth_session_cookies(better_auth: Any, strategy: str) -> None:
    server = better_auth.call("startCookies", strategy=strategy)
    try:
        user = better_auth.call("signUp", id=server["id"], email=f"cookie-{strategy}@example.com", password=PASSWORD, name="C", extra={})
        auth = BetterAuth(secret=server["secret"], cookies=True)
        with TestClient(make_app(auth)) as client:
            jar = dict(pair.split("=", 1) for pair in user["cookieHeader"].split("; "))
            answer = client.get("/me", headers={"cookie": user["cookieHeader"]})
            assert answer.status_code == 200 and answer.json() == {"sub": user["user"]["id"]}
            own = client.get(f"/users/{user['user']['id']}/items", headers={"cookie": user["cookieHeader"]})
            assert own.status_code == 200
            forged = dict(jar)
            forged["better-auth.session_data"] = forged["better-auth.session_data"][:-4] + "AAAA"
            header = "; ".join(f"{k}={v}" for k, v in forged.items())
            refused = client.get("/me", headers={"cookie": header})
            assert refused.status_code == 401 and refused.json()["detail"]["code"].startswith("ERR_")
            assert client.get("/me", headers={"cookie": "theme=dark"}).status_code == 401
    finally:
        better_auth.call("close", id=server["id"])
