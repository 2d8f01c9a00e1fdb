"""An open-loop HTTP load sender (wrk2-style) for bench/load.py: requests leave on a fixed schedule, whether or
not earlier ones have been answered, so a slow answer cannot hold the next request back.

Request i is due at start + i / rate. When it is due it goes out on an idle keep-alive connection, or a new one
if all are busy (never waiting for one), and its latency is counted from when it was due, not from when it
left: a sender that falls behind its schedule still charges the delay to the site (no coordinated omission).
The mix is bench/load.lua's: 20% browse, 15% search, 20% movie, 10% similar, 15% picks, 15% rating writes,
5% home page, each as a random user (API token).
"""
import asyncio
import json
import random
from dataclasses import dataclass, field

WORDS = ["the", "love", "star", "man", "war", "night", "day", "life", "girl", "city"]
TIMEOUT_SECONDS = 10
IDLE_SECONDS = 1.0  # the longest a keep-alive connection waits idle before it is reused (gunicorn's keep-alive: 2 s)


@dataclass
class Result:
    """What one schedule gave: per kind of request, latencies (ms, from when due) and errors."""

    rate: float
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    late_ms: list[float] = field(default_factory=list)  # how late each request left (the sender's own lag)
    statuses: dict[int, int] = field(default_factory=dict)  # the error answers, by HTTP status
    connections: int = 0
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (when due, monotonic s; latency ms)

    def all_latencies(self) -> list[float]:
        return [ms for values in self.latencies.values() for ms in values]


def pick_request(rng: random.Random, tokens: list[str], movies: list[int]) -> tuple[str, str, str, bytes]:
    """(kind, method, path, body) of bench/load.lua's mix."""
    movie, r = rng.choice(movies), rng.randint(1, 100)
    if r <= 20:
        return "browse", "GET", f"/api/movies/?page={rng.randint(1, 100)}", b""
    if r <= 35:
        return "search", "GET", f"/api/movies/?search={rng.choice(WORDS)}", b""
    if r <= 55:
        return "movie", "GET", f"/api/movies/{movie}/", b""
    if r <= 65:
        return "similar", "GET", f"/api/movies/{movie}/similar/?kind=ratings", b""
    if r <= 80:
        return "picks", "GET", "/api/me/picks/", b""
    if r <= 95:
        body = json.dumps({"value": rng.randint(1, 10) / 2}).encode()
        return "rating write", "PUT", f"/api/me/ratings/{movie}/", body
    return "home page", "GET", "/", b""


class _Connections:
    """Idle keep-alive connections to one host and port; a new one whenever none is idle. A connection idle for
    longer than IDLE_SECONDS is closed, not reused: gunicorn closes keep-alive connections after 2 s, and a
    request sent on one it has just closed would fail through no fault of the site."""

    def __init__(self, host: str, port: int):
        self.host, self.port, self.idle, self.opened = host, port, [], 0

    async def take(self, loop) -> tuple[tuple, bool]:
        """A connection and whether it was reused."""
        while self.idle:
            connection, since = self.idle.pop()
            if loop.time() - since < IDLE_SECONDS:
                return connection, True
            connection[1].close()
        return await self.new(), False

    async def new(self):
        self.opened += 1
        return await asyncio.open_connection(self.host, self.port)

    def give_back(self, connection, loop) -> None:
        self.idle.append((connection, loop.time()))


async def _exchange(connection, method: str, path: str, token: str, body: bytes) -> int:
    reader, writer = connection
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token {token}\r\n"
            + (f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n" if method != "GET" else "")
            + "\r\n")
    writer.write(head.encode() + body)
    await writer.drain()
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length, chunked, closing = 0, False, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection" and value == "close":
            closing = True
    if chunked:
        while size := int((await reader.readline()).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readline()
    else:
        await reader.readexactly(length)
    return -status if closing else status


async def run_schedule(host: str, port: int, *, rate: float, seconds: float, tokens: list[str], movies: list[int],
                       seed: int = 1) -> Result:
    """Send rate × seconds requests on schedule; wait for the last answers (at most TIMEOUT_SECONDS more)."""
    rng, pool = random.Random(seed), _Connections(host, port)
    result = Result(rate, seconds)
    loop = asyncio.get_running_loop()

    async def one(due: float, kind: str, method: str, path: str, body: bytes) -> None:
        connection, token = None, rng.choice(tokens)
        try:
            connection, reused = await pool.take(loop)
            try:
                status = await asyncio.wait_for(_exchange(connection, method, path, token, body), TIMEOUT_SECONDS)
            except (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError, IndexError):
                if not reused:
                    raise
                # Closed by the server while idle, before any answer: again on a new connection, as clients do.
                connection[1].close()
                connection = await pool.new()
                status = await asyncio.wait_for(_exchange(connection, method, path, token, body), TIMEOUT_SECONDS)
            if abs(status) >= 400:
                result.errors[kind] = result.errors.get(kind, 0) + 1
                result.statuses[abs(status)] = result.statuses.get(abs(status), 0) + 1
            if status > 0:
                pool.give_back(connection, loop)
            else:
                connection[1].close()
            result.latencies.setdefault(kind, []).append((loop.time() - due) * 1000)
            result.timeline.append((due, (loop.time() - due) * 1000))
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            result.errors[kind] = result.errors.get(kind, 0) + 1
            if connection is not None:
                connection[1].close()

    tasks, start, total = [], loop.time() + 0.05, int(rate * seconds)
    for number in range(total):
        due = start + number / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        result.late_ms.append(max(0.0, loop.time() - due) * 1000)
        tasks.append(asyncio.create_task(one(due, *pick_request(rng, tokens, movies))))
    await asyncio.gather(*tasks)
    result.connections = pool.opened
    for (_, writer), _since in pool.idle:
        writer.close()
    return result


def send(base: str, **kwargs) -> Result:
    """run_schedule on http://host:port, from synchronous code."""
    host, port = base.removeprefix("http://").split(":")
    return asyncio.run(run_schedule(host, int(port), **kwargs))
