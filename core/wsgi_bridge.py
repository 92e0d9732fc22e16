"""Django's WSGI handler inside the ASGI server, with fewer thread round trips per request.

a2wsgi runs the WSGI application on a thread pool and, from that thread, hands every piece of
the exchange back to the event loop and waits for it: each chunk of the request body read, the
response start, each body chunk and the closing empty chunk (four to five waits per POST, each
a wake-up of the loop, a task and a notified condition). Here a small request body (the usual
case: a form, a JSON object, a batch of mentions) is read on the loop before the thread starts,
and a response whose content is already in memory (Django's ``HttpResponse``, ``streaming``
false) comes back as the thread's result, sent by the loop in one go. Larger bodies and
streaming responses (static files, exports) take a2wsgi's path unchanged.
"""

import contextvars

from a2wsgi.wsgi import Body, WSGIMiddleware, WSGIResponder, build_environ

PREREAD_LIMIT = 1024 * 1024  # bytes of request body read on the loop; beyond, the thread reads


class _Buffered:
    """What the application answered, kept in the thread until it returns."""

    def __init__(self, status: int, headers: list, body: bytes):
        self.status, self.headers, self.body = status, headers, body


class BufferedWSGIResponder(WSGIResponder):
    async def __call__(self, scope, receive, send) -> None:
        body = Body(self.loop, receive)
        await self._preread(body)
        environ = build_environ(scope, body)
        sender = self.loop.create_task(self.sender(send))
        try:
            context = contextvars.copy_context()
            result = await self.loop.run_in_executor(self.executor, context.run, self._run, environ)
            if isinstance(result, _Buffered):
                await send(
                    {
                        "type": "http.response.start",
                        "status": result.status,
                        "headers": result.headers,
                    }
                )
                await send({"type": "http.response.body", "body": result.body})
            await self.send_queue.put(None)
            await sender
            if self.exc_info is not None:
                raise self.exc_info[0].with_traceback(self.exc_info[1], self.exc_info[2])
        finally:
            if not sender.done():
                sender.cancel()

    @staticmethod
    async def _preread(body: Body) -> None:
        """Read the request body on the loop while it stays under ``PREREAD_LIMIT``; the
        thread reads whatever is left through a2wsgi's ``Body`` as before."""
        while body._has_more and len(body.buffer) < PREREAD_LIMIT:
            message = await body.receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                body._has_more = False
                break
            body.buffer.extend(message.get("body", b""))
            body._has_more = message.get("more_body", False)

    def _run(self, environ):
        self._started = None

        def start_response(status, headers, exc_info=None):
            self.exc_info = exc_info
            self._started = (status, headers)
            return self._write

        iterable = self.app(environ, start_response)
        try:
            if (
                getattr(iterable, "streaming", True) is False
                and self._started is not None
                and not self.response_started
            ):
                status, headers = self._started
                return _Buffered(_status(status), _encode(headers), b"".join(iterable))
            for chunk in iterable:
                self._write(chunk)
            self._start()
            self.send({"type": "http.response.body", "body": b""})
            return None
        finally:
            getattr(iterable, "close", lambda: None)()

    def _start(self) -> None:
        if not self.response_started:
            self.response_started = True
            status, headers = self._started
            self.send(
                {
                    "type": "http.response.start",
                    "status": _status(status),
                    "headers": _encode(headers),
                }
            )

    def _write(self, chunk: bytes) -> None:
        """A chunk of a streaming response (and WSGI's legacy ``write()``)."""
        self._start()
        self.send({"type": "http.response.body", "body": chunk, "more_body": True})


def _status(status: str) -> int:
    return int(status.split(" ", 1)[0])


def _encode(headers: list) -> list:
    return [
        (name.strip().encode("latin1").lower(), value.strip().encode("latin1"))
        for name, value in headers
    ]


class BufferedWSGIMiddleware(WSGIMiddleware):
    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            responder = BufferedWSGIResponder(self.app, self.executor, self.send_queue_size)
            return await responder(scope, receive, send)
        return await super().__call__(scope, receive, send)
