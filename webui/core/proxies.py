"""The client's address behind reverse proxies, believed only from the proxies we trust.

Behind a proxy every request comes from the proxy's address: limits per address would lock
everyone out together, and the login history would show the proxy. The proxy says who the
client is in ``X-Forwarded-For``, but anyone can send that header, so it is read only when
the request comes from an address in ``TRUSTED_PROXIES`` (off by default). The list is read
from the right (the entry the nearest proxy appended) and the first address that is not a
trusted proxy is the client — werkzeug's ProxyFix instead trusts a number of entries from
whoever sends them, which lets anyone who can reach the app directly choose their address.
"""

from __future__ import annotations

import ipaddress

from webui.core.config import InsecureConfiguration

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> tuple[Network, ...]:
    """``"127.0.0.1, 10.0.0.0/8 ::1"`` -> networks; refuses what is not an address."""
    networks = []
    for item in value.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise InsecureConfiguration(
                f"TRUSTED_PROXIES: {item!r} is not an IP address or network (e.g. 10.0.0.0/8)."
            ) from None
    return tuple(networks)


def ip_address(value: str):
    """The address in ``value`` (an IPv4-mapped IPv6 address as IPv4), or None. Some proxies
    write the client's port too ("203.0.113.5:4711", "[2001:db8::1]:4711"): it is dropped,
    or every such client would count as the proxy itself."""
    text = value.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


class TrustedProxies:
    """WSGI middleware: ``REMOTE_ADDR`` becomes the client's address when a trusted proxy
    forwarded the request; the proxy's own address is kept in ``proxy.peer``."""

    def __init__(self, app, networks: tuple[Network, ...]):
        self.app, self.networks = app, networks

    def trusted(self, address) -> bool:
        return address is not None and any(address in network for network in self.networks)

    def client(self, peer: str, forwarded_for: str) -> str:
        if not self.trusted(ip_address(peer)):
            return peer
        client = peer
        for entry in reversed(forwarded_for.split(",")):
            address = ip_address(entry)
            if address is None:  # not written by a proxy of ours: stop at what we know
                break
            client = str(address)
            if not self.trusted(address):
                break
        return client

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR", "")
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            environ["proxy.peer"] = peer
            environ["REMOTE_ADDR"] = self.client(peer, forwarded)
        return self.app(environ, start_response)


def init_app(app) -> None:
    """Wrap the app when ``TRUSTED_PROXIES`` names any proxy."""
    networks = parse_networks(str(app.config.get("TRUSTED_PROXIES") or ""))
    if networks:
        app.wsgi_app = TrustedProxies(app.wsgi_app, networks)
