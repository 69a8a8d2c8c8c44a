"""The error classes, one per jose code. Every class extends :class:`JOSEError` and has a class and
an instance ``code``, so ``err.code == "ERR_JWT_EXPIRED"`` and ``isinstance(err, JWTExpired)`` both
work as with jose. Claim errors also carry ``claim``, ``reason`` and the verified ``payload``."""

from __future__ import annotations

import json
from typing import Any, ClassVar, Dict, Optional, Type

__all__ = [
    "JOSEError",
    "JWSInvalid",
    "JWTInvalid",
    "JOSEAlgNotAllowed",
    "JOSENotSupported",
    "JWKSNoMatchingKey",
    "JWKSMultipleMatchingKeys",
    "JWKSInvalid",
    "JWKSTimeout",
    "JWKSFetchFailed",
    "JWSSignatureVerificationFailed",
    "JWTExpired",
    "JWTClaimValidationFailed",
    "JWEInvalid",
    "JWEDecryptionFailed",
]


class JOSEError(Exception):
    """The base class of every edge-jwt error."""

    code: ClassVar[str] = "ERR_JOSE_GENERIC"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class JWSInvalid(JOSEError):
    """Not a compact JWS: segments, base64url, header JSON, ``crit`` syntax, size bounds."""

    code = "ERR_JWS_INVALID"


class JWTInvalid(JOSEError):
    """The payload is not a JSON object, or the token uses ``b64: false``."""

    code = "ERR_JWT_INVALID"


class JOSEAlgNotAllowed(JOSEError):
    """The header ``alg`` is not in ``algorithms``."""

    code = "ERR_JOSE_ALG_NOT_ALLOWED"


class JOSENotSupported(JOSEError):
    """Unknown ``alg``, ``none``, an unknown ``crit`` name, or an HMAC token against a key set."""

    code = "ERR_JOSE_NOT_SUPPORTED"


class JWKSNoMatchingKey(JOSEError):
    """No key in the set fits the token."""

    code = "ERR_JWKS_NO_MATCHING_KEY"


class JWKSMultipleMatchingKeys(JOSEError):
    """Several keys fit and none of them verifies."""

    code = "ERR_JWKS_MULTIPLE_MATCHING_KEYS"


class JWKSInvalid(JOSEError):
    """The key set, or the key chosen from it, is malformed."""

    code = "ERR_JWKS_INVALID"


class JWKSTimeout(JOSEError):
    """The remote key set did not answer in time and no usable cached keys exist."""

    code = "ERR_JWKS_TIMEOUT"


class JWKSFetchFailed(JOSEError):
    """The remote key set could not be fetched and no usable cached keys exist."""

    code = "ERR_JWKS_FETCH_FAILED"


class JWSSignatureVerificationFailed(JOSEError):
    """The signature does not verify, or the key is too weak."""

    code = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"


class JWEInvalid(JOSEError):
    """Not a compact JWE this library opens (Better Auth's ``jwe`` session cookies)."""

    code = "ERR_JWE_INVALID"


class JWEDecryptionFailed(JOSEError):
    """A JWE whose authentication tag does not verify: wrong secret, or an altered cookie."""

    code = "ERR_JWE_DECRYPTION_FAILED"


class _ClaimError(JOSEError):
    def __init__(
        self,
        message: str,
        payload: Optional[Dict[str, Any]] = None,
        claim: str = "unspecified",
        reason: str = "unspecified",
    ) -> None:
        super().__init__(message)
        self.claim = claim
        self.reason = reason
        self.payload: Dict[str, Any] = payload if payload is not None else {}


class JWTClaimValidationFailed(_ClaimError):
    """A claim check failed; ``claim`` says which and ``reason`` why (``missing``,
    ``check_failed``, ``invalid``)."""

    code = "ERR_JWT_CLAIM_VALIDATION_FAILED"


class JWTExpired(_ClaimError):
    """The token has expired (``exp``), or is older than ``max_token_age`` (``iat``)."""

    code = "ERR_JWT_EXPIRED"


_BY_CODE: Dict[str, Type[JOSEError]] = {
    cls.code: cls
    for cls in (
        JWSInvalid,
        JWTInvalid,
        JOSEAlgNotAllowed,
        JOSENotSupported,
        JWKSNoMatchingKey,
        JWKSMultipleMatchingKeys,
        JWKSInvalid,
        JWKSTimeout,
        JWKSFetchFailed,
        JWSSignatureVerificationFailed,
        JWEInvalid,
        JWEDecryptionFailed,
    )
}


def _from_core(args: Any) -> JOSEError:
    """The error for the core's (code, message, claim, reason, payload_json); called by the native module."""
    code, message, claim, reason, payload_json = args
    if code in (JWTExpired.code, JWTClaimValidationFailed.code):
        payload = json.loads(payload_json) if payload_json is not None else {}
        cls = JWTExpired if code == JWTExpired.code else JWTClaimValidationFailed
        return cls(message, payload, claim or "unspecified", reason or "unspecified")
    return _BY_CODE.get(code, JOSEError)(message)
