"""The embedded default's broker (kombu's filesystem transport, core/embedded_broker.py) between
processes: a consumer never takes a message file its publisher is still writing, nor an
exchange table half created. Stock kombu 5.7 fails each test here but the settings one; its
worker died with ``Unrecoverable error: JSONDecodeError`` and took ``make run`` down."""

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from queue import Empty

import kombu
import pytest
from celery import Celery

from tests.core.test_settings_switch import probe

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TRANSPORT = "core.embedded_broker:Transport"
QUEUE = kombu.Queue("celery", kombu.Exchange("celery", "direct"), routing_key="celery")
FORK = multiprocessing.get_context("fork")


def _options(root: Path, **extra) -> dict:
    """The embedded default's transport options (config/settings.py), in ``root``."""
    for sub in ("queue", "processed", "control"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(root / "queue"),
        "data_folder_out": str(root / "queue"),
        "processed_folder": str(root / "processed"),
        "store_processed": False,
        "control_folder": str(root / "control"),
        **extra,
    }


def _connection(root: Path, **extra) -> kombu.Connection:
    return kombu.Connection(
        "filesystem://", transport=TRANSPORT, transport_options=_options(root, **extra)
    )


def _publish(root: Path, sender: int, count: int) -> None:
    with _connection(root) as conn:
        producer = conn.Producer(serializer="json")
        for i in range(count):
            # now and then a large one: a reader can also catch it half written
            body = {"sender": sender, "i": i, "pad": "x" * (50_000 if i % 10 == 0 else 100)}
            producer.publish(body, exchange=QUEUE.exchange, routing_key="celery", declare=[QUEUE])
            time.sleep(0.001)  # at a pace the consumer keeps up with: it lists an empty queue


def test_messages_from_several_publishing_processes_arrive_whole_and_once(tmp_path):
    senders, count = 4, 300
    received, errors = [], []
    with _connection(tmp_path) as conn:
        channel = conn.default_channel
        QUEUE(channel).declare()
        publishers = [
            FORK.Process(target=_publish, args=(tmp_path, n, count)) for n in range(senders)
        ]
        for p in publishers:
            p.start()
        deadline = time.monotonic() + 15
        while len(received) + len(errors) < senders * count and time.monotonic() < deadline:
            try:
                message = channel.basic_get("celery", no_ack=True)
            except Exception as exc:  # stock kombu: JSONDecodeError, the message lost
                errors.append(repr(exc))
                continue
            if message is not None:
                received.append((message.payload["sender"], message.payload["i"]))
        for p in publishers:
            p.join(timeout=10)
    assert errors == []
    assert sorted(received) == [(n, i) for n in range(senders) for i in range(count)]


class _SlowToEncode(dict):
    """A message whose encoding waits until it is released: its publisher caught mid-publish."""

    def __init__(self, *args, started, release, **kwargs):
        super().__init__(*args, **kwargs)
        self.started, self.release = started, release

    def items(self):  # json's encoder asks a dict subclass for its items
        self.started.set()
        self.release.wait(5)
        return super().items()


def test_a_message_its_publisher_is_still_writing_is_not_taken(tmp_path):
    started, release = threading.Event(), threading.Event()
    message = _SlowToEncode({"body": "hello"}, started=started, release=release)
    with _connection(tmp_path) as publisher, _connection(tmp_path) as consumer:
        publishing = threading.Thread(
            target=publisher.default_channel._put, args=("celery", message)
        )
        publishing.start()
        try:
            assert started.wait(5)
            with pytest.raises(Empty):  # stock kombu: JSONDecodeError on the empty file
                consumer.default_channel._get("celery")
        finally:
            release.set()
            publishing.join(5)
        assert consumer.default_channel._get("celery") == {"body": "hello"}
    assert os.listdir(tmp_path / "queue") == []  # no temporary or claimed file left behind


def test_a_file_that_does_not_decode_waits_for_its_writer_then_is_set_aside(tmp_path):
    broken = tmp_path / "queue" / "1_broken.celery.msg"
    with _connection(tmp_path) as conn:
        channel = conn.default_channel
        broken.write_bytes(b'{"body": "half wri')  # e.g. a stock client still writing in place
        channel._put("celery", {"body": "next"})
        assert channel._get("celery") == {"body": "next"}  # the queue goes on meanwhile
        assert broken.read_bytes() == b'{"body": "half wri'  # left where its writer put it
        old = time.time() - 60
        os.utime(broken, (old, old))
        with pytest.raises(Empty):
            channel._get("celery")
    assert not broken.exists()
    aside = tmp_path / "processed" / "1_broken.celery.msg.undecodable"
    assert aside.read_bytes() == b'{"body": "half wri'


def _bind(root: Path, number: int, go) -> None:
    with _connection(root) as conn:
        go.wait(5)
        kombu.Queue(f"q{number}", kombu.Exchange("fan", "fanout"))(conn.default_channel).declare()


def test_queues_bound_at_once_by_several_processes_all_count(tmp_path):
    """Each worker and web process binds its queues when it starts; the exchange table they
    share is read to route every message."""
    binders, errors = 6, []
    for attempt in range(40):
        root = tmp_path / str(attempt)
        go = FORK.Event()
        processes = [FORK.Process(target=_bind, args=(root, n, go)) for n in range(binders)]
        with _connection(root) as conn:
            for p in processes:
                p.start()
            go.set()
            while any(p.is_alive() for p in processes):
                try:
                    conn.default_channel.get_table("fan")
                except Exception as exc:  # stock kombu: JSONDecodeError on the new empty table
                    errors.append(repr(exc))
            for p in processes:
                p.join(10)
            queues = {q.queue for q in conn.default_channel.get_table("fan")}
        assert [p.exitcode for p in processes] == [0] * binders
        assert queues == {f"q{n}" for n in range(binders)}  # stock kombu: one truncated another
    assert errors == []


def test_the_embedded_default_uses_this_transport_and_redis_its_own(tmp_path):
    code = (
        "import django, json; django.setup(); from config.celery import app; "
        "t = app.connection_for_write().transport; "
        "print(json.dumps(type(t).__module__ + ':' + type(t).__name__))"
    )
    assert probe(code, tmp_path) == TRANSPORT
    redis = probe(code, tmp_path, REDIS_URL="redis://127.0.0.1:6379/0")
    assert redis == "kombu.transport.redis:Transport"


@pytest.mark.worker
def test_a_worker_outlives_a_broken_message_file(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env.update(FIREBREAK_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    # what a stock publisher leaves between creating its file and writing it
    (tmp_path / "broker" / "queue").mkdir(parents=True)
    (tmp_path / "broker" / "queue" / "1_broken.celery.msg").write_bytes(b"")
    worker = subprocess.Popen(
        [str(BIN / "celery"), "-A", "config", "worker", "--pool", "solo", "--loglevel", "ERROR"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # a client of the worker's broker (the test run's own app has another)
    client = Celery(set_as_current=False)
    client.conf.update(
        broker_url="filesystem://",
        broker_transport=TRANSPORT,
        broker_transport_options=_options(tmp_path / "broker"),
    )
    try:
        deadline, answers = time.monotonic() + 20, []
        while not answers and worker.poll() is None and time.monotonic() < deadline:
            answers = client.control.ping(timeout=0.5)
        time.sleep(1)  # a while longer polling the queue with the broken file in it
        assert worker.poll() is None, "the worker died"  # stock: Unrecoverable error
        assert answers and client.control.ping(timeout=2)
    finally:
        client.close()
        worker.terminate()
        worker.wait(timeout=20)
