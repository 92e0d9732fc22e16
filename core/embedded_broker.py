"""Kombu's filesystem transport made safe between processes (the embedded default's broker).

config/settings.py selects it (``CELERY_BROKER_TRANSPORT``) whenever the broker URL is
``filesystem://``: the web server, the worker and its beat publish into one queue folder while
the worker reads it.

Stock kombu (5.7) ``kombu.transport.filesystem.Channel`` writes in place:

* ``_put`` creates a message file under its final name in the queue folder and only then writes
  it. Its ``flock`` is advisory and ``_get`` never asks for it: a consumer listing the folder in
  between takes the empty (or, for a large message, half-written) file, deletes it and fails to
  decode it. The message is lost, and a Celery worker stops with ``Unrecoverable error:
  JSONDecodeError`` (kombu issue #1551). Seen here: 25 of 2,000 messages published by 4 processes
  in about a second against one consumer.
* ``_queue_bind`` creates an exchange's table file in the control folder the same way (open, then
  lock, then write): a process routing a message in between reads an empty table and fails the
  same way; two processes creating it at once can truncate each other's binding.

This channel writes a message under a hidden temporary name and renames it into place (a rename
within a directory is atomic: a reader sees no file or the whole file). A consumer claims a file
by renaming it within the queue folder (one consumer wins, never a copy, whatever filesystem the
temporary directory is on). A file that still does not decode (written in place by a stock
client, cut short by a full disk) is put back for a later poll while it is recent, then moved
aside with an error logged, never raised into the worker. An exchange table is created whole:
written aside, then hard-linked into place, which fails instead of clobbering when another process
got there first; updates then go through kombu's own locked read-modify-write.

Temporary and claimed files start with a dot, so kombu's own listing (queue size, purge) ignores
them. Files are not fsync'ed: this broker serves a development machine, not a power failure.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
import uuid
from queue import Empty

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

#: How long a message file that does not decode is left in the queue in case its writer is still
#: at it, before it is moved aside (transport option ``undecodable_grace``).
UNDECODABLE_GRACE_SECONDS = 10.0


class Channel(filesystem.Channel):
    """Filesystem channel whose message and exchange files appear whole or not at all."""

    def _put(self, queue, payload, **kwargs):
        data = str_to_bytes(dumps(payload))
        name = f"{int(round(time.monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        folder = self.data_folder_out
        tmp = os.path.join(folder, f".tmp-{name}")
        try:
            with open(tmp, "xb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(folder, name))
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.remove(tmp)
            raise ChannelError(f"Cannot add file {name!r} to directory") from exc

    def _get(self, queue):
        queue_find = f"{queue}.msg"
        folder = self.data_folder_in
        for filename in sorted(os.listdir(folder)):
            if filename.partition(".")[2] != queue_find:
                continue
            path = os.path.join(folder, filename)
            claimed = os.path.join(folder, f".claimed-{os.getpid()}-{filename}")
            try:
                os.rename(path, claimed)
            except OSError:  # another consumer took it first
                continue
            try:
                with open(claimed, "rb") as f:
                    data = f.read()
            except OSError as exc:
                raise ChannelError(f"Cannot read file {claimed!r} from queue.") from exc
            try:
                payload = loads(bytes_to_str(data))
            except ValueError:  # JSONDecodeError, UnicodeDecodeError
                self._set_aside(claimed, path, filename)
                continue
            self._dispose(claimed, filename)
            return payload
        raise Empty()

    def _dispose(self, claimed, filename):
        try:
            if self.store_processed:
                shutil.move(claimed, os.path.join(self.processed_folder, filename))
            else:
                os.remove(claimed)
        except OSError:
            logger.warning("Could not clear the delivered message file %s", claimed)

    def _set_aside(self, claimed, path, filename):
        try:
            age = time.time() - os.stat(claimed).st_mtime
            if age < self.transport_options.get("undecodable_grace", UNDECODABLE_GRACE_SECONDS):
                os.rename(claimed, path)  # perhaps still being written: a later poll retries
                return
            aside = os.path.join(self.processed_folder, f"{filename}.undecodable")
            shutil.move(claimed, aside)
        except OSError:
            logger.exception("Could not set aside the undecodable message file %s", claimed)
            return
        logger.error("Message file %s did not decode; moved to %s", filename, aside)

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        file = self._exchange_file(exchange)
        if not file.exists():
            self.control_folder.mkdir(exist_ok=True)
            tmp = file.with_name(f".tmp-{uuid.uuid4()}-{file.name}")
            try:
                tmp.write_bytes(b"[]")
                os.link(tmp, file)
            except OSError:  # created meanwhile, or no hard links here: kombu's own way below
                pass
            finally:
                tmp.unlink(missing_ok=True)
        super()._queue_bind(exchange, routing_key, pattern, queue)


class Transport(filesystem.Transport):
    """kombu's filesystem transport with :class:`Channel`."""

    Channel = Channel
