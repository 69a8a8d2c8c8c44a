"""Better Auth's session cookie cache (``session_data``), verified without the database, as Better
Auth's own server does: every strategy (``compact``, ``jwt`` with HS256 or the JWT plugin's keys,
``jwe``), chunked cookies (``.0``, ``.1``, ...), ``__Secure-`` names (never mixed with plain ones),
a custom prefix, and the binding to the ``session_token`` cookie sent with it, whose own signature
is verified when the secret is given. An expired or out-of-version cache is a miss (``None``), for
the caller to fall back on; a forged or tampered cookie raises a coded error."""

from __future__ import annotations

import datetime
import json
import time
from typing import Any, Dict, Mapping, NamedTuple, Optional, Union

from . import _native, _options, _verify
from .errors import JWSInvalid, JWTExpired

__all__ = ["SessionResult", "verify_session_cookie", "averify_session_cookie"]

Cookies = Union[str, Mapping[str, str]]

SESSION_CACHE_TYP = "better-auth.session-cache+jwt"
SESSION_CACHE_AUDIENCE = "better-auth:session-cache"


class SessionResult(NamedTuple):
    """A verified session: the ``session`` and ``user`` objects and the whole cache payload."""

    session: Dict[str, Any]
    user: Dict[str, Any]
    payload: Dict[str, Any]


def _cookie_header(cookies: Any) -> str:
    if isinstance(cookies, str):
        return cookies
    if isinstance(cookies, Mapping):
        return "; ".join(f"{name}={value}" for name, value in cookies.items())
    raise TypeError("cookies must be a Cookie header string or a mapping of cookie names to values")


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"{name} must be a non-empty string")
    return value


def _now_ms(current_date: Any) -> float:
    if current_date is None:
        return time.time() * 1000.0
    if isinstance(current_date, datetime.datetime):
        return current_date.timestamp() * 1000.0
    if isinstance(current_date, (int, float)) and not isinstance(current_date, bool):
        return float(current_date) * 1000.0
    raise TypeError("current_date must be a datetime or a number of seconds since the epoch")


class _Plan(NamedTuple):
    data: str
    session_token: Optional[str]
    plugin_signed: bool
    kind: str
    secret: Optional[bytes]


def _plan(
    cookies: Any,
    secret: Any,
    jwks: Any,
    strategy: Optional[str],
    cookie_prefix: str,
    cookie_name: str,
    session_token_name: str,
    secure_cookies: Optional[bool],
) -> Optional[_Plan]:
    if strategy is not None and strategy not in ("compact", "jwt", "jwe"):
        raise ValueError('strategy must be "compact", "jwt" or "jwe"')
    if secret is not None and (not isinstance(secret, (str, bytes)) or len(secret) == 0):
        raise TypeError("secret must be a non-empty str or bytes")
    if secret is None and jwks is None:
        raise TypeError("verify_session_cookie needs secret (compact, jwe, HS256 jwt) or jwks (JWT-plugin cookies)")
    if secure_cookies is not None and not isinstance(secure_cookies, bool):
        raise TypeError("secure_cookies must be a bool or None")
    header = _cookie_header(cookies)
    if not header:
        return None
    found = _native.find_session_cookies(
        header,
        _text(cookie_prefix, "cookie_prefix"),
        _text(cookie_name, "cookie_name"),
        _text(session_token_name, "session_token_name"),
        secure_cookies,
    )
    if found is None:
        return None
    data, session_token = found
    kind = strategy or _native.detect_strategy(data)
    plugin_signed = kind == "jwt" and jwks is not None and not (secret is not None and _native.session_jwt_alg(data) == "HS256")
    if not plugin_signed and secret is None:
        hint = "" if kind == "jwt" else "; compact and jwe cookies need secret"
        raise JWSInvalid(
            f"the {cookie_name} cookie is not a JWT signed by the JWT plugin's keys "
            f"(it looks like a {kind} cookie, or is truncated){hint}"
        )
    key = None if secret is None else (secret.encode("utf-8") if isinstance(secret, str) else bytes(secret))
    return _Plan(data, session_token, plugin_signed, kind, key)


def _plugin_options(issuer: Optional[str]) -> Any:
    return _options.build(
        secret=None,
        algorithms=None,
        issuer=issuer,
        audience=SESSION_CACHE_AUDIENCE,
        subject=None,
        typ=SESSION_CACHE_TYP,
        clock_tolerance=15,
        max_token_age=None,
        required_claims=None,
    )


