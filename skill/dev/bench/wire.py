"""HTTP/1.1 on raw sockets: cheap enough that the load generator is not what is measured."""

from __future__ import annotations

import socket

from . import BenchError

RAW_HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def raw_post(body: bytes, headers: dict[str, str]) -> bytes:
    head = ["POST / HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json; charset=utf-8",
            f"Content-Length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def parse_response(buf: bytearray):
    """(status, headers, body) of the first complete response in ``buf`` (removed), or None."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise BenchError("chunked responses are not expected from these apps")
    total = end + 4 + int(headers.get("content-length", "0"))
    if len(buf) < total:
        return None
    body = bytes(buf[end + 4:total])
    del buf[:total]
    return status, headers, body


class Client:
    """One blocking keep-alive connection."""

    def __init__(self, port: int, timeout: float = 15.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def request(self, raw: bytes):
        self.sock.sendall(raw)
        for _ in range(100_000):  # bounded; each recv also has the socket timeout
            parsed = parse_response(self.buf)
            if parsed is not None:
                return parsed
            data = self.sock.recv(262144)
            if not data:
                raise ConnectionError("server closed the connection")
            self.buf += data
        raise BenchError("response too long")

    def close(self) -> None:
        self.sock.close()
