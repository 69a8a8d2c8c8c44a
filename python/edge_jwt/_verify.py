"""``verify`` and ``averify``: the options checked, the keys resolved, the token handed to the core
(``edge_jwt._native``) and its answer or error turned into Python values."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence, Union

from . import _native, _options
from ._native import KeySet

if TYPE_CHECKING:
    from .remote import RemoteKeySet

Keys = Union[KeySet, "RemoteKeySet", Mapping[str, Any], str, bytes, None]


class VerifiedToken:
    """A token whose signature verified and whose claims passed."""

    __slots__ = ("payload", "protected_header")

    def __init__(self, payload: Dict[str, Any], protected_header: Dict[str, Any]) -> None:
        self.payload = payload
        """The claims."""
        self.protected_header = protected_header
        """The protected header."""

    def __repr__(self) -> str:
        return f"VerifiedToken(payload={self.payload!r}, protected_header={self.protected_header!r})"


def result(text: "tuple[str, str]") -> VerifiedToken:
    header_json, payload_json = text
    return VerifiedToken(json.loads(payload_json), json.loads(header_json))


def local_keys(keys: Any) -> Optional[KeySet]:
    if keys is None or isinstance(keys, KeySet):
        return keys
    if isinstance(keys, (str, bytes, dict)) or isinstance(keys, Mapping):
        return KeySet.from_json(dict(keys) if isinstance(keys, Mapping) else keys)
    raise TypeError("keys must be a KeySet, a RemoteKeySet, a JWKS dict or its JSON text")


def check_token(token: Any) -> str:
    if not isinstance(token, str):
        if isinstance(token, bytes):
            return token.decode("utf-8", errors="replace")
        raise TypeError("token must be a str")
    return token


def verify_with(
    token: str,
    keys: Keys,
    options: "_native.Options",
    now: float,
    provider: str = "native",
) -> VerifiedToken:
    """The verification proper, with options already normalised (the Better Auth and FastAPI
    helpers call it directly)."""
    from .remote import RemoteKeySet

    token = check_token(token)
    if isinstance(keys, RemoteKeySet):
        return keys._verify_sync(token, options, now, provider)
    return result(_native.verify(token, local_keys(keys), options, now, provider))


async def averify_with(
    token: str,
    keys: Keys,
    options: "_native.Options",
    now: float,
    provider: str = "native",
) -> VerifiedToken:
    from .remote import RemoteKeySet

    token = check_token(token)
    if isinstance(keys, RemoteKeySet):
        return await keys._verify_async(token, options, now, provider)
    return result(_native.verify(token, local_keys(keys), options, now, provider))


def verify(
    token: str,
    keys: Keys = None,
    *,
    secret: Optional[_options.Secret] = None,
    algorithms: Optional[Sequence[str]] = None,
    issuer: Union[str, Sequence[str], None] = None,
    audience: Union[str, Sequence[str], None] = None,
    subject: Optional[str] = None,
    typ: Optional[str] = None,
    clock_tolerance: _options.Duration = 0,
    max_token_age: Optional[_options.Duration] = None,
    required_claims: Optional[Sequence[str]] = None,
    current_date: Any = None,
) -> VerifiedToken:
    """Verifies a JWT as jose's ``jwtVerify`` does: ``keys`` for public-key algorithms (a
    :class:`KeySet`, a :class:`~edge_jwt.RemoteKeySet`, a JWKS dict or its JSON text), ``secret``
    for HS256/384/512. Raises an :mod:`edge_jwt.errors` class with jose's code. A remote key set
    is fetched synchronously when needed (use :func:`averify` in async code)."""
    options = _options.build(
        secret=secret,
        algorithms=algorithms,
        issuer=issuer,
        audience=audience,
        subject=subject,
        typ=typ,
        clock_tolerance=clock_tolerance,
        max_token_age=max_token_age,
        required_claims=required_claims,
    )
    return verify_with(token, keys, options, _options.now_seconds(current_date))


async def averify(
    token: str,
    keys: Keys = None,
    *,
    secret: Optional[_options.Secret] = None,
    algorithms: Optional[Sequence[str]] = None,
    issuer: Union[str, Sequence[str], None] = None,
    audience: Union[str, Sequence[str], None] = None,
    subject: Optional[str] = None,
    typ: Optional[str] = None,
    clock_tolerance: _options.Duration = 0,
    max_token_age: Optional[_options.Duration] = None,
    required_claims: Optional[Sequence[str]] = None,
    current_date: Any = None,
) -> VerifiedToken:
    """As :func:`verify`, awaiting a remote key set's fetch without blocking the event loop."""
    options = _options.build(
        secret=secret,
        algorithms=algorithms,
        issuer=issuer,
        audience=audience,
        subject=subject,
        typ=typ,
        clock_tolerance=clock_tolerance,
        max_token_age=max_token_age,
        required_claims=required_claims,
    )
    return await averify_with(token, keys, options, _options.now_seconds(current_date))
