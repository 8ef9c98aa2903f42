"""A TCP proxy between phones and the server that a test can slow down, black-hole or reset."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct


class FaultyNetwork:
    """Runs in the test's event loop; phones connect to `url` instead of the server's."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.delay = 0.0  # seconds added to every chunk, each way
        self.flowing = asyncio.Event()  # cleared: bytes are held (a black hole that later heals)
        self.flowing.set()
        self.refusing = False  # new connections are reset at once
        self.links: set[asyncio.StreamWriter] = set()
        self.server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self.accept, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.reset()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def drop(self) -> None:
        """Wi-Fi gone quiet: connections stay open, nothing gets through until restore()."""
        self.flowing.clear()

    def reset(self) -> None:
        """Wi-Fi lost: every connection is reset and new ones are refused until restore()."""
        self.refusing = True
        for writer in list(self.links):
            _hard_close(writer)
        self.links.clear()

    def restore(self) -> None:
        self.refusing = False
        self.flowing.set()

    async def accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if self.refusing:
            _hard_close(client_w)
            return
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            _hard_close(client_w)
            return
        self.links.update((client_w, server_w))
        await asyncio.gather(
            self.pipe(client_r, server_w), self.pipe(server_r, client_w), return_exceptions=True
        )
        for writer in (client_w, server_w):
            self.links.discard(writer)
            writer.close()

    async def pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                await self.flowing.wait()
                if self.delay:
                    await asyncio.sleep(self.delay)
                sink.write(data)
                await sink.drain()
        finally:
            _hard_close(sink)


def _hard_close(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (linger 0), as a lost network looks to the other side."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