def _finish(plan: _Plan, payload: Optional[str], version: str, now_ms: float) -> Optional[SessionResult]:
    if payload is None:
        return None
    # The secret, whenever there is one, verifies the session_token cookie's own signature (also
    # beside a JWT-plugin-signed cache); without it only the binding to the cache is checked.
    checked = _native.check_session(payload, plan.session_token, plan.secret, _text(version, "version"), now_ms, plan.plugin_signed)
    if checked is None:
        return None
    session, user = checked
    return SessionResult(json.loads(session), json.loads(user), json.loads(payload))


def _open_with_secret(plan: _Plan, now_ms: float) -> Optional[str]:
    if plan.secret is None:  # _plan refuses this case; kept for the type checker
        raise JWSInvalid(f"the cookie cache needs the secret to open a {plan.kind} cookie")
    return _native.open_session_data(plan.data, plan.kind, plan.secret, now_ms)


def verify_session_cookie(
    cookies: Cookies,
    *,
    secret: Optional[Union[str, bytes]] = None,
    jwks: Any = None,
    strategy: Optional[str] = None,
    cookie_prefix: str = "better-auth",
    issuer: Optional[str] = None,
    cookie_name: str = "session_data",
    session_token_name: str = "session_token",
    version: str = "1",
    current_date: Any = None,
    secure_cookies: Optional[bool] = None,
) -> Optional[SessionResult]:
    """Verifies Better Auth's ``session_data`` cookie found in ``cookies`` (a ``Cookie`` header or a
    mapping such as ``request.cookies``). ``secret`` is Better Auth's secret (``BETTER_AUTH_SECRET``);
    ``jwks`` the JWT plugin's keys for its ``sessionCookieCache`` (a remote set is fetched
    synchronously here: use :func:`averify_session_cookie` in async code). With ``secret``, the
    ``session_token`` cookie's signature is verified as Better Auth does. ``secure_cookies``: which
    cookie names are read; ``True`` only ``__Secure-<prefix>.<name>`` (what Better Auth writes for
    an ``https`` base URL or ``advanced.useSecureCookies``), ``False`` only the plain names, ``None``
    (the default) the ``__Secure-`` names when any of them is sent, else the plain ones (never a
    mix of the two). Returns :class:`SessionResult`, or ``None`` when there is no cookie, it has
    expired (or its ``session.expiresAt`` is not in ``Date.toJSON``'s form), or its ``version`` is
    another (or not a string)."""
    now_ms = _now_ms(current_date)
    plan = _plan(cookies, secret, jwks, strategy, cookie_prefix, cookie_name, session_token_name, secure_cookies)
    if plan is None:
        return None
    if plan.plugin_signed:
        try:
            verified = _verify.verify_with(plan.data, jwks, _plugin_options(issuer), float(int(now_ms // 1000)))
        except JWTExpired:
            return None
        payload: Optional[str] = json.dumps(verified.payload)
    else:
        payload = _open_with_secret(plan, now_ms)
    return _finish(plan, payload, version, now_ms)


async def averify_session_cookie(
    cookies: Cookies,
    *,
    secret: Optional[Union[str, bytes]] = None,
    jwks: Any = None,
    strategy: Optional[str] = None,
    cookie_prefix: str = "better-auth",
    issuer: Optional[str] = None,
    cookie_name: str = "session_data",
    session_token_name: str = "session_token",
    version: str = "1",
    current_date: Any = None,
    secure_cookies: Optional[bool] = None,
) -> Optional[SessionResult]:
    """As :func:`verify_session_cookie`, awaiting a remote key set's fetch."""
    now_ms = _now_ms(current_date)
    plan = _plan(cookies, secret, jwks, strategy, cookie_prefix, cookie_name, session_token_name, secure_cookies)
    if plan is None:
        return None
    if plan.plugin_signed:
        try:
            verified = await _verify.averify_with(plan.data, jwks, _plugin_options(issuer), float(int(now_ms // 1000)))
        except JWTExpired:
            return None
        payload: Optional[str] = json.dumps(verified.payload)
    else:
        payload = _open_with_secret(plan, now_ms)
    return _finish(plan, payload, version, now_ms)
