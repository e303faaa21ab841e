"""Refuse any network access beyond the loopback interface during tests.

Wire it in tests/conftest.py (owned by the lead) as an autouse fixture:

    import pytest
    from testkit.network_guard import install_guard

    @pytest.fixture(autouse=True)
    def _no_network(monkeypatch):
        install_guard(monkeypatch)

Two patches, because neither alone catches everything:

- `socket.getaddrinfo`: every client that starts from a host name resolves it
  here (requests/urllib3, httpx, asyncio's loop.getaddrinfo, aiohttp,
  socket.create_connection, which looks the module global up at call time).
- `socket.socket.connect` / `connect_ex`: asyncio skips getaddrinfo for a
  numeric address such as "93.184.216.34", so the connect itself is checked.

Both raise RuntimeError("test tried to reach <host>"). It is not an OSError,
so the clients do not take it for a connection error: requests, openai (sync
and async, no retries) and aiohttp all let it through unwrapped, and the test
fails at the call that leaked. Only a broad `except Exception` in our own code
can hide it.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

__all__ = ["install_guard", "is_local"]

_LOCAL_NAMES = {"localhost", "localhost.", "ip6-localhost"}


def is_local(host: Any) -> bool:
    """True for loopback names and addresses (127.0.0.0/8, ::1)."""
    if host is None:
        return True  # getaddrinfo(None, port) is a lookup for binding, not a connection
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").lower()
    if host in ("", *_LOCAL_NAMES):  # "" too: a lookup for binding
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def install_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Patch socket so non-loopback lookups and connections raise RuntimeError."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any):
        if not is_local(host):
            if isinstance(host, bytes):  # anyio passes the IDNA-encoded name
                host = host.decode("ascii", "replace")
            raise RuntimeError(f"test tried to reach {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    def check(sock: socket.socket, address: Any) -> None:
        # Unix sockets and socketpairs (asyncio's self-pipe) are not network.
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_local(address[0]):
            raise RuntimeError(f"test tried to reach {address[0]}")

    def guarded_connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
