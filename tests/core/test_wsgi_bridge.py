"""Django's WSGI handler inside the ASGI server (core/wsgi_bridge.py): what a client receives."""

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse, StreamingHttpResponse

from core import wsgi_bridge
from core.wsgi_bridge import BufferedWSGIMiddleware

pytestmark = pytest.mark.asyncio


def _scope(path="/", method="POST"):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/octet-stream")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _exchange(app, chunks: list[bytes], path="/", method="POST") -> list[dict]:
    communicator = ApplicationCommunicator(app, _scope(path, method))
    for n, chunk in enumerate(chunks):
        more = n < len(chunks) - 1
        await communicator.send_input({"type": "http.request", "body": chunk, "more_body": more})
    messages = []
    while True:
        message = await communicator.receive_output(timeout=5)
        messages.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            break
    await communicator.wait(timeout=5)
    return messages


class _InMemory(list):
    streaming = False  # as Django's HttpResponse


def _echo(streaming: bool):
    def app(environ, start_response):
        data = environ["wsgi.input"].read()
        headers = [("Content-Type", "text/plain"), ("X-Length", str(len(data)))]
        start_response("201 Created", headers)
        if streaming:
            return (data[i : i + 1000] for i in range(0, len(data), 1000))
        return _InMemory([data[:10], data[10:]])

    return app


async def test_an_in_memory_response_arrives_whole_in_one_body_message():
    app = BufferedWSGIMiddleware(_echo(streaming=False), workers=2)
    messages = await _exchange(app, [b"hello ", b"world, ", b"in three parts"])
    assert [m["type"] for m in messages] == ["http.response.start", "http.response.body"]
    assert messages[0]["status"] == 201
    assert (b"x-length", b"27") in messages[0]["headers"]
    assert messages[1]["body"] == b"hello world, in three parts"


async def test_a_streaming_response_arrives_chunk_by_chunk():
    app = BufferedWSGIMiddleware(_echo(streaming=True), workers=2)
    messages = await _exchange(app, [b"a" * 2500])
    assert messages[0]["type"] == "http.response.start"
    bodies = [m for m in messages if m["type"] == "http.response.body"]
    assert [len(m["body"]) for m in bodies] == [1000, 1000, 500, 0]
    assert [m.get("more_body", False) for m in bodies] == [True, True, True, False]


async def test_a_body_beyond_what_is_read_ahead_is_read_whole_by_the_application(monkeypatch):
    monkeypatch.setattr(wsgi_bridge, "PREREAD_LIMIT", 100)
    app = BufferedWSGIMiddleware(_echo(streaming=False), workers=2)
    chunks = [bytes([65 + n]) * 70 for n in range(6)]  # 420 bytes, past the limit after two
    messages = await _exchange(app, chunks)
    assert messages[1]["body"] == b"".join(chunks)


@pytest.mark.django_db(transaction=True)
async def test_djangos_pages_and_streams_pass_through(settings):
    django_app = BufferedWSGIMiddleware(get_wsgi_application(), workers=2)
    messages = await _exchange(django_app, [b""], path="/login/", method="GET")
    assert messages[0]["status"] == 200 and len(messages) == 2
    assert b"<form" in messages[1]["body"]

    def streamed(environ, start_response):
        response = StreamingHttpResponse(iter([b"one,", b"two"]))
        start_response("200 OK", list(response.items()))
        return response

    def whole(environ, start_response):
        response = HttpResponse(b"all at once")
        start_response("200 OK", list(response.items()))
        return response

    messages = await _exchange(BufferedWSGIMiddleware(streamed, workers=1), [b""])
    assert b"".join(m.get("body", b"") for m in messages[1:]) == b"one,two"
    assert len(messages) == 4  # start, two chunks, the closing empty one
    messages = await _exchange(BufferedWSGIMiddleware(whole, workers=1), [b""])
    assert [m.get("body") for m in messages[1:]] == [b"all at once"]
