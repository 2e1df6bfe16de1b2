"""The client's address, read the same way by the audit log, the rate limits and the login
lockout.

Behind nginx every request comes from the proxy. ``X-Forwarded-For`` is read only when the
immediate peer (``REMOTE_ADDR``) is one of ``TRUSTED_PROXIES`` (addresses or networks; empty by
default, so a client cannot name its own address). The header is read from the right: the
first address that is not itself a trusted proxy is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress._BaseNetwork, ...]:
    return tuple(ipaddress.ip_network(s.strip(), strict=False) for s in spec if s.strip())


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def trusted_proxies() -> tuple[ipaddress._BaseNetwork, ...]:
    spec = getattr(settings, "TRUSTED_PROXIES", ()) or ()
    if isinstance(spec, str):
        spec = spec.split(",")
    return _networks(tuple(spec))


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or the forwarded address when a trusted proxy
    sent the request."""
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR") or None
    networks = trusted_proxies()
    if not peer or not networks or not _trusted(peer, networks):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a malformed chain: trust nothing beyond the proxy
        if not _trusted(hop, networks):
            return hop
    return peer
