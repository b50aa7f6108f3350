"""Who is signing in: the client's address, as seen through the deployment's proxies.

django-axes locks a user name per address. Behind a load balancer every request arrives from
the balancer's address, so without this one stranger's wrong guesses would lock the real editor
out from everywhere. X-Forwarded-For is only believed as far as TRUSTED_PROXY_COUNT proxies
vouch for it: each appends the address it saw, so the client is the entry that many places from
the right, and anything to its left may have been typed by the client.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
