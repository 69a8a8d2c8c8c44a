"""edge_jwt.verify and averify with local keys: every key type and HMAC, through both crypto
providers, jose's codes, claim errors with claim/reason/payload, and option checking."""

from __future__ import annotations

import asyncio
import datetime
import json
import threading
import time
from typing import Any, Dict

import jwt
import pytest

import edge_jwt
from edge_jwt import _native, _options, _verify, errors

from conftest import KEY_ALGS, PROVIDERS, SigningKey, claims, make_key, split_token


def verify_with(provider: str, token: str, keys: Any, **options: Any) -> edge_jwt.VerifiedToken:
    current_date = options.pop("current_date", None)
    built = _options.build(
        secret=options.pop("secret", None),
        algorithms=options.pop("algorithms", None),
        issuer=options.pop("issuer", None),
        audience=options.pop("audience", None),
        subject=options.pop("subject", None),
        typ=options.pop("typ", None),
        clock_tolerance=options.pop("clock_tolerance", 0),
        max_token_age=options.pop("max_token_age", None),
        required_claims=options.pop("required_claims", None),
    )
    assert not options
    return _verify.verify_with(token, keys, built, _options.now_seconds(current_date), provider)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("alg", KEY_ALGS)
def test_every_key_type_verifies_and_a_flipped_bit_fails(
    provider: str, alg: str, keys: Dict[str, SigningKey], jwks: Dict[str, Any]
) -> None:
    token = keys[alg].sign(claims(role="admin"))
    key_set = edge_jwt.KeySet.from_json(jwks)
    for given in (key_set, jwks, json.dumps(jwks)):
        verified = verify_with(provider, token, given)
        assert verified.payload["role"] == "admin"
        assert verified.protected_header == {"alg": alg, "kid": keys[alg].kid, "typ": "JWT"}
    head, payload, signature = split_token(token)
    raw = bytearray(_native_b64(signature))
    raw[len(raw) // 2] ^= 1
    forged = f"{head}.{payload}.{_b64(bytes(raw))}"
    with pytest.raises(errors.JWSSignatureVerificationFailed) as caught:
        verify_with(provider, forged, key_set)
    assert caught.value.code == "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"


def _b64(raw: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _native_b64(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_token_without_kid_verifies_with_the_key_that_fits(provider: str) -> None:
    """PyJWKClient refuses a token without kid even with a one-key set; jose (and edge_jwt) try
    the keys that fit its alg."""
    key = make_key("ES256")
    other = make_key("EdDSA")
    token = jwt.encode(claims(), key.private, algorithm="ES256")
    assert "kid" not in jwt.get_unverified_header(token)
    assert verify_with(provider, token, {"keys": [other.jwk, key.jwk]}).payload["sub"] == "user-1"


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_with_a_str_or_bytes_secret(alg: str) -> None:
    secret = "a-shared-secret-long-enough-for-hs512-" + "x" * 32
    token = jwt.encode(claims(type="access"), secret, algorithm=alg)
    assert edge_jwt.verify(token, secret=secret).payload["type"] == "access"
    assert edge_jwt.verify(token, secret=secret.encode()).payload["type"] == "access"
    with pytest.raises(errors.JWSSignatureVerificationFailed):
        edge_jwt.verify(token, secret=secret + "x")
    # A key set never supplies a symmetric key.
    with pytest.raises(errors.JOSENotSupported):
        edge_jwt.verify(token, {"keys": []})


def test_access_and_refresh_tokens_told_apart_by_their_type_claim() -> None:
    secret = "shared-secret-between-frontend-and-api"
    access = jwt.encode(claims(type="access"), secret, algorithm="HS256")
    refresh = jwt.encode(claims(type="refresh"), secret, algorithm="HS256")
    untyped = jwt.encode(claims(), secret, algorithm="HS256")
    assert edge_jwt.verify(access, secret=secret, required_claims=["type"]).payload["type"] == "access"
    assert edge_jwt.verify(refresh, secret=secret, required_claims=["type"]).payload["type"] == "refresh"
    with pytest.raises(errors.JWTClaimValidationFailed) as caught:
        edge_jwt.verify(untyped, secret=secret, required_claims=["type"])
    assert (caught.value.claim, caught.value.reason) == ("type", "missing")
    assert caught.value.payload["sub"] == "user-1"


def test_claim_errors_carry_claim_reason_and_payload() -> None:
    secret = "s" * 32
    now = 1_767_225_600
    token = jwt.encode({"sub": "a", "iss": "https://app", "aud": "api", "exp": now - 10, "iat": now - 100}, secret)
    with pytest.raises(errors.JWTExpired) as expired:
        edge_jwt.verify(token, secret=secret, current_date=now)
    assert (expired.value.code, expired.value.claim, expired.value.reason) == ("ERR_JWT_EXPIRED", "exp", "check_failed")
    assert expired.value.payload["sub"] == "a"
    # clock_tolerance as seconds or jose's strings; current_date as a number or a datetime.
    at = datetime.datetime.fromtimestamp(now, tz=datetime.timezone.utc)
    for tolerance in (11, "11s", "1 minute"):
        assert edge_jwt.verify(token, secret=secret, current_date=at, clock_tolerance=tolerance).payload["sub"] == "a"
    cases = [
        ({"issuer": "https://other"}, errors.JWTClaimValidationFailed, "iss", "check_failed"),
        ({"audience": ["x", "y"]}, errors.JWTClaimValidationFailed, "aud", "check_failed"),
        ({"subject": "b"}, errors.JWTClaimValidationFailed, "sub", "check_failed"),
        ({"max_token_age": "30s"}, errors.JWTExpired, "iat", "check_failed"),
        ({"required_claims": ["jti"]}, errors.JWTClaimValidationFailed, "jti", "missing"),
        ({"typ": "at+jwt"}, errors.JWTClaimValidationFailed, "typ", "check_failed"),
    ]
    for options, cls, claim, reason in cases:
        with pytest.raises(cls) as caught:
            edge_jwt.verify(token, secret=secret, current_date=now - 20, **options)
        assert (caught.value.claim, caught.value.reason) == (claim, reason), options


def test_header_and_key_errors_have_jose_codes(keys: Dict[str, SigningKey], jwks: Dict[str, Any]) -> None:
    token = keys["ES256"].sign(claims())
    with pytest.raises(errors.JOSEAlgNotAllowed):
        edge_jwt.verify(token, jwks, algorithms=["RS256"])
    other = make_key("ES256")
    with pytest.raises(errors.JWKSNoMatchingKey):
        edge_jwt.verify(other.sign(claims()), jwks)
    with pytest.raises(errors.JWSInvalid):
        edge_jwt.verify("not.a.token!", jwks)
    with pytest.raises(errors.JWKSInvalid):
        edge_jwt.verify(token, {"keys": 7})
    with pytest.raises(errors.JWKSInvalid):
        edge_jwt.KeySet.from_json("not json")
    # Every error is a JOSEError with a non-empty message.
    with pytest.raises(errors.JOSEError) as caught:
        edge_jwt.verify(token, None)
    assert caught.value.code == "ERR_JWKS_NO_MATCHING_KEY" and str(caught.value)


def test_bad_options_are_type_or_value_errors(jwks: Dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        edge_jwt.verify("a.b.c", jwks, algorithms="RS256")
    with pytest.raises(TypeError):
        edge_jwt.verify("a.b.c", jwks, issuer=7)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        edge_jwt.verify("a.b.c", jwks, clock_tolerance="soon")
    with pytest.raises(ValueError):
        edge_jwt.verify("a.b.c", jwks, max_token_age=-1)
    with pytest.raises(TypeError):
        edge_jwt.verify("a.b.c", 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        edge_jwt.verify("a.b.c", jwks, current_date="today")
    with pytest.raises(TypeError):
        edge_jwt.verify("a.b.c", secret=3.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        edge_jwt.KeySet.from_json(12)


def test_jose_duration_strings() -> None:
    assert _options.duration_seconds("30s", "x") == 30
    assert _options.duration_seconds("5 minutes", "x") == 300
    assert _options.duration_seconds("1.5 days", "x") == 129600
    assert _options.duration_seconds("2 h ago", "x") == -7200
    with pytest.raises(ValueError):
        _options.duration_seconds("-2 h ago", "x")


def test_averify_matches_verify(keys: Dict[str, SigningKey], jwks: Dict[str, Any]) -> None:
    token = keys["EdDSA"].sign(claims())

    async def main() -> Any:
        return await edge_jwt.averify(token, jwks, subject="user-1")

    assert asyncio.run(main()).payload == edge_jwt.verify(token, jwks, subject="user-1").payload


def test_threads_verifying_at_once_all_get_the_right_answer(keys: Dict[str, SigningKey], jwks: Dict[str, Any]) -> None:
    """Two threads verify with one KeySet at the same time (the native code runs with the GIL
    released): every answer is the right one."""
    key_set = edge_jwt.KeySet.from_json(jwks)
    token = keys["RS256"].sign(claims())
    results: list[str] = []

    def work() -> None:
        for _ in range(200):
            results.append(edge_jwt.verify(token, key_set).payload["sub"])

    threads = [threading.Thread(target=work) for _ in range(2)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == ["user-1"] * 400
    assert time.perf_counter() - started < 30


def test_a_weak_or_p521_key_is_judged_alike_by_both_providers() -> None:
    key = make_key("ES512")
    token = key.sign(claims())
    set_ = {"keys": [key.jwk]}
    for provider in PROVIDERS:
        assert verify_with(provider, token, set_).payload["sub"] == "user-1"
    small = SigningKey("RS256", __import__("cryptography.hazmat.primitives.asymmetric.rsa", fromlist=["x"]).generate_private_key(65537, 1024), "small")
    weak = small.sign(claims())
    for provider in PROVIDERS:
        with pytest.raises(errors.JWSSignatureVerificationFailed) as caught:
            verify_with(provider, weak, {"keys": [small.jwk]})
        assert "2048" in str(caught.value)


def test_the_native_module_raises_the_coded_classes() -> None:
    with pytest.raises(errors.JWKSInvalid) as caught:
        _native.KeySet.from_json("{}")
    assert caught.value.code == "ERR_JWKS_INVALID" and str(caught.value)
