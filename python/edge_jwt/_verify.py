"""``verify`` and ``averify``: the options checked, the keys resolved, the token handed to the core
(``edge_jwt._native``) and its answer or error turned into Python values."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _native, _options
from ._native import KeySet

if TYPE_CHECKING:
    from .remote import RemoteKeySet

Keys = Union[KeySet, "RemoteKeySet", Mapping[str, Any], str, bytes, None]


class VerifiedToken:
    """A token whose signature verified and whose claims passed: ``payload`` (the claims) and
    ``protected_header`` (read from its JSON when first asked for)."""

    __slots__ = ("payload", "_header", "_header_json")

    def __init__(self, payload: Dict[str, Any], header_json: str) -> None:
        self.payload = payload
        self._header: Optional[Dict[str, Any]] = None
        self._header_json = header_json

    @property
    def protected_header(self) -> Dict[str, Any]:
        """The protected header."""
        if self._header is None:
            self._header = json.loads(self._header_json)
        return self._header

    def __repr__(self) -> str:
        return f"VerifiedToken(payload={self.payload!r}, protected_header={self.protected_header!r})"


def result(text: "tuple[str, str]") -> VerifiedToken:
    header_json, payload_json = text
    return VerifiedToken(json.loads(payload_json), header_json)


def local_keys(keys: Any) -> Optional[KeySet]:
    if keys is None or isinstance(keys, KeySet):
        return keys
    if isinstance(keys, (str, bytes, dict)) or isinstance(keys, Mapping):
        return KeySet.from_json(dict(keys) if isinstance(keys, Mapping) else keys)
    raise TypeError("keys must be a KeySet, a RemoteKeySet, a JWKS dict or its JSON text")


_REMOTE: List[type] = []


def _remote_class() -> type:
    """edge_jwt.remote.RemoteKeySet (imported once, on first use: remote imports this module)."""
    if not _REMOTE:
        from .remote import RemoteKeySet

        _REMOTE.append(RemoteKeySet)
    return _REMOTE[0]


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
    token = check_token(token)
    if isinstance(keys, _remote_class()):
        return keys._verify_sync(token, options, now, provider)  # type: ignore[union-attr]
    return result(_native.verify(token, local_keys(keys), options, now, provider))


async def averify_with(
    token: str,
    keys: Keys,
    options: "_native.Options",
    now: float,
    provider: str = "native",
) -> VerifiedToken:
    token = check_token(token)
    if isinstance(keys, _remote_class()):
        return await keys._verify_async(token, options, now, provider)  # type: ignore[union-attr]
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
