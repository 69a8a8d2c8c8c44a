"""FastAPI dependencies for tokens issued by Better Auth (its JWT plugin, on ``/api/auth/jwks``),
by any JWKS issuer, or signed with a shared HS256 secret, and optionally for Better Auth's session
cookie cache::

    auth = BetterAuth(jwks_url="https://app.example.com/api/auth/jwks",
                      issuer="https://app.example.com", audience="https://app.example.com")
    app = FastAPI(lifespan=auth.lifespan)

    @app.get("/me")
    async def me(claims: Annotated[dict, Depends(auth.claims)]):
        return {"user": claims["sub"]}

A request without a credential, or with one that does not verify, is answered 401 with
``WWW-Authenticate: Bearer`` (``error="invalid_token"`` and a description when a credential was
sent) and a JSON body ``{"detail": {"error", "code", "message"}}`` with jose's code; when no keys can
be had (the JWKS server is down and nothing usable is cached) it is 503 with ``Retry-After``. The
bearer scheme (and the session cookie, with ``cookies=True``) shows in the OpenAPI docs."""

from __future__ import annotations

import contextlib
from typing import Any, AsyncIterator, Callable, Dict, Optional, Sequence, Union

from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from . import _options, _verify
from ._native import KeySet
from .better_auth import averify_session_cookie
from .errors import JOSEError, JWKSInvalid
from .remote import RemoteKeySet

__all__ = ["BetterAuth", "Claims"]

Claims = Dict[str, Any]

# No keys at all: the answer is "try again", not "your token is bad".
_OUTAGE_CODES = {"ERR_JWKS_TIMEOUT", "ERR_JWKS_FETCH_FAILED"}


def _quoted(text: str) -> str:
    printable = "".join(c if 0x20 <= ord(c) < 0x7F else "?" for c in text)
    return printable.replace("\\", "\\\\").replace('"', '\\"')


