"""Who may talk to the site: the Host header against an allow-list (no DNS rebinding), and every
state-changing request from this site's own pages (no cross-site writes).  Called once per
request by the app's middleware (app/web/main.py), never by a route.

    hosts = allowed_hosts("0.0.0.0", "chidao.so-noi-vu.gov.vn")
    refusal(method, headers, hosts)   # None, or (status, Vietnamese reason)

- Host: a loopback name (localhost, 127.0.0.0/8, ::1), the address the site is bound to, or a
  name given in CHIDAO_HOSTS; anything else is answered 400 before a route runs, so a page on a
  rebinding domain can neither read an export nor change a task.
- POST, PUT, PATCH, DELETE: the Origin header (or, when a browser sends none, the Referer) must
  name the very host the request was sent to.  `Origin: null` (a sandboxed frame, a file:// page)
  and a request with neither header are refused 403: a form on another site cannot drive a
  clerk's browser, and a script must say where it comes from (scripts using the shared token
  send `Origin: http://HOST:PORT` with it).
"""
from __future__ import annotations

import ipaddress
import urllib.parse
from typing import Mapping, Optional

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
WILDCARDS = frozenset({"", "0.0.0.0", "::", "[::]"})
FOREIGN = ("Yêu cầu thay đổi bị từ chối: nó không đến từ chính trang chidao (thiếu tiêu đề Origin hoặc Origin "
           "của trang khác). Hãy mở trang chidao trực tiếp trong trình duyệt rồi làm lại thao tác.")


def host_name(value: str) -> str:
    """The name part of a Host header or a URL's netloc, lower case, without the port or brackets."""
    value = (value or "").strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    if value.count(":") > 1:          # a bare IPv6 address
        return value
    return value.rsplit(":", 1)[0] if ":" in value else value


def is_loopback_name(name: str) -> bool:
    name = host_name(name) if name.startswith("[") else name.strip().lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_hosts(bind: str, configured: Optional[str]) -> frozenset[str]:
    """The names (besides loopback ones) the site answers to: the bound address unless it is a
    wildcard, and CHIDAO_HOSTS's comma-separated names."""
    names = {host_name(n) for n in (configured or "").split(",") if n.strip()}
    if bind.strip() not in WILDCARDS:
        names.add(host_name(bind) if bind.startswith("[") else bind.strip().lower())
    return frozenset(names)


def host_refusal(host: str, hosts: frozenset[str]) -> Optional[str]:
    name = host_name(host)
    if name and (is_loopback_name(name) or name in hosts):
        return None
    shown = (host or "")[:80] or "(trống)"
    return (f"Tên máy chủ “{shown}” không được phép truy cập chidao. Hãy mở trang bằng địa chỉ máy chủ thật "
            f"(ví dụ http://127.0.0.1:8000/), hoặc quản trị viên thêm tên này vào biến CHIDAO_HOSTS.")


def origin_refusal(method: str, headers: Mapping[str, str]) -> Optional[str]:
    """None when the request changes nothing or comes from the host it was sent to."""
    if method.upper() not in UNSAFE_METHODS:
        return None
    host = (headers.get("host") or "").strip().lower()
    origin = headers.get("origin")
    source = origin if origin is not None else headers.get("referer")
    if not source or source.strip().lower() == "null":
        return FOREIGN
    parts = urllib.parse.urlsplit(source.strip())
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host:
        return FOREIGN
    return None


def refusal(method: str, headers: Mapping[str, str], hosts: frozenset[str]) -> Optional[tuple[int, str]]:
    """(status, reason) when the request must not reach a route, else None."""
    reason = host_refusal(headers.get("host") or "", hosts)
    if reason:
        return 400, reason
    reason = origin_refusal(method, headers)
    if reason:
        return 403, reason
    return None
