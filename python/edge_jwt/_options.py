"""Option checking and normalisation: durations in seconds (numbers or jose's strings such as
``"30s"``), single strings as lists, the clock. Bad options raise ``TypeError`` or ``ValueError``;
the normalised options are built once per distinct set and kept."""

from __future__ import annotations

import datetime
import math
import re
import time
from typing import Any, Dict, Optional, Sequence, Tuple, Union

from . import _native

Duration = Union[int, float, str]
Secret = Union[str, bytes, bytearray, memoryview]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31557600}
_DURATION = re.compile(
    r"^(\+|-)? ?(\d+|\d+\.\d+) ?(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w"
    r"|years?|yrs?|y)(?: (ago|from now))?$",
    re.IGNORECASE,
)


def duration_seconds(text: str, option: str) -> float:
    """Seconds in a duration string such as ``"30s"``, ``"5 minutes"``, ``"1.5 days"`` (jose's
    format)."""
    match = _DURATION.match(text)
    if match is None or (match.group(4) is not None and match.group(1) is not None):
        raise ValueError(f'{option}: {text!r} is not a duration such as "30s" or "5 minutes"')
    unit = _UNITS.get(match.group(3)[0].lower(), 1)
    value = float(match.group(2)) * unit
    # JavaScript's Math.round: halves go up.
    seconds = float(math.floor(value + 0.5))
    return -seconds if match.group(1) == "-" or match.group(4) == "ago" else seconds


def seconds(value: Any, option: str) -> float:
    """A non-negative number of seconds from a number or a duration string."""
    if isinstance(value, str):
        result = duration_seconds(value, option)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = float(value)
    else:
        raise TypeError(f"{option} must be a number of seconds or a duration string such as \"30s\"")
    if not math.isfinite(result) or result < 0:
        raise ValueError(f"{option} must be a finite, non-negative number of seconds")
    return result


def string_list(value: Any, option: str, single: bool) -> Tuple[str, ...]:
    if single and isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise TypeError(f"{option} must be {'a string or ' if single else ''}a list of strings")


def secret_bytes(secret: Any) -> bytes:
    if isinstance(secret, str):
        return secret.encode("utf-8")
    if isinstance(secret, (bytes, bytearray, memoryview)):
        return bytes(secret)
    raise TypeError("secret must be str or bytes")


def now_seconds(current_date: Any) -> float:
    """jose's clock: whole seconds since the epoch, from ``current_date`` (a datetime or a number
    of seconds) or the system clock."""
    if current_date is None:
        return float(math.floor(time.time()))
    if isinstance(current_date, datetime.datetime):
        return float(math.floor(current_date.timestamp()))
    if isinstance(current_date, (int, float)) and not isinstance(current_date, bool):
        if not math.isfinite(current_date):
            raise ValueError("current_date must be finite")
        return float(math.floor(current_date))
    raise TypeError("current_date must be a datetime or a number of seconds since the epoch")


_Key = Tuple[Any, ...]
_cache: Dict[_Key, "_native.Options"] = {}


def build(
    *,
    secret: Optional[Secret],
    algorithms: Optional[Sequence[str]],
    issuer: Union[str, Sequence[str], None],
    audience: Union[str, Sequence[str], None],
    subject: Optional[str],
    typ: Optional[str],
    clock_tolerance: Duration,
    max_token_age: Optional[Duration],
    required_claims: Optional[Sequence[str]],
) -> "_native.Options":
    """The native options for these arguments (kept for the next call with equal arguments)."""
    key: _Key = (
        bytes(secret) if isinstance(secret, (bytearray, memoryview)) else secret,
        tuple(algorithms) if isinstance(algorithms, list) else algorithms,
        tuple(issuer) if isinstance(issuer, list) else issuer,
        tuple(audience) if isinstance(audience, list) else audience,
        subject,
        typ,
        clock_tolerance,
        max_token_age,
        tuple(required_claims) if isinstance(required_claims, list) else required_claims,
    )
    try:
        cached = _cache.get(key)
    except TypeError:  # an unhashable option: checked below, which raises the right error
        cached = None
    if cached is not None:
        return cached
    if subject is not None and not isinstance(subject, str):
        raise TypeError("subject must be a string")
    if typ is not None and not isinstance(typ, str):
        raise TypeError("typ must be a string")
    options = _native.Options(
        secret=None if secret is None else secret_bytes(secret),
        algorithms=None if algorithms is None else list(string_list(algorithms, "algorithms", False)),
        issuer=None if issuer is None else list(string_list(issuer, "issuer", True)),
        audience=None if audience is None else list(string_list(audience, "audience", True)),
        subject=subject,
        typ=typ,
        clock_tolerance=seconds(clock_tolerance, "clock_tolerance"),
        max_token_age=None if max_token_age is None else seconds(max_token_age, "max_token_age"),
        required_claims=[]
        if required_claims is None
        else list(string_list(required_claims, "required_claims", False)),
    )
    if len(_cache) >= 64:
        _cache.clear()
    _cache[key] = options
    return options