class BetterAuth:
    """Verifies the bearer token (and, with ``cookies=True``, Better Auth's ``session_data``
    cookie) of each request. ``jwks_url`` (a :class:`RemoteKeySet` is made with ``timeout``,
    ``cooldown``, ``cache_max_age``, ``stale_if_error``) or ``jwks`` (a KeySet, RemoteKeySet, JWKS
    dict or text) for public-key tokens; ``secret`` for HS256/384/512 tokens and for the session
    cookie cache (Better Auth's ``BETTER_AUTH_SECRET``, which also verifies the ``session_token``
    cookie's signature). ``secure_cookies`` is
    :func:`edge_jwt.better_auth.verify_session_cookie`'s: ``True`` reads only the ``__Secure-``
    cookie names, ``False`` only the plain ones, ``None`` the ``__Secure-`` ones when any is sent.
    The claim options are :func:`edge_jwt.verify`'s."""

    def __init__(
        self,
        *,
        jwks_url: Optional[str] = None,
        secret: Optional[Union[str, bytes]] = None,
        issuer: Union[str, Sequence[str], None] = None,
        audience: Union[str, Sequence[str], None] = None,
        algorithms: Optional[Sequence[str]] = None,
        cookies: bool = False,
        jwks: Any = None,
        typ: Optional[str] = None,
        clock_tolerance: _options.Duration = 0,
        max_token_age: Optional[_options.Duration] = None,
        required_claims: Optional[Sequence[str]] = None,
        cookie_prefix: str = "better-auth",
        secure_cookies: Optional[bool] = None,
        timeout: float = 5.0,
        cooldown: float = 30.0,
        cache_max_age: float = 600.0,
        stale_if_error: float = 43200.0,
        realm: Optional[str] = None,
        scheme_name: str = "BetterAuth",
    ) -> None:
        if jwks_url is not None and jwks is not None:
            raise TypeError("give jwks_url or jwks, not both")
        if jwks_url is None and jwks is None and secret is None:
            raise TypeError("BetterAuth needs jwks_url, jwks or secret")
        if secure_cookies is not None and not isinstance(secure_cookies, bool):
            raise TypeError("secure_cookies must be a bool or None")
        if realm is not None and not isinstance(realm, str):
            raise TypeError("realm must be a string")
        self.keys: Any
        if jwks_url is not None:
            self.keys = RemoteKeySet(
                jwks_url, timeout=timeout, cooldown=cooldown, cache_max_age=cache_max_age, stale_if_error=stale_if_error
            )
        elif jwks is None or isinstance(jwks, (KeySet, RemoteKeySet)):
            self.keys = jwks
        else:
            self.keys = _verify.local_keys(jwks)
        self.secret = secret
        self.issuer = issuer
        self.cookies = bool(cookies)
        self.cookie_prefix = cookie_prefix
        self.secure_cookies = secure_cookies
        self._realm = "" if realm is None else f' realm="{_quoted(realm)}"'
        # Checked now: a bad option fails at startup, not on the first request.
        self._options = _options.build(
            secret=secret,
            algorithms=algorithms,
            issuer=issuer,
            audience=audience,
            subject=None,
            typ=typ,
            clock_tolerance=clock_tolerance,
            max_token_age=max_token_age,
            required_claims=required_claims,
        )
        bearer = HTTPBearer(
            auto_error=False,
            scheme_name=scheme_name,
            bearerFormat="JWT",
            description="A JWT from Better Auth (`/api/auth/token`) or another issuer of this API.",
        )
        cookie = APIKeyCookie(
            name=f"{'__Secure-' if secure_cookies else ''}{cookie_prefix}.session_data",
            auto_error=False,
            scheme_name=f"{scheme_name}Cookie",
            description="Better Auth's session cookie cache (with its session_token cookie).",
        )

        if self.cookies:

            async def claims(
                request: Request,
                credentials: Optional[HTTPAuthorizationCredentials] = Security(bearer),
                session_data: Optional[str] = Security(cookie),
            ) -> Claims:
                found = await self._authenticate(request, credentials)
                if found is None:
                    raise self._refuse(None, None)
                return found

            async def optional_claims(
                request: Request,
                credentials: Optional[HTTPAuthorizationCredentials] = Security(bearer),
                session_data: Optional[str] = Security(cookie),
            ) -> Optional[Claims]:
                return await self._authenticate(request, credentials, optional=True)

        else:

            async def claims(  # type: ignore[misc]
                request: Request,
                credentials: Optional[HTTPAuthorizationCredentials] = Security(bearer),
            ) -> Claims:
                found = await self._authenticate(request, credentials)
                if found is None:
                    raise self._refuse(None, None)
                return found

            async def optional_claims(  # type: ignore[misc]
                request: Request,
                credentials: Optional[HTTPAuthorizationCredentials] = Security(bearer),
            ) -> Optional[Claims]:
                return await self._authenticate(request, credentials, optional=True)

        self.claims: Callable[..., Any] = claims
        """Dependency: the verified claims, or 401/503."""
        self.optional_claims: Callable[..., Any] = optional_claims
        """Dependency: the verified claims, or ``None`` when the request has no valid credential
        (503 still when no keys can be had)."""

    # -- lifespan ----------------------------------------------------------------------------

    async def startup(self) -> None:
        """Fetches the remote keys once (a failure is not fatal: requests retry as the cache
        allows)."""
        if isinstance(self.keys, RemoteKeySet):
            with contextlib.suppress(JOSEError):
                await self.keys.reload()

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Any) -> AsyncIterator[None]:
        """``FastAPI(lifespan=auth.lifespan)``: the keys are fetched once at startup."""
        await self.startup()
        yield

    # -- verification ------------------------------------------------------------------------

    def user_isolation(self, parameter: str = "user_id", claim: str = "sub") -> Callable[..., Any]:
        """A dependency that refuses (403) a request whose path parameter ``parameter`` is not the
        verified ``claim`` (``sub`` by default): a user reaches only their own resources. Returns
        the claims."""

        async def owner(request: Request, claims: Claims = Security(self.claims)) -> Claims:
            wanted = request.path_params.get(parameter)
            if wanted is None or str(claims.get(claim)) != str(wanted):
                raise HTTPException(
                    status_code=403,
                    detail={"error": "forbidden", "code": None, "message": f"the token's {claim} is not this {parameter}"},
                )
            return claims

        return owner

    async def _authenticate(
        self, request: Request, credentials: Optional[HTTPAuthorizationCredentials], optional: bool = False
    ) -> Optional[Claims]:
        if credentials is not None and credentials.scheme.lower() == "bearer" and credentials.credentials:
            try:
                verified = await _verify.averify_with(
                    credentials.credentials, self.keys, self._options, _options.now_seconds(None)
                )
                return verified.payload
            except JOSEError as error:
                if optional and not self._is_outage(error):
                    return None
                raise self._refuse(error, "bearer token") from None
        if self.cookies:
            try:
                found = await averify_session_cookie(
                    request.cookies,
                    secret=self.secret,
                    jwks=self.keys,
                    cookie_prefix=self.cookie_prefix,
                    secure_cookies=self.secure_cookies,
                    issuer=self.issuer if isinstance(self.issuer, str) else None,
                )
            except JOSEError as error:
                if optional and not self._is_outage(error):
                    return None
                raise self._refuse(error, "session cookie") from None
            if found is not None:
                return {**found.payload, "sub": found.user.get("id"), "session": found.session, "user": found.user}
        return None

    def _is_outage(self, error: JOSEError) -> bool:
        return error.code in _OUTAGE_CODES or (
            isinstance(error, JWKSInvalid) and isinstance(self.keys, RemoteKeySet) and self.keys.jwks() is None
        )

    def _refuse(self, error: Optional[JOSEError], source: Optional[str]) -> HTTPException:
        headers = {"cache-control": "no-store"}
        if error is not None and self._is_outage(error):
            headers["retry-after"] = "5"
            return HTTPException(
                status_code=503,
                detail={
                    "error": "temporarily_unavailable",
                    "code": error.code,
                    "message": "the keys to verify credentials cannot be fetched; try again later",
                },
                headers=headers,
            )
        if error is None:
            headers["www-authenticate"] = f"Bearer{self._realm}"
            return HTTPException(
                status_code=401,
                detail={"error": "missing_token", "code": None, "message": "no bearer token or session cookie"},
                headers=headers,
            )
        message = f"the {source} does not verify: {error}"
        comma = "," if self._realm else ""
        headers["www-authenticate"] = f'Bearer{self._realm}{comma} error="invalid_token", error_description="{_quoted(message)}"'
        return HTTPException(
            status_code=401,
            detail={"error": "invalid_token", "code": error.code, "message": message},
            headers=headers,
        )
