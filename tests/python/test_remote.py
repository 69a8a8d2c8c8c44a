"""RemoteKeySet against a real JWKS server on loopback, sync (``verify``) and async (``averify``),
with the server's request count asserted: cold start, rotation, the unknown-kid cooldown, every
fault (status, HTML, reset, timeout, redirect, size) with and without cached keys, Cache-Control,
stale-while-revalidate, stale-if-error, ``initial``, ``reload``, and one fetch shared by 100 asyncio
tasks (or 20 threads) on a cold cache while the event loop keeps running."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Callable, Dict, Iterator

import pytest

import edge_jwt
from edge_jwt import errors, remote

from conftest import claims, make_key
from jwks_server import JwksServer

MODES = ["sync", "async"]


@pytest.fixture
def server() -> Iterator[JwksServer]:
    srv = JwksServer()
    yield srv
    srv.close()


class Clock:
    """The cache's clock, moved by the test (ms)."""

    def __init__(self) -> None:
        self.now = time.time() * 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds * 1000.0


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(remote, "_clock", fake)
    return fake


_loop: Dict[str, asyncio.AbstractEventLoop] = {}


@pytest.fixture(autouse=True)
def event_loop_for_async_mode() -> Iterator[None]:
    """One event loop per test for the async mode, as an app has: background refreshes started by
    one request run while later requests are served."""
    loop = asyncio.new_event_loop()
    _loop["loop"] = loop
    yield
    loop.run_until_complete(asyncio.sleep(0))
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()
    _loop.clear()


def run(mode: str, token: str, keys: Any, **options: Any) -> edge_jwt.VerifiedToken:
    if mode == "sync":
        return edge_jwt.verify(token, keys, **options)
    return _loop["loop"].run_until_complete(edge_jwt.averify(token, keys, **options))


def fails(mode: str, token: str, keys: Any, cls: type) -> errors.JOSEError:
    with pytest.raises(cls) as caught:
        run(mode, token, keys)
    return caught.value


@pytest.mark.parametrize("mode", MODES)
def test_cold_start_fetches_once_then_answers_from_the_cache(mode: str, server: JwksServer, clock: Clock) -> None:
    key = make_key("EdDSA")
    server.set(jwks={"keys": [key.jwk]})
    ks = edge_jwt.RemoteKeySet(server.url, headers={"x-api-key": "k-1"})
    for _ in range(5):
        assert run(mode, key.sign(claims()), ks).payload["sub"] == "user-1"
    assert server.count == 1
    sent = {name.lower(): value for name, value in server.requests[0]["headers"].items()}
    assert sent["accept"].startswith("application/json") and sent["x-api-key"] == "k-1"
    stats = ks.stats()
    assert (stats["fetches"], stats["hits"], stats["key_count"], stats["failures"]) == (1, 5, 1, 0)
    assert ks.fresh and ks.jwks() == {"keys": [key.jwk]}


@pytest.mark.parametrize("mode", MODES)
def test_rotation_a_new_kid_costs_one_fetch_and_unknown_kids_wait_for_the_cooldown(
    mode: str, server: JwksServer, clock: Clock
) -> None:
    old, new = make_key("ES256"), make_key("ES256")
    server.set(jwks={"keys": [old.jwk]})
    ks = edge_jwt.RemoteKeySet(server.url, cooldown=30)
    run(mode, old.sign(claims()), ks)
    clock.advance(31)  # past the cooldown since that fetch, keys still fresh
    server.set(jwks={"keys": [new.jwk]})
    assert run(mode, new.sign(claims()), ks).payload["sub"] == "user-1"
    assert server.count == 2
    # The old key was dropped by the server: its tokens now fail, without a fetch (cooldown).
    stranger = make_key("ES256")
    for token in (old.sign(claims()), stranger.sign(claims()), stranger.sign(claims())):
        fails(mode, token, ks, errors.JWKSNoMatchingKey)
    assert server.count == 2
    clock.advance(31)
    fails(mode, stranger.sign(claims()), ks, errors.JWKSNoMatchingKey)
    assert server.count == 3


