"""The ASGI application: plain HTTP through Django's WSGI handler, websockets through Channels.

Every view is synchronous. Django's ASGI handler runs a sync view with three thread hops per
request (its middleware chain, the async core, the view); measured on the 2-core reference
machine, that doubled the CPU of a small request (3.5 ms against 1.5 ms). a2wsgi gives the
WSGI handler one thread pool per process instead: one hop, the same Django, the same
middleware. Websockets stay on Channels' async consumers.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
get_asgi_application()  # django.setup() and the app registry, before the imports below


from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import get_resolver, path  # noqa: E402

from core.consumers import LiveConsumer  # noqa: E402
from core.events import bind_server_loop  # noqa: E402
from core.gctune import tune_for_server  # noqa: E402
from core.outbox import load_sender  # noqa: E402
from core.wsgi_bridge import BufferedWSGIMiddleware  # noqa: E402

django_http = BufferedWSGIMiddleware(get_wsgi_application(), workers=settings.WEB_THREADS)


async def http(scope, receive, send):
    bind_server_loop()
    await django_http(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": http,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter([path("ws/live/", LiveConsumer.as_asgi())]))
        ),
    }
)

# Load now what the first requests would otherwise load while others wait on the interpreter
# (the views behind the URLconf; Celery's sending side), before the collector freezes it.
get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view
load_sender()
tune_for_server()
