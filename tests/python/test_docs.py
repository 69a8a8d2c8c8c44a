"""The Python code blocks of docs/python.md (and the README's Python quick start) run as written, against a real Better Auth server and
real FastAPI apps. Each block is marked `<!-- test: NAME -->`; the variables a block takes from its
surroundings (`token`, `cookie_header`, `BETTER_AUTH_URL`) and its environment variables are given
here, then what it defines or prints is checked."""

import contextlib
import io
import os
import re
import time
from pathlib import Path
from typing import Any, Dict, Iterator

import jwt
import pytest
from fastapi.testclient import TestClient

from conftest import ROOT

PASSWORD = "correct-horse-battery-staple"
BLOCK = re.compile(r"<!-- test: (\S+) -->\n```python\n(.*?)```", re.S)


def blocks() -> Dict[str, str]:
    text = (ROOT / "docs" / "python.md").read_text()
    found = dict(BLOCK.findall(text))
    assert set(found) == {"quickstart", "verify", "access-refresh", "session-cookie"}, sorted(found)
    # Every python block of the page is a tested one.
    assert text.count("```python") == len(found)
    return found


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    old = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_block(name: str, **given: Any) -> Dict[str, Any]:
    namespace: Dict[str, Any] = {"__name__": f"docs_{name.replace('-', '_')}", **given}
    exec(compile(blocks()[name], f"docs/python.md:{name}", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def jwt_server(better_auth: Any) -> Iterator[Dict[str, Any]]:
    server = better_auth.call("start")
    user = better_auth.call("signUp", id=server["id"], email="docs@example.com", password=PASSWORD, name="Docs")
    token = better_auth.call("token", id=server["id"], cookieHeader=user["cookieHeader"])
    yield {**server, "user": user["user"], "token": token}
    better_auth.call("close", id=server["id"])


def test_quickstart(jwt_server: Dict[str, Any], better_auth: Any) -> None:
    with environment(BETTER_AUTH_URL=jwt_server["url"]):
        namespace = run_block("quickstart")
    before = better_auth.call("requests", id=jwt_server["id"])["jwks"]
    with TestClient(namespace["app"]) as client:
        assert better_auth.call("requests", id=jwt_server["id"])["jwks"] == before + 1, "the lifespan fetched the keys"
        bearer = {"authorization": f"Bearer {jwt_server['token']}"}
        user = jwt_server["user"]
        answer = client.get("/me", headers=bearer)
        assert answer.status_code == 200 and answer.json() == {"user_id": user["id"], "email": user["email"]}
        assert client.get(f"/users/{user['id']}/notes", headers=bearer).json() == {"owner": user["id"], "notes": []}
        assert client.get("/users/someone-else/notes", headers=bearer).status_code == 403
        refused = client.get("/me")
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        assert "BetterAuth" in client.get("/openapi.json").json()["components"]["securitySchemes"]


def test_verify(jwt_server: Dict[str, Any]) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_block("verify", token=jwt_server["token"], BETTER_AUTH_URL=jwt_server["url"])
        run_block("verify", token=jwt_server["token"] + "x", BETTER_AUTH_URL=jwt_server["url"])
    lines = out.getvalue().splitlines()
    assert lines[0] == f"{jwt_server['user']['id']} EdDSA"
    assert lines[1].startswith("refused ERR_JWS_")


def test_access_refresh() -> None:
    secret = "docs-shared-secret-of-at-least-32-bytes"
    with environment(JWT_SECRET=secret):
        namespace = run_block("access-refresh")
    now = int(time.time())
    access = jwt.encode({"sub": "u1", "type": "access", "exp": now + 60}, secret, algorithm="HS256")
    refresh = jwt.encode({"sub": "u1", "type": "refresh", "exp": now + 600}, secret, algorithm="HS256")
    untyped = jwt.encode({"sub": "u1", "exp": now + 60}, secret, algorithm="HS256")
    with TestClient(namespace["app"]) as client:
        assert client.get("/orders", headers={"authorization": f"Bearer {access}"}).json() == {"user_id": "u1", "orders": []}
        assert client.get("/orders", headers={"authorization": f"Bearer {refresh}"}).status_code == 401
        answer = client.get("/orders", headers={"authorization": f"Bearer {untyped}"})
        assert answer.json()["detail"]["code"] == "ERR_JWT_CLAIM_VALIDATION_FAILED"
    assert namespace["refresh_subject"](refresh) == "u1"
    errors = namespace["edge_jwt"].errors
    with pytest.raises(errors.JWTClaimValidationFailed):
        namespace["refresh_subject"](access)
    with pytest.raises(errors.JWSSignatureVerificationFailed):
        namespace["refresh_subject"](jwt.encode({"sub": "u1", "type": "refresh"}, "another-secret-of-32-bytes-or-more!!", algorithm="HS256"))


def test_session_cookie(better_auth: Any) -> None:
    server = better_auth.call("startCookies")
    try:
        user = better_auth.call("signUp", id=server["id"], email="docs-cookie@example.com", password=PASSWORD, name="D", extra={})
        out = io.StringIO()
        with environment(BETTER_AUTH_SECRET=server["secret"]), contextlib.redirect_stdout(out):
            run_block("session-cookie", cookie_header=user["cookieHeader"])
            run_block("session-cookie", cookie_header="theme=dark")
        lines = out.getvalue().splitlines()
        assert lines[0].startswith(user["user"]["id"] + " ")
        assert lines[1].startswith("no usable cookie cache")
    finally:
        better_auth.call("close", id=server["id"])


def test_readme_quickstart(jwt_server: Dict[str, Any], better_auth: Any) -> None:
    text = (ROOT / "README.md").read_text()
    found = dict(BLOCK.findall(text))
    assert set(found) == {"readme-quickstart"}, sorted(found)
    assert text.count("```python") == 1, "every python block of the README is a tested one"
    namespace: Dict[str, Any] = {"__name__": "readme_quickstart"}
    with environment(BETTER_AUTH_URL=jwt_server["url"]):
        exec(compile(found["readme-quickstart"], "README.md:readme-quickstart", "exec"), namespace)
    before = better_auth.call("requests", id=jwt_server["id"])["jwks"]
    with TestClient(namespace["app"]) as client:
        assert better_auth.call("requests", id=jwt_server["id"])["jwks"] == before + 1, "the lifespan fetched the keys"
        answer = client.get("/me", headers={"authorization": f"Bearer {jwt_server['token']}"})
        assert answer.status_code == 200 and answer.json() == {"sub": jwt_server["user"]["id"]}
        refused = client.get("/me", headers={"authorization": f"Bearer {jwt_server['token']}x"})
        assert refused.status_code == 401 and refused.json()["detail"]["code"].startswith("ERR_JWS_")
        assert client.get("/me").status_code == 401
