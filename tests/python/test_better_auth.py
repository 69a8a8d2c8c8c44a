"""Against real Better Auth servers (the JS tests' harnesses, run by Node): the JWT plugin's tokens
for all five key types through a RemoteKeySet on ``/api/auth/jwks`` (sync and async, both crypto
providers, one fetch), a lazy key rotation costing exactly one more fetch, and the session cookie
cache in every strategy (compact, jwt, jwe, JWT-plugin-signed), chunked, with ``__Secure-`` names
and a custom prefix, bound to its ``session_token``; forgeries raise coded errors, expiry and a
version change are misses."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any, Dict

import pytest

import edge_jwt
from edge_jwt import _options, _verify, errors
from edge_jwt.better_auth import SessionResult, averify_session_cookie, verify_session_cookie

from conftest import PROVIDERS

PASSWORD = "correct-horse-battery-staple"
KEY_TYPES = [
    ({"alg": "EdDSA", "crv": "Ed25519"}, "OKP"),
    ({"alg": "ES256"}, "EC"),
    ({"alg": "ES512"}, "EC"),
    ({"alg": "RS256"}, "RSA"),
    ({"alg": "PS256"}, "RSA"),
]


def header_of(token: str) -> Dict[str, Any]:
    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))


def sign_up(better_auth: Any, server: Dict[str, Any], email: str, **extra: Any) -> Dict[str, Any]:
    return better_auth.call("signUp", id=server["id"], email=email, password=PASSWORD, name="Py User", extra=extra)


@pytest.mark.parametrize("config,kty", KEY_TYPES, ids=[c[0]["alg"] for c in KEY_TYPES])
def test_jwt_plugin_tokens_of_every_key_type_verify_with_one_fetch(better_auth: Any, config: Dict[str, Any], kty: str) -> None:
    server = better_auth.call("start", keyPairConfig=config)
    try:
        user = sign_up(better_auth, server, f"{config['alg'].lower()}@example.com")
        token = better_auth.call("token", id=server["id"], cookieHeader=user["cookieHeader"])
        assert header_of(token)["alg"] == config["alg"]
        url = server["url"]
        ks = edge_jwt.RemoteKeySet(f"{url}/api/auth/jwks")
        verified = edge_jwt.verify(token, ks, issuer=url, audience=url)
        assert verified.payload["sub"] == user["user"]["id"]
        assert ks.jwks()["keys"][0]["kty"] == kty  # type: ignore[index]
        again = asyncio.run(edge_jwt.averify(token, ks, issuer=url, audience=url))
        assert again.payload == verified.payload
        options = _options.build(
            secret=None, algorithms=None, issuer=url, audience=url, subject=None, typ=None,
            clock_tolerance=0, max_token_age=None, required_claims=None,
        )
        for provider in PROVIDERS:
            assert _verify.verify_with(token, ks, options, _options.now_seconds(None), provider).payload == verified.payload
        assert better_auth.call("requests", id=server["id"])["jwks"] == 1
        with pytest.raises(errors.JWTClaimValidationFailed) as caught:
            edge_jwt.verify(token, ks, issuer="https://elsewhere.example.com")
        assert caught.value.claim == "iss"
        # The same token against the JWKS as a dict (a local key set): no fetch.
        local = better_auth.call("jwks", id=server["id"])
        assert edge_jwt.verify(token, local, issuer=url, audience=url).payload == verified.payload
    finally:
        better_auth.call("close", id=server["id"])


def test_key_rotation_costs_exactly_one_more_fetch(better_auth: Any) -> None:
    server = better_auth.call("start", keyPairConfig={"alg": "EdDSA", "crv": "Ed25519"}, rotationInterval=2)
    try:
        user = sign_up(better_auth, server, "rotation@example.com")
        url = server["url"]
        ks = edge_jwt.RemoteKeySet(f"{url}/api/auth/jwks", cooldown=0.1)
        token1 = better_auth.call("token", id=server["id"], cookieHeader=user["cookieHeader"])
        assert edge_jwt.verify(token1, ks, issuer=url, audience=url).payload["sub"] == user["user"]["id"]
        assert better_auth.call("requests", id=server["id"])["jwks"] == 1
        deadline = time.monotonic() + 10
        token2 = token1
        while header_of(token2)["kid"] == header_of(token1)["kid"]:
            assert time.monotonic() < deadline, "Better Auth did not rotate its key within 10 s"
            time.sleep(0.25)
            token2 = better_auth.call("token", id=server["id"], cookieHeader=user["cookieHeader"])
        assert edge_jwt.verify(token2, ks, issuer=url, audience=url).payload["sub"] == user["user"]["id"]
        assert better_auth.call("requests", id=server["id"])["jwks"] == 2
        assert edge_jwt.verify(token1, ks, issuer=url, audience=url).payload["sub"] == user["user"]["id"]
        assert better_auth.call("requests", id=server["id"])["jwks"] == 2
    finally:
        better_auth.call("close", id=server["id"])


STRATEGIES = ["compact", "jwt", "jwe"]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_session_cookie_cache_of_every_strategy(better_auth: Any, strategy: str) -> None:
    server = better_auth.call("startCookies", strategy=strategy, maxAge=300)
    try:
        alice = sign_up(better_auth, server, f"alice-{strategy}@example.com")
        bob = sign_up(better_auth, server, f"bob-{strategy}@example.com")
        cookies = alice["cookieHeader"]
        result = verify_session_cookie(cookies, secret=server["secret"])
        assert isinstance(result, SessionResult)
        assert result.user["id"] == alice["user"]["id"] and result.user["email"] == alice["user"]["email"]
        assert result.session["userId"] == alice["user"]["id"]
        # The server agrees: its own get-session sees the same user.
        own = better_auth.call("getSession", id=server["id"], cookieHeader=cookies)
        assert own["body"]["user"]["id"] == result.user["id"]
        # As a mapping (FastAPI's request.cookies), and async.
        jar = dict(pair.split("=", 1) for pair in cookies.split("; "))
        assert verify_session_cookie(jar, secret=server["secret"]).user["id"] == alice["user"]["id"]  # type: ignore[union-attr]
        assert asyncio.run(averify_session_cookie(cookies, secret=server["secret"])).user["id"] == alice["user"]["id"]  # type: ignore[union-attr]
        # The wrong secret, or an altered cookie: a coded error.
        with pytest.raises(errors.JOSEError):
            verify_session_cookie(cookies, secret="not-the-secret-" + "x" * 20)
        data_name = "better-auth.session_data"
        altered = {**jar, data_name: _flip(jar[data_name])}
        with pytest.raises(errors.JOSEError):
            verify_session_cookie(altered, secret=server["secret"])
        # Alice's cache with Bob's session_token: refused (claim session_token).
        token_name = "better-auth.session_token"
        bob_jar = dict(pair.split("=", 1) for pair in bob["cookieHeader"].split("; "))
        swapped = {**jar, token_name: bob_jar[token_name]}
        with pytest.raises(errors.JWTClaimValidationFailed) as caught:
            verify_session_cookie(swapped, secret=server["secret"])
        assert caught.value.claim == "session_token"
        missing = {name: value for name, value in jar.items() if name != token_name}
        with pytest.raises(errors.JWTClaimValidationFailed) as caught:
            verify_session_cookie(missing, secret=server["secret"])
        assert (caught.value.claim, caught.value.reason) == ("session_token", "missing")
        # Expired (past the cache's max-age): a miss. No cookie: a miss. Another version: a miss.
        assert verify_session_cookie(cookies, secret=server["secret"], current_date=time.time() + 400) is None
        assert verify_session_cookie("theme=dark", secret=server["secret"]) is None
        assert verify_session_cookie(cookies, secret=server["secret"], version="2") is None
    finally:
        better_auth.call("close", id=server["id"])


def _flip(value: str) -> str:
    middle = len(value) // 2
    replacement = "A" if value[middle] != "A" else "B"
    return value[:middle] + replacement + value[middle + 1 :]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_chunked_cookies_secure_names_and_a_custom_prefix(better_auth: Any, strategy: str) -> None:
    server = better_auth.call("startCookies", strategy=strategy, cookiePrefix="myapp", useSecureCookies=True)
    try:
        user = sign_up(better_auth, server, f"chunky-{strategy}@example.com", image="https://img.example.com/" + "i" * 40000)
        cookies = user["cookieHeader"]
        names = [pair.split("=", 1)[0] for pair in cookies.split("; ")]
        assert "__Secure-myapp.session_data.0" in names and "__Secure-myapp.session_data.1" in names, names
        result = verify_session_cookie(cookies, secret=server["secret"], cookie_prefix="myapp")
        assert result is not None and result.user["id"] == user["user"]["id"]
        assert result.user["image"].endswith("i" * 100)
        # A chunk missing: the joined value is cut short, never accepted.
        cut = "; ".join(pair for pair in cookies.split("; ") if not pair.startswith("__Secure-myapp.session_data.1="))
        with pytest.raises(errors.JOSEError):
            verify_session_cookie(cut, secret=server["secret"], cookie_prefix="myapp")
        # The default prefix finds nothing.
        assert verify_session_cookie(cookies, secret=server["secret"]) is None
    finally:
        better_auth.call("close", id=server["id"])


def test_jwt_plugin_signed_session_cookies(better_auth: Any) -> None:
    server = better_auth.call("startCookies", strategy="jwt", jwtPlugin=True)
    try:
        user = sign_up(better_auth, server, "plugin@example.com")
        ks = edge_jwt.RemoteKeySet(f"{server['url']}/api/auth/jwks")
        result = verify_session_cookie(user["cookieHeader"], jwks=ks)
        assert result is not None and result.user["id"] == user["user"]["id"]
        async_result = asyncio.run(averify_session_cookie(user["cookieHeader"], jwks=ks))
        assert async_result is not None and async_result.session == result.session
        with pytest.raises(errors.JOSEError):
            verify_session_cookie(user["cookieHeader"], jwks={"keys": []})
    finally:
        better_auth.call("close", id=server["id"])


def test_options_are_checked() -> None:
    with pytest.raises(TypeError):
        verify_session_cookie("a=b")
    with pytest.raises(ValueError):
        verify_session_cookie("a=b", secret="s", strategy="cbor")
    with pytest.raises(TypeError):
        verify_session_cookie(7, secret="s")  # type: ignore[arg-type]
    with pytest.raises(errors.JWSInvalid):
        verify_session_cookie("better-auth.session_data=abc", jwks={"keys": []})
