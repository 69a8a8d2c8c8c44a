"""A consumer of edge_jwt's public API, checked with `mypy --strict` by test_typing.py (never run)."""

from typing import Any, Dict, Optional

from fastapi import Depends, FastAPI
from typing_extensions import Annotated

import edge_jwt
from edge_jwt import errors
from edge_jwt.better_auth import SessionResult, verify_session_cookie
from edge_jwt.fastapi import BetterAuth

jwks = edge_jwt.RemoteKeySet("https://app.example.com/api/auth/jwks", cooldown=30.0)
local: edge_jwt.KeySet = edge_jwt.KeySet.from_json({"keys": []})


def check(token: str) -> Optional[str]:
    try:
        verified: edge_jwt.VerifiedToken = edge_jwt.verify(
            token, jwks, issuer="https://app.example.com", audience=["api"], clock_tolerance="30s"
        )
    except errors.JWTClaimValidationFailed as error:
        claim: str = error.claim
        reason: str = error.reason
        return f"{claim} {reason}"
    except errors.JOSEError as error:
        code: str = error.code
        return code
    sub = verified.payload.get("sub")
    alg: Any = verified.protected_header["alg"]
    return str(sub) + str(alg)


async def check_async(token: str) -> Dict[str, Any]:
    verified = await edge_jwt.averify(token, local, secret=b"k" * 32, algorithms=["HS256"])
    await jwks.reload()
    stats: Dict[str, Any] = jwks.stats()
    return {**verified.payload, **stats}


def session(cookie_header: str) -> Optional[str]:
    result: Optional[SessionResult] = verify_session_cookie(cookie_header, secret="better-auth-secret", secure_cookies=True)
    if result is None:
        return None
    user_id: Any = result.user["id"]
    return str(user_id)


auth = BetterAuth(jwks_url="https://app.example.com/api/auth/jwks", issuer="https://app.example.com")
app = FastAPI(lifespan=auth.lifespan)


@app.get("/me")
async def me(claims: Annotated[Dict[str, Any], Depends(auth.claims)]) -> Dict[str, Any]:
    return {"sub": claims["sub"]}