FAULTS = [
    ({"status": 500}, errors.JWKSFetchFailed, "answered HTTP 500"),
    ({"status": 503, "body": "<html>down</html>", "content_type": "text/html"}, errors.JWKSFetchFailed, "HTTP 503"),
    ({"body": "<html>not json</html>", "content_type": "text/html"}, errors.JWKSFetchFailed, "not JSON"),
    ({"body": '{"keys": 7}'}, errors.JWKSInvalid, "keys"),
    ({"reset": True}, errors.JWKSFetchFailed, "could not fetch"),
    ({"delay": 3.0}, errors.JWKSTimeout, "did not answer within 1000 ms"),
    ({"status": 302, "location": "/elsewhere"}, errors.JWKSFetchFailed, "redirects are not followed"),
    ({"size": 100000, "stall": 3.0}, errors.JWKSTimeout, "did not answer within 1000 ms"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "fault,cls,words", FAULTS, ids=["500", "503-html", "html", "not-a-key-set", "reset", "timeout", "redirect", "stalled-body"]
)
def test_a_fault_with_no_cached_keys_is_the_coded_error_and_stale_keys_keep_serving(
    mode: str, fault: Dict[str, Any], cls: type, words: str, server: JwksServer, clock: Clock
) -> None:
    key = make_key("RS256")
    server.set(jwks={"keys": [key.jwk]}, **fault)
    # A timeout generous enough that only the two slow faults reach it on a loaded machine.
    ks = edge_jwt.RemoteKeySet(server.url, timeout=1.0, cooldown=10)
    started = time.monotonic()
    error = fails(mode, key.sign(claims()), ks, cls)
    assert words in str(error) and time.monotonic() - started < 5.0
    assert server.count == 1 and ks.stats()["failures"] == 1
    # A retry right away fails fast, without a request (the retry interval).
    fails(mode, key.sign(claims()), ks, cls)
    assert server.count == 1
    # The server recovers; past the retry interval the keys come.
    server.set(jwks={"keys": [key.jwk]}, headers={"cache-control": "max-age=60"})
    clock.advance(5)
    assert run(mode, key.sign(claims()), ks).payload["sub"] == "user-1"
    assert server.count == 2
    # Now stale (past max-age) and the server fails again: the old keys keep serving.
    server.set(jwks={"keys": [key.jwk]}, **fault)
    clock.advance(61)
    for _ in range(3):
        assert run(mode, key.sign(claims()), ks).payload["sub"] == "user-1"
    _wait_until(lambda: not ks.reloading)
    stats = ks.stats()
    assert stats["stale_served"] >= 3 and stats["last_error"]["code"] == cls.code
    assert server.count == 3
    # Past max-age + stale_if_error: the coded error.
    clock.advance(43200)
    fails(mode, key.sign(claims()), ks, cls)


def _wait_until(check: Callable[[], bool], seconds: float = 5.0) -> None:
    """Waits for `check`, running the test's event loop meanwhile (a background refresh of the
    async mode runs there)."""
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        _loop["loop"].run_until_complete(asyncio.sleep(0.01))
    assert check()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_no_redirect_is_followed(mode: str, status: int, server: JwksServer, clock: Clock) -> None:
    target = JwksServer()
    try:
        key = make_key("EdDSA")
        target.set(jwks={"keys": [key.jwk]})
        server.set(status=status, location=target.url)
        ks = edge_jwt.RemoteKeySet(server.url)
        fails(mode, key.sign(claims()), ks, errors.JWKSFetchFailed)
        assert (server.count, target.count) == (1, 0)
    finally:
        target.close()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("chunked", [False, True])
def test_the_body_bound_is_256_kib(mode: str, chunked: bool, server: JwksServer, clock: Clock) -> None:
    key = make_key("EdDSA")
    server.set(jwks={"keys": [key.jwk]}, size=256 * 1024, chunked=chunked)
    ks = edge_jwt.RemoteKeySet(server.url)
    assert run(mode, key.sign(claims()), ks).payload["sub"] == "user-1"
    server.set(jwks={"keys": [key.jwk]}, size=256 * 1024 + 1, chunked=chunked)
    ks = edge_jwt.RemoteKeySet(server.url)
    error = fails(mode, key.sign(claims()), ks, errors.JWKSFetchFailed)
    assert "262144" in str(error)


@pytest.mark.parametrize(
    "header,cache_max_age,fresh_for",
    [
        (None, 600, 600),
        ("max-age=120", 600, 120),
        ("max-age=5", 600, 30),  # clamped up to 30 s
        ("no-store", 600, 30),
        ("s-maxage=90, max-age=10", 600, 90),
    ],
)
def test_cache_control_sets_the_freshness(
    header: Any, cache_max_age: float, fresh_for: float, server: JwksServer, clock: Clock
) -> None:
    key = make_key("EdDSA")
    server.set(jwks={"keys": [key.jwk]}, headers={"cache-control": header} if header else {})
    ks = edge_jwt.RemoteKeySet(server.url, cache_max_age=cache_max_age)
    ks.reload_sync()
    clock.advance(fresh_for - 1)
    assert ks.fresh
    clock.advance(2)
    assert not ks.fresh


def test_stale_while_revalidate_answers_at_once_while_one_refresh_runs(server: JwksServer, clock: Clock) -> None:
    key = make_key("EdDSA")
    server.set(jwks={"keys": [key.jwk]})
    ks = edge_jwt.RemoteKeySet(server.url, cache_max_age=60)
    edge_jwt.verify(key.sign(claims()), ks)
    clock.advance(61)
    server.set(jwks={"keys": [key.jwk]}, delay=0.5)
    started = time.monotonic()
    for _ in range(20):
        edge_jwt.verify(key.sign(claims()), ks)
    assert time.monotonic() - started < 0.4, "stale keys answered without waiting"
    _wait_until(lambda: server.count == 2 and not ks.reloading)
    assert ks.fresh and server.count == 2


@pytest.mark.parametrize("mode", MODES)
def test_initial_keys_mean_no_network_on_a_cold_start(mode: str, server: JwksServer, clock: Clock) -> None:
    key, later = make_key("ES384"), make_key("ES384")
    server.set(jwks={"keys": [key.jwk, later.jwk]})
    ks = edge_jwt.RemoteKeySet(server.url, initial={"keys": [key.jwk]})
    assert run(mode, key.sign(claims()), ks).payload["sub"] == "user-1"
    assert server.count == 0
    assert run(mode, later.sign(claims()), ks).payload["sub"] == "user-1"
    assert server.count == 1


def test_reload_and_reload_sync_ignore_the_cooldown_and_raise_the_coded_error(server: JwksServer, clock: Clock) -> None:
    key = make_key("EdDSA")
    server.set(jwks={"keys": [key.jwk]})
    ks = edge_jwt.RemoteKeySet(server.url, cooldown=600)
    ks.reload_sync()
    _loop["loop"].run_until_complete(ks.reload())
    assert server.count == 2 and ks.cooling_down
    server.set(status=500)
    with pytest.raises(errors.JWKSFetchFailed):
        ks.reload_sync()
    with pytest.raises(errors.JWKSFetchFailed):
        _loop["loop"].run_until_complete(ks.reload())
    assert ks.stats()["failures"] == 2


def test_options_are_checked() -> None:
    for url in ("not a url", "ftp://x/jwks", "/relative"):
        with pytest.raises(ValueError):
            edge_jwt.RemoteKeySet(url)
    with pytest.raises(ValueError):
        edge_jwt.RemoteKeySet("https://x/jwks", timeout=-1)
    with pytest.raises(TypeError):
        edge_jwt.RemoteKeySet("https://x/jwks", cooldown="30s")  # type: ignore[arg-type]
    with pytest.raises(errors.JWKSInvalid):
        edge_jwt.RemoteKeySet("https://x/jwks", initial={"keys": 3})


def test_100_async_tasks_on_a_cold_cache_share_one_fetch_and_the_loop_keeps_running(
    server: JwksServer, clock: Clock
) -> None:
    key = make_key("EdDSA")
    server.set(jwks={"keys": [key.jwk]}, delay=0.5)
    ks = edge_jwt.RemoteKeySet(server.url)
    tokens = [key.sign(claims(n=n)) for n in range(100)]

    async def main() -> int:
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        tick_task = asyncio.create_task(ticker())
        results = await asyncio.gather(*(edge_jwt.averify(t, ks) for t in tokens))
        stop.set()
        await tick_task
        assert [r.payload["n"] for r in results] == list(range(100))
        return ticks

    ticks = asyncio.run(main())
    assert server.count == 1
    assert ticks >= 20, f"the event loop was blocked during the 0.5 s fetch ({ticks} ticks)"


def test_20_threads_on_a_cold_cache_share_one_fetch(server: JwksServer, clock: Clock) -> None:
    key = make_key("PS256")
    server.set(jwks={"keys": [key.jwk]}, delay=0.3)
    ks = edge_jwt.RemoteKeySet(server.url)
    token = key.sign(claims())
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(edge_jwt.verify(token, ks).payload["sub"])) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == ["user-1"] * 20 and server.count == 1


def test_10000_random_unknown_kids_within_one_cooldown_cost_at_most_one_fetch(server: JwksServer, clock: Clock) -> None:
    key = make_key("EdDSA")
    server.set(jwks={"keys": [key.jwk]})
    ks = edge_jwt.RemoteKeySet(server.url)
    edge_jwt.verify(key.sign(claims()), ks)
    clock.advance(31)
    header = key.sign(claims()).split(".")
    import base64
    import json as _json

    failures = 0
    for n in range(10000):
        head = base64.urlsafe_b64encode(_json.dumps({"alg": "EdDSA", "kid": f"k{n}"}).encode()).rstrip(b"=").decode()
        try:
            edge_jwt.verify(f"{head}.{header[1]}.{header[2]}", ks)
        except errors.JWKSNoMatchingKey:
            failures += 1
    assert failures == 10000 and server.count == 2
