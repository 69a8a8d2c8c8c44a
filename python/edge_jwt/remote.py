"""Remote key sets: the network side of the cache. Every decision (are the keys fresh, may an
unknown ``kid`` refetch, how long stale keys may serve, what ``Cache-Control`` means) is made by the
Rust core's I/O-free policy (``src/remote.rs``); this module performs the fetches it asks for with
``httpx``, and shares one fetch between concurrent verifications, whether threads or asyncio tasks.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Set, Tuple
from urllib.parse import urlsplit

from . import _native
from ._verify import VerifiedToken, result
from .errors import JOSEError, JWKSFetchFailed, JWKSInvalid, JWKSNoMatchingKey, JWKSTimeout

if TYPE_CHECKING:
    import httpx

__all__ = ["RemoteKeySet"]

MAX_BODY_BYTES = 256 * 1024
_ACCEPT = "application/json, application/jwk-set+json"


def _clock() -> float:
    return time.time() * 1000.0


def _duration_ms(value: Any, name: str, allow_infinity: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds")
    if math.isnan(value) or value < 0 or (not allow_infinity and math.isinf(value)):
        raise ValueError(
            f"{name} must be a non-negative number of seconds{' (or math.inf)' if allow_infinity else ''}"
        )
    return float(value) * 1000.0


class _Flight:
    """One fetch in progress: threads wait on ``done``; tasks of the loop that started it await
    ``future``."""

    __slots__ = ("done", "error", "future", "loop")

    def __init__(self, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        self.done = threading.Event()
        self.error: Optional[JOSEError] = None
        self.loop = loop
        self.future: Optional["asyncio.Future[None]"] = loop.create_future() if loop else None


class RemoteKeySet:
    """A key set fetched from ``url`` (Better Auth: ``https://your.app/api/auth/jwks``) and cached:
    refetched on an unknown ``kid`` at most once per ``cooldown``, one fetch shared by concurrent
    verifications, served stale while refreshing or while the server fails (for up to
    ``stale_if_error`` past its max-age). Durations are seconds."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 5.0,
        cooldown: float = 30.0,
        cache_max_age: float = 600.0,
        stale_if_error: float = 43200.0,
        headers: Optional[Mapping[str, str]] = None,
        initial: Optional[Mapping[str, Any]] = None,
    ) -> None:
        if not isinstance(url, str):
            raise TypeError("url must be an absolute http(s) URL string")
        try:
            parsed = urlsplit(url)
            valid = parsed.scheme in ("http", "https") and bool(parsed.hostname)
            parsed.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError:
            valid = False
        if not valid or any(c.isspace() for c in url):
            raise ValueError("url must be an absolute http(s) URL")
        self._url = url
        # The origin and path, as in JavaScript: never the user info or the query in a message.
        host = parsed.netloc.rpartition("@")[2]
        self._where = f"{parsed.scheme}://{host}{parsed.path}"
        self._timeout = _duration_ms(timeout, "timeout") / 1000.0
        cooldown_ms = _duration_ms(cooldown, "cooldown")
        self._cooldown_ms = cooldown_ms
        self._cache_max_age_ms = _duration_ms(cache_max_age, "cache_max_age", True)
        self._cache = _native.RemoteCache(
            self._cache_max_age_ms, cooldown_ms, _duration_ms(stale_if_error, "stale_if_error", True)
        )
        if headers is not None and not isinstance(headers, Mapping):
            raise TypeError("headers must be a mapping of strings")
        self._headers: Dict[str, str] = {"accept": _ACCEPT, **dict(headers or {})}
        self._lock = threading.Lock()
        self._flight: Optional[_Flight] = None
        self._background: Set["asyncio.Task[None]"] = set()
        if initial is not None:
            if not isinstance(initial, Mapping):
                raise JWKSInvalid("initial must be a JWKS dict ({'keys': [...]})")
            now = _clock()
            self._cache.restore(now, json.dumps(dict(initial)).encode(), now, self._cache_max_age_ms)

    def __repr__(self) -> str:
        return f"RemoteKeySet({self._where!r})"

    # -- state -------------------------------------------------------------------------------

    @property
    def fresh(self) -> bool:
        """Whether the cached keys are within their max-age."""
        return bool(self._cache.fresh(_clock()))

    @property
    def cooling_down(self) -> bool:
        """Whether a fetch was attempted within ``cooldown``."""
        return bool(self._cache.cooling_down(_clock()))

    @property
    def reloading(self) -> bool:
        """Whether a fetch is in flight."""
        flight = self._flight
        return flight is not None and not flight.done.is_set()

    def jwks(self) -> Optional[Dict[str, Any]]:
        """A copy of the cached key set, if any."""
        text = self._cache.jwks_json()
        return None if text is None else json.loads(text)

    def stats(self) -> Dict[str, Any]:
        """hits, fetches, failures, stale_served, key_count, last_fetch_at (ms), last_error
        (``{code, message, at}`` or None)."""
        return dict(self._cache.stats())

    # -- fetching ----------------------------------------------------------------------------

    def _begin(self, loop: Optional[asyncio.AbstractEventLoop]) -> Tuple[_Flight, bool]:
        """The flight in progress to join, or a new one this caller runs (True)."""
        with self._lock:
            flight = self._flight
            if flight is not None and not flight.done.is_set():
                return flight, False
            flight = _Flight(loop)
            self._flight = flight
            return flight, True

    def _finish(self, flight: _Flight, outcome: Any) -> None:
        """Reports the download's outcome (body and Cache-Control, or an error) to the core."""
        try:
            if isinstance(outcome, BaseException):
                raise outcome
            body, cache_control = outcome
            self._cache.accept(_clock(), body, cache_control)  # counts a body that is no key set
        except JOSEError as failure:
            flight.error = failure
            if isinstance(outcome, JOSEError):
                code = "ERR_JWKS_TIMEOUT" if isinstance(outcome, JWKSTimeout) else "ERR_JWKS_FETCH_FAILED"
                self._cache.reject(_clock(), code, str(outcome))
        except BaseException as other:  # noqa: BLE001 - anything else is a failed fetch
            unexpected = JWKSFetchFailed(f"could not fetch {self._where}: {other}")
            flight.error = unexpected
            self._cache.reject(_clock(), "ERR_JWKS_FETCH_FAILED", str(unexpected))
        finally:
            flight.done.set()
            if flight.future is not None and not flight.future.done():
                flight.future.set_result(None)

    def _check_response(self, response: httpx.Response) -> None:
        if 300 <= response.status_code < 400:
            raise JWKSFetchFailed(
                f"{self._where} answered a redirect ({response.status_code}); redirects are not followed"
            )
        if not 200 <= response.status_code < 300:
            raise JWKSFetchFailed(f"{self._where} answered HTTP {response.status_code}")
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise JWKSFetchFailed(
                f"the key set URL answered {declared} bytes; at most {MAX_BODY_BYTES} are accepted"
            )

    def _too_long(self) -> JWKSFetchFailed:
        return JWKSFetchFailed(
            f"the key set URL answered more than {MAX_BODY_BYTES} bytes; at most {MAX_BODY_BYTES} are accepted"
        )

    def _timed_out(self) -> JWKSTimeout:
        return JWKSTimeout(f"{self._where} did not answer within {round(self._timeout * 1000)} ms")

    def _download_sync(self) -> Tuple[bytes, Optional[str]]:
        import httpx

        deadline = time.monotonic() + self._timeout
        try:
            with httpx.Client(timeout=self._timeout, follow_redirects=False) as client:
                with client.stream("GET", self._url, headers=self._headers) as response:
                    self._check_response(response)
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > MAX_BODY_BYTES:
                            raise self._too_long()
                        if time.monotonic() > deadline:
                            raise self._timed_out()
                    return bytes(body), response.headers.get("cache-control")
        except JOSEError:
            raise
        except httpx.TimeoutException:
            raise self._timed_out() from None
        except Exception as other:  # noqa: BLE001
            raise JWKSFetchFailed(f"could not fetch {self._where}: {other}") from None

    async def _download_async(self) -> Tuple[bytes, Optional[str]]:
        import httpx

        async def download() -> Tuple[bytes, Optional[str]]:
            async with httpx.AsyncClient(timeout=self._timeout, follow_redirects=False) as client:
                async with client.stream("GET", self._url, headers=self._headers) as response:
                    self._check_response(response)
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > MAX_BODY_BYTES:
                            raise self._too_long()
                    return bytes(body), response.headers.get("cache-control")

        try:
            return await asyncio.wait_for(download(), self._timeout)
        except JOSEError:
            raise
        except (asyncio.TimeoutError, httpx.TimeoutException):
            raise self._timed_out() from None
        except Exception as other:  # noqa: BLE001
            raise JWKSFetchFailed(f"could not fetch {self._where}: {other}") from None

    def _run_sync(self, flight: _Flight) -> None:
        try:
            outcome: Any = self._download_sync()
        except BaseException as failure:  # noqa: BLE001 - reported to the core
            outcome = failure
        self._finish(flight, outcome)

    async def _run_async(self, flight: _Flight) -> None:
        try:
            outcome: Any = await self._download_async()
        except asyncio.CancelledError:
            raise
        except BaseException as failure:  # noqa: BLE001 - reported to the core
            outcome = failure
        self._finish(flight, outcome)

    def _start_async(self, loop: asyncio.AbstractEventLoop, flight: _Flight) -> "asyncio.Task[None]":
        """Runs the fetch as its own task, so that cancelling the request that started it does not
        cancel it for the others; a task cancelled anyway (the loop shutting down) ends the
        flight without reporting an attempt."""
        task = loop.create_task(self._run_async(flight))
        self._background.add(task)

        def done(finished: "asyncio.Task[None]") -> None:
            self._background.discard(finished)
            if not flight.done.is_set():
                flight.error = JWKSFetchFailed(f"the fetch of {self._where} was cancelled")
                flight.done.set()
                if flight.future is not None and not flight.future.done():
                    flight.future.set_result(None)

        task.add_done_callback(done)
        return task

    def _fetch_shared_sync(self) -> _Flight:
        flight, own = self._begin(None)
        if own:
            self._run_sync(flight)
        else:
            flight.done.wait(self._timeout + 1.0)
        return flight

    async def _fetch_shared_async(self) -> _Flight:
        loop = asyncio.get_running_loop()
        flight, own = self._begin(loop)
        if own:
            self._start_async(loop, flight)
        if flight.loop is loop and flight.future is not None:
            await asyncio.shield(flight.future)
        else:
            await loop.run_in_executor(None, flight.done.wait, self._timeout + 1.0)
        return flight

    def _refresh_in_background_sync(self) -> None:
        flight, own = self._begin(None)
        if own:
            threading.Thread(target=self._run_sync, args=(flight,), daemon=True).start()

    def _refresh_in_background_async(self) -> None:
        loop = asyncio.get_running_loop()
        flight, own = self._begin(loop)
        if own:
            self._start_async(loop, flight)

    def reload_sync(self) -> None:
        """Fetches the key set now, ignoring the cooldown; raises the coded error if that fails."""
        flight = self._fetch_shared_sync()
        if flight.error is not None:
            raise flight.error

    async def reload(self) -> None:
        """Fetches the key set now, ignoring the cooldown; raises the coded error if that fails."""
        flight = await self._fetch_shared_async()
        if flight.error is not None:
            raise flight.error

    def _last_error(self) -> JOSEError:
        last = self._cache.stats().get("last_error")
        if last is None:
            return JWKSFetchFailed(f"no usable keys from {self._where}")
        retry = round(min(self._cooldown_ms, 5000.0))
        message = f"{last['message']} (no usable cached keys; the next attempt is at most every {retry} ms)"
        if last["code"] == "ERR_JWKS_TIMEOUT":
            return JWKSTimeout(message)
        if last["code"] == "ERR_JWKS_INVALID":
            return JWKSInvalid(message)
        return JWKSFetchFailed(message)

    # -- verification ------------------------------------------------------------------------

    def _verify_cached(self, token: str, options: Any, now: float, provider: str) -> VerifiedToken:
        return result(self._cache.verify(token, options, _clock(), now, provider))

    def _verify_sync(self, token: str, options: Any, now: float, provider: str = "native") -> VerifiedToken:
        refetched = False
        for _ in range(4):
            plan = self._cache.plan(_clock(), self.reloading)
            if plan == "fetch":
                self._fetch_shared_sync()
                if not self._cache.usable(_clock()):
                    raise self._last_error()
                continue
            if plan == "fail":
                raise self._last_error()
            if plan == "use_and_refresh":
                self._refresh_in_background_sync()
            try:
                return self._verify_cached(token, options, now, provider)
            except JWKSNoMatchingKey:
                # An unknown kid: join the fetch in flight (it may bring the key), or refetch if
                # the cooldown for unknown kids allows (the core decides and records the claim).
                if refetched or not (self.reloading or self._cache.claim_kid_refetch(_clock())):
                    raise
                refetched = True
                self._fetch_shared_sync()
        raise self._last_error()

    async def _verify_async(
        self, token: str, options: Any, now: float, provider: str = "native"
    ) -> VerifiedToken:
        refetched = False
        for _ in range(4):
            plan = self._cache.plan(_clock(), self.reloading)
            if plan == "fetch":
                await self._fetch_shared_async()
                if not self._cache.usable(_clock()):
                    raise self._last_error()
                continue
            if plan == "fail":
                raise self._last_error()
            if plan == "use_and_refresh":
                self._refresh_in_background_async()
            try:
                return self._verify_cached(token, options, now, provider)
            except JWKSNoMatchingKey:
                # An unknown kid: join the fetch in flight (it may bring the key), or refetch if
                # the cooldown for unknown kids allows (the core decides and records the claim).
                if refetched or not (self.reloading or self._cache.claim_kid_refetch(_clock())):
                    raise
                refetched = True
                await self._fetch_shared_async()
        raise self._last_error()
