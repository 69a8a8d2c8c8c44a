"""Cross-language agreement: every case of the package case table (tests/package/cases.mjs, tokens
signed by jose and node:crypto) through Python, with both crypto providers, against what the
installed npm package answers for the same case: the same verdict, code, error class, claim,
reason, message and payload."""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional

import pytest

from edge_jwt import _options, _verify, errors

from conftest import PROVIDERS, decode_special

OPTION_NAMES = {
    "algorithms": "algorithms",
    "issuer": "issuer",
    "audience": "audience",
    "subject": "subject",
    "typ": "typ",
    "clockTolerance": "clock_tolerance",
    "maxTokenAge": "max_token_age",
    "requiredClaims": "required_claims",
    "secret": "secret",
}


def same(a: Any, b: Any) -> bool:
    """JSON equality with JavaScript's numbers: every number is a double."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        x, y = float(a), float(b)
        return x == y or (math.isnan(x) and math.isnan(y))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b) and type(a) is type(b)


def python_outcome(case: Dict[str, Any], provider: str) -> Optional[Dict[str, Any]]:
    """What Python answers for the case, in the shape of the npm answer; None when the case uses
    an option the Python API does not have."""
    options = decode_special(case["options"])
    if any(name not in OPTION_NAMES and name != "currentDateMs" for name in options):
        return None
    kwargs = {OPTION_NAMES[name]: value for name, value in options.items() if name in OPTION_NAMES}
    now = math.floor(options["currentDateMs"] / 1000) if "currentDateMs" in options else None
    try:
        built = _options.build(
            secret=kwargs.get("secret"),
            algorithms=kwargs.get("algorithms"),
            issuer=kwargs.get("issuer"),
            audience=kwargs.get("audience"),
            subject=kwargs.get("subject"),
            typ=kwargs.get("typ"),
            clock_tolerance=kwargs.get("clock_tolerance", 0),
            max_token_age=kwargs.get("max_token_age"),
            required_claims=kwargs.get("required_claims"),
        )
        verified = _verify.verify_with(
            case["token"], case["keys"], built, _options.now_seconds(now), provider
        )
    except errors.JOSEError as error:
        return {
            "ok": False,
            "code": error.code,
            "name": type(error).__name__,
            "claim": getattr(error, "claim", None),
            "reason": getattr(error, "reason", None),
            "payload": getattr(error, "payload", None),
            "message": str(error),
        }
    except (TypeError, ValueError) as error:
        return {"ok": False, "code": None, "name": "TypeError", "message": str(error)}
    return {"ok": True, "payload": verified.payload, "header": verified.protected_header}


def differences(npm: Dict[str, Any], py: Dict[str, Any]) -> List[str]:
    npm = decode_special(npm)
    if npm["ok"] != py["ok"]:
        return [f"verdict: npm {npm} / python {py}"]
    if npm["ok"]:
        return [
            f"{part}: npm {npm[part]!r} / python {py[part]!r}"
            for part in ("payload", "header")
            if not same(npm[part], py[part])
        ]
    if npm["code"] is None:  # an options error in JavaScript (TypeError)
        return [] if py["code"] is None else [f"npm threw {npm['name']}, python {py['code']}"]
    out = [
        f"{part}: npm {npm[part]!r} / python {py[part]!r}"
        for part in ("code", "name", "claim", "reason", "message")
        if npm[part] != py[part]
    ]
    if npm["payload"] is not None and not same(npm["payload"], py["payload"]):
        out.append(f"error payload: npm {npm['payload']!r} / python {py['payload']!r}")
    return out


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_case_agrees_with_the_npm_package(case_table: List[Dict[str, Any]], provider: str) -> None:
    compared = 0
    skipped: List[str] = []
    mismatches: List[str] = []
    for case in case_table:
        if not isinstance(case["token"], str):
            skipped.append(f"{case['name']} (a non-string token)")
            continue
        py = python_outcome(case, provider)
        if py is None:
            skipped.append(f"{case['name']} (options {sorted(case['options'])})")
            continue
        compared += 1
        for difference in differences(case["npm"], py):
            mismatches.append(f"{case['name']}: {difference}")
    print(f"{provider}: {compared} cases compared, {len(skipped)} skipped: {skipped}")
    assert compared >= 200, compared
    assert len(skipped) <= compared // 20, skipped
    assert not mismatches, "\n".join(mismatches)


def test_the_npm_answers_are_the_expected_ones(case_table: List[Dict[str, Any]]) -> None:
    """The exported npm answers are real: every ok case verified there, every error case failed
    with one of its expected codes."""
    for case in case_table:
        expect, npm = case["expect"], case["npm"]
        if expect.get("ok"):
            assert npm["ok"], case["name"]
        else:
            codes = expect["code"] if isinstance(expect["code"], list) else [expect["code"]]
            assert not npm["ok"] and npm["code"] in codes, (case["name"], npm)
