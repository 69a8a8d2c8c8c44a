"""Better Auth's session cookie rules against real Better Auth servers, as the npm package's
tests/package/gate-cookies.test.mjs checks them: the ``session_token`` cookie's signature (forged,
bare, another secret's, base64url), a plain-named cookie beside (or instead of) the ``__Secure-``
ones, every form of ``session.expiresAt``, a ``version`` of the wrong type. Every verdict of
:func:`edge_jwt.better_auth.verify_session_cookie` is compared with the installed npm package's
``verifySessionCookie`` on the same Cookie header and options (run by the harness, from
EDGE_JWT_SCRATCH), and where it decides, with Better Auth's own ``get-session``."""

import asyncio
import base64
import hashlib
import hmac
import json
import os
import time
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import quote, unquote

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from typing_extensions import Annotated

from edge_jwt import errors
from edge_jwt.better_auth import averify_session_cookie, verify_session_cookie
from edge_jwt.fastapi import BetterAuth

PASSWORD = "correct-horse-battery-staple"
SECRET = "a-better-auth-secret-of-at-least-32-chars"
SIGNATURE_CODES = {"ERR_JWS_INVALID", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"}

Pairs = List[Tuple[str, str]]


@pytest.fixture(autouse=True)
def needs_the_npm_package() -> None:
    if not os.environ.get("EDGE_JWT_SCRATCH"):
        pytest.fail("EDGE_JWT_SCRATCH is not set: these tests compare with the installed npm package (run them through `npm test`)")


def pairs(header: str) -> Pairs:
    return [(pair.split("=", 1)[0], pair.split("=", 1)[1]) for pair in header.split("; ") if pair]


def header(items: Pairs) -> str:
    return "; ".join(f"{name}={value}" for name, value in items)


def with_cookie(cookie_header: str, suffix: str, value: str) -> str:
    return header([(n, value if n.endswith(suffix) else v) for n, v in pairs(cookie_header)])


def plain(cookie_header: str) -> str:
    return header([(n.removeprefix("__Secure-"), v) for n, v in pairs(cookie_header)])


def sign_token(token: str, secret: str = SECRET) -> str:
    """better-call's signed cookie value: ``<token>.<standard base64 of HMAC-SHA256>``."""
    mac = hmac.new(secret.encode(), token.encode(), hashlib.sha256).digest()
    return f"{token}.{base64.b64encode(mac).decode()}"


def uri_component(value: str) -> str:
    """JavaScript's encodeURIComponent."""
    return quote(value, safe="!~*'()")


def compact_json(value: Any) -> str:
    """JSON.stringify's text of a JSON value."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def resigned_compact(cookie_header: str, edit: Callable[[Dict[str, Any]], None]) -> str:
    """The compact cookie of a Cookie header decoded, its payload changed by ``edit``, and signed
    again with the secret as Better Auth signs it."""

    def resign(value: str) -> str:
        cookie = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        edit(cookie["session"])
        signed = compact_json({**cookie["session"], "expiresAt": cookie["expiresAt"]})
        mac = hmac.new(SECRET.encode(), signed.encode(), hashlib.sha256).digest()
        cookie["signature"] = base64.urlsafe_b64encode(mac).decode().rstrip("=")
        return base64.urlsafe_b64encode(compact_json(cookie).encode()).decode().rstrip("=")

    return header([(n, resign(v) if n.endswith("session_data") else v) for n, v in pairs(cookie_header)])


def email() -> str:
    return f"u{uuid.uuid4().hex[:12]}@example.com"


def python_verdict(cookie_header: str, **options: Any) -> Dict[str, Any]:
    """verify_session_cookie's verdict in the harness's shape (and averify_session_cookie's, which
    must agree)."""

    def run(call: Callable[[], Any]) -> Dict[str, Any]:
        try:
            result = call()
        except errors.JOSEError as error:
            return {
                "kind": "error",
                "code": error.code,
                "claim": getattr(error, "claim", None),
                "reason": getattr(error, "reason", None),
            }
        return {"kind": "miss"} if result is None else {"kind": "ok", "userId": result.user["id"]}

    sync = run(lambda: verify_session_cookie(cookie_header, **options))
    asynchronous = run(lambda: asyncio.run(averify_session_cookie(cookie_header, **options)))
    assert sync == asynchronous
    return sync


NPM_OPTION_NAMES = {"secret": "secret", "jwks": "jwks", "secure_cookies": "secureCookies", "cookie_prefix": "cookiePrefix"}


def same_verdict(better_auth: Any, cookie_header: str, **options: Any) -> Dict[str, Any]:
    """The verdict of verify_session_cookie, asserted equal to the npm package's."""
    mine = python_verdict(cookie_header, **options)
    npm_options = {NPM_OPTION_NAMES[name]: value for name, value in options.items() if value is not None}
    npm = better_auth.call("npmVerifySessionCookie", cookieHeader=cookie_header, options=npm_options)
    assert mine == npm, f"Python {mine} != npm {npm}"
    return mine


def own_user(better_auth: Any, server: Dict[str, Any], cookie_header: str) -> Optional[str]:
    """Better Auth's own verdict (GET /api/auth/get-session): the user id, or None."""
    body = better_auth.call("getSession", id=server["id"], cookieHeader=cookie_header)["body"]
    return body["user"]["id"] if isinstance(body, dict) and isinstance(body.get("user"), dict) else None


def sign_up(better_auth: Any, server: Dict[str, Any], name: str) -> Dict[str, Any]:
    return better_auth.call("signUp", id=server["id"], email=email(), password=PASSWORD, name=name, extra={})


def forged_tokens(raw: str) -> Dict[str, str]:
    token = raw[: raw.rindex(".")]
    return {
        "forged signature": f"{token}.FORGED",
        "bare token": token,
        "signature of another secret": sign_token(token, "another-secret-of-at-least-32-characters"),
        "signature in base64url": sign_token(token).replace("+", "-").replace("/", "_"),
    }


@pytest.mark.parametrize("strategy", ["compact", "jwt", "jwe"])
def test_a_forged_or_bare_session_token_is_refused_as_better_auth_refuses_it(better_auth: Any, strategy: str) -> None:
    server = better_auth.call("startCookies", secret=SECRET, strategy=strategy)
    try:
        user = sign_up(better_auth, server, "Sig User")
        cookies = user["cookieHeader"]
        good = same_verdict(better_auth, cookies, secret=SECRET)
        assert good == {"kind": "ok", "userId": user["user"]["id"]}
        assert own_user(better_auth, server, cookies) == user["user"]["id"]

        raw = unquote(dict(pairs(cookies))["better-auth.session_token"])
        assert raw == sign_token(raw[: raw.rindex(".")]), "Better Auth signs the cookie as <token>.<base64 HMAC>"
        for label, value in forged_tokens(raw).items():
            if value == raw:
                continue  # base64url and base64 agree for this signature
            forged = with_cookie(cookies, "session_token", uri_component(value))
            assert own_user(better_auth, server, forged) is None, f"{label}: Better Auth refuses it"
            verdict = same_verdict(better_auth, forged, secret=SECRET)
            assert verdict["kind"] == "error", f"{label}: {verdict}"
            assert verdict["code"] in SIGNATURE_CODES, f"{label}: {verdict}"
    finally:
        better_auth.call("close", id=server["id"])


def test_jwt_plugin_cookies_check_the_session_token_signature_when_the_secret_is_given(better_auth: Any) -> None:
    server = better_auth.call("startCookies", secret=SECRET, strategy="jwt", jwtPlugin=True)
    try:
        user = sign_up(better_auth, server, "Plugin User")
        cookies = user["cookieHeader"]
        keys = better_auth.call("jwks", id=server["id"])
        for options in ({"jwks": keys}, {"jwks": keys, "secret": SECRET}):
            assert same_verdict(better_auth, cookies, **options) == {"kind": "ok", "userId": user["user"]["id"]}
        raw = unquote(dict(pairs(cookies))["better-auth.session_token"])
        forged = with_cookie(cookies, "session_token", uri_component(forged_tokens(raw)["signature of another secret"]))
        assert own_user(better_auth, server, forged) is None
        # With the secret, the forged signature is refused; with the keys alone it cannot be
        # checked (only the token's binding to the cache is), as the npm package documents.
        refused = same_verdict(better_auth, forged, jwks=keys, secret=SECRET)
        assert refused["kind"] == "error" and refused["code"] == "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", refused
        assert same_verdict(better_auth, forged, jwks=keys) == {"kind": "ok", "userId": user["user"]["id"]}
    finally:
        better_auth.call("close", id=server["id"])


def test_a_plain_named_cookie_beside_secure_ones_is_never_read(better_auth: Any) -> None:
    server = better_auth.call("startCookies", secret=SECRET, useSecureCookies=True)
    try:
        victim = sign_up(better_auth, server, "Victim")
        attacker = sign_up(better_auth, server, "Attacker")
        assert all(name.startswith("__Secure-") for name, _ in pairs(victim["cookieHeader"]))
        victim_id, attacker_id = victim["user"]["id"], attacker["user"]["id"]

        # Tossed plain-named cookies of the attacker's session, before and after the victim's own.
        for tossed in (f"{plain(attacker['cookieHeader'])}; {victim['cookieHeader']}", f"{victim['cookieHeader']}; {plain(attacker['cookieHeader'])}"):
            assert own_user(better_auth, server, tossed) == victim_id, "Better Auth reads only the __Secure- cookies"
            assert same_verdict(better_auth, tossed, secret=SECRET) == {"kind": "ok", "userId": victim_id}
            assert same_verdict(better_auth, tossed, secret=SECRET, secure_cookies=True) == {"kind": "ok", "userId": victim_id}
            # secure_cookies=False pins the plain names: the tossed cookies are what is read.
            assert same_verdict(better_auth, tossed, secret=SECRET, secure_cookies=False) == {"kind": "ok", "userId": attacker_id}

        # A tossed plain session_token beside the victim's __Secure- cache: never mixed in.
        mixed = header(
            [(n, v) for n, v in pairs(victim["cookieHeader"]) if not n.endswith("session_token")]
            + [(n, v) for n, v in pairs(plain(attacker["cookieHeader"])) if n.endswith("session_token")]
        )
        assert own_user(better_auth, server, mixed) is None
        verdict = same_verdict(better_auth, mixed, secret=SECRET)
        assert verdict == {"kind": "error", "code": "ERR_JWT_CLAIM_VALIDATION_FAILED", "claim": "session_token", "reason": "missing"}

        # Plain-named cookies alone: Better Auth (useSecureCookies) does not read them; nor does
        # secure_cookies=True. Unpinned, they are read (they are all the request has).
        only = plain(attacker["cookieHeader"])
        assert own_user(better_auth, server, only) is None
        assert same_verdict(better_auth, only, secret=SECRET, secure_cookies=True) == {"kind": "miss"}
        assert same_verdict(better_auth, only, secret=SECRET) == {"kind": "ok", "userId": attacker_id}
        # And the __Secure- cookies with secure_cookies=False: not read.
        assert same_verdict(better_auth, victim["cookieHeader"], secret=SECRET, secure_cookies=False) == {"kind": "miss"}
    finally:
        better_auth.call("close", id=server["id"])


def test_secure_cookies_must_be_a_bool() -> None:
    for wrong in ("true", 1, 0):
        with pytest.raises(TypeError):
            verify_session_cookie("a=b", secret=SECRET, secure_cookies=wrong)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            BetterAuth(secret=SECRET, cookies=True, secure_cookies=wrong)  # type: ignore[arg-type]


def iso(ms: int) -> str:
    """Date.prototype.toJSON's form of a time in milliseconds."""
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def test_expires_at_only_in_better_auths_form_and_a_version_only_as_a_string(better_auth: Any) -> None:
    server = better_auth.call("startCookies", secret=SECRET, strategy="compact")
    try:
        user = sign_up(better_auth, server, "Expiry User")
        cookies, user_id = user["cookieHeader"], user["user"]["id"]
        future_ms = int(time.time() * 1000) + 86_400_000
        future = iso(future_ms)

        def set_expiry(value: Any) -> Callable[[Dict[str, Any]], None]:
            def edit(payload: Dict[str, Any]) -> None:
                if value is ...:
                    del payload["session"]["expiresAt"]
                else:
                    payload["session"]["expiresAt"] = value

            return edit

        # The control: re-signed with Better Auth's own form, it still verifies.
        assert same_verdict(better_auth, resigned_compact(cookies, set_expiry(future)), secret=SECRET) == {"kind": "ok", "userId": user_id}
        forms = {
            "space instead of T, no zone": "2000-01-01 00:00:00",
            "a future date with +00:00": future.replace("Z", "+00:00"),
            "a future date without milliseconds": future[:19] + "Z",
            "a future date, space instead of T": future.replace("T", " "),
            "a past date in Better Auth's form": "2000-01-01T00:00:00.000Z",
            "a day past the month's end": future[:5] + "02-30" + future[10:],
            "milliseconds as a number": future_ms,
            "garbage": "garbage",
            "absent": ...,
            "null": None,
        }
        for label, value in forms.items():
            verdict = same_verdict(better_auth, resigned_compact(cookies, set_expiry(value)), secret=SECRET)
            assert verdict == {"kind": "miss"}, f"{label}: treated as expired, got {verdict}"

        def set_version(value: Any) -> Callable[[Dict[str, Any]], None]:
            def edit(payload: Dict[str, Any]) -> None:
                payload["version"] = value

            return edit

        for version in (1, True, None, ["1"], {"v": "1"}):
            verdict = same_verdict(better_auth, resigned_compact(cookies, set_version(version)), secret=SECRET)
            assert verdict == {"kind": "miss"}, f"version {version!r}: refused, got {verdict}"
        assert same_verdict(better_auth, resigned_compact(cookies, set_version("1")), secret=SECRET) == {"kind": "ok", "userId": user_id}
        assert same_verdict(better_auth, resigned_compact(cookies, set_version("2")), secret=SECRET) == {"kind": "miss"}
    finally:
        better_auth.call("close", id=server["id"])


def make_app(auth: BetterAuth) -> FastAPI:
    app = FastAPI(lifespan=auth.lifespan)

    @app.get("/me")
    async def me(claims: Annotated[Dict[str, Any], Depends(auth.claims)]) -> Dict[str, Any]:
        return {"sub": claims["sub"]}

    return app


def test_fastapi_reads_cookies_by_the_same_rules(better_auth: Any) -> None:
    server = better_auth.call("startCookies", secret=SECRET, useSecureCookies=True)
    try:
        victim = sign_up(better_auth, server, "Victim")
        attacker = sign_up(better_auth, server, "Attacker")
        tossed = f"{plain(attacker['cookieHeader'])}; {victim['cookieHeader']}"
        raw = unquote(dict(pairs(victim["cookieHeader"]))["__Secure-better-auth.session_token"])
        forged = with_cookie(victim["cookieHeader"], "session_token", uri_component(forged_tokens(raw)["bare token"]))
        for secure_cookies in (None, True):
            auth = BetterAuth(secret=SECRET, cookies=True, secure_cookies=secure_cookies)
            with TestClient(make_app(auth)) as client:
                answer = client.get("/me", headers={"cookie": tossed})
                assert answer.status_code == 200 and answer.json() == {"sub": victim["user"]["id"]}
                refused = client.get("/me", headers={"cookie": forged})
                assert refused.status_code == 401 and refused.json()["detail"]["code"] == "ERR_JWS_INVALID"
        pinned = BetterAuth(secret=SECRET, cookies=True, secure_cookies=True)
        assert make_app(pinned).openapi()["components"]["securitySchemes"]["BetterAuthCookie"]["name"] == "__Secure-better-auth.session_data"
        with TestClient(make_app(pinned)) as client:
            missing = client.get("/me", headers={"cookie": plain(attacker["cookieHeader"])})
            assert missing.status_code == 401 and missing.json()["detail"]["error"] == "missing_token"
        with TestClient(make_app(BetterAuth(secret=SECRET, cookies=True, secure_cookies=False))) as client:
            answer = client.get("/me", headers={"cookie": tossed})
            assert answer.status_code == 200 and answer.json() == {"sub": attacker["user"]["id"]}
    finally:
        better_auth.call("close", id=server["id"])
