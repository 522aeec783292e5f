"""A process that waits for a server's answer under `answered_within` while its event loop is busy
with other I/O (as the notifier is): run by tests/integration/test_answer_deadline_paused.py, which stops it
(SIGSTOP) and lets the answer come and the deadline pass before resuming it. Prints `answer` or
`timeout`. Arguments: port, deadline seconds, and `line` (a line read), `http` (the HTTP channels'
POST) or `http-httpx-timeout` (that POST timed by httpx, as before)."""

from __future__ import annotations

import asyncio
import sys
import time

import uvloop

from notifier.adapters.answer_deadline import answered_within


class _Busy(asyncio.Protocol):
    """Other I/O that keeps the loop working in its socket callbacks."""

    def data_received(self, data: bytes) -> None:
        end = time.perf_counter() + 0.005
        while time.perf_counter() < end:
            pass


async def main(port: int, deadline: float) -> None:
    loop = asyncio.get_running_loop()
    await loop.create_connection(_Busy, "127.0.0.1", port)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"waiting\n")
    await writer.drain()
    try:
        await answered_within(reader.readline(), deadline)
        print("answer", flush=True)
    except TimeoutError:
        print("timeout", flush=True)
    writer.close()


async def http(port: int, deadline: float, httpx_timeout: bool) -> None:
    """The SMS and webhook channels' POST (adapters/http_delivery.py), or (`httpx_timeout`) the same
    request timed by httpx's own timeout, as that POST was before."""
    import httpx

    from notifier.adapters.http_delivery import post
    from notifier.domain.channel import TransientFailure

    loop = asyncio.get_running_loop()
    await loop.create_connection(_Busy, "127.0.0.1", port)
    async with httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{port}/sms"
        try:
            if httpx_timeout:
                await client.post(url, content=b"{}", timeout=deadline)
            else:
                await post(client, url, b"{}", {}, deadline)
            print("answer", flush=True)
        except (TransientFailure, httpx.TimeoutException):
            print("timeout", flush=True)


if __name__ == "__main__":
    port, deadline, mode = int(sys.argv[1]), float(sys.argv[2]), (sys.argv[3:] or ["line"])[0]
    if mode == "line":
        uvloop.run(main(port, deadline))
    else:
        uvloop.run(http(port, deadline, httpx_timeout=mode == "http-httpx-timeout"))
