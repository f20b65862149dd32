"""Outgoing email for invitation and password-reset links; optional (nothing is sent without SMTP_URL).

``SMTP_URL`` is ``smtp://[user:password@]host[:port]`` (plain, port 25 by default),
``smtp+starttls://…`` (STARTTLS, 587) or ``smtps://…`` (TLS from the start, 465). Messages are plain
text, queued until the request commits and handed over by a thread (:class:`Outbox`). Failures are
logged without the message (it holds a link that works as a password).
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from flask import current_app

from webapp import transaction

log = logging.getLogger(__name__)

#: Seconds to wait for the mail server at each step.
TIMEOUT = 10
_SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand messages over."""

    host: str
    port: int
    #: "plain", "starttls" or "tls".
    security: str
    username: str = ""
    password: str = ""


def parse_smtp_url(url: str) -> SmtpSettings:
    """Read an ``smtp://`` address; ValueError when it is not one."""
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://host:port, smtp+starttls://… or smtps://…")
    security, default_port = _SCHEMES[parts.scheme]
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or default_port,
        security=security,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def is_enabled() -> bool:
    """Whether an SMTP server is configured."""
    return bool(current_app.config.get("SMTP_URL"))


def build_message(to: str, subject: str, body: str, sender: str) -> EmailMessage:
    """A plain-text UTF-8 message."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def send(to: str, subject: str, body: str) -> bool:
    """Queue one message for ``to``; False when mail is off or its settings are wrong.

    The message leaves once the current transaction is committed (``transaction.after_commit``):
    a mail never announces what a rolled-back request did not save. It is then handed to the SMTP
    server by the outbox's thread, so the answer time does not depend on whether a message was sent
    (the forgotten-password page must not reveal which accounts exist), nor on the mail server.
    Delivery failures are logged (see :func:`deliver`).
    """
    url = current_app.config.get("SMTP_URL") or ""
    if not url:
        return False
    try:
        settings = parse_smtp_url(url)
    except ValueError as error:
        log.warning("mail not sent: %s", error)
        return False
    message = build_message(to, subject, body, str(current_app.config["MAIL_FROM"]))
    transaction.after_commit(lambda: outbox.put(settings, message))
    return True


class Outbox:
    """Messages waiting for the SMTP server, handed over one after the other by one thread per process.

    :meth:`drain` waits until every message queued so far was handed over (or failed): tests call it
    instead of sleeping, and the process calls it on exit.
    """

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[SmtpSettings, EmailMessage]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def put(self, settings: SmtpSettings, message: EmailMessage) -> None:
        """Queue one message for delivery."""
        with self._lock:
            if self._pid != os.getpid():
                # A forked worker: the parent's queue and thread are not ours.
                self._queue, self._thread, self._pid = queue.Queue(), None, os.getpid()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="arpenteur-mail", daemon=True)
                self._thread.start()
            self._queue.put((settings, message))

    def _run(self) -> None:
        while True:
            settings, message = self._queue.get()
            try:
                deliver(settings, message)
            except Exception:  # never let one message stop the thread
                log.exception("mail not sent")
            finally:
                self._queue.task_done()

    def drain(self, timeout: float = 3 * TIMEOUT) -> bool:
        """Wait until the queue is empty and the last message handed over; False after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        done = self._queue.all_tasks_done
        with done:
            while self._queue.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                done.wait(left)
        return True


#: This process's outgoing mail.
outbox = Outbox()
atexit.register(outbox.drain)


def deliver(settings: SmtpSettings, message: EmailMessage) -> bool:
    """Hand one message to the SMTP server; logs failures without the content."""
    try:
        if settings.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=TIMEOUT, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
        with client:
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.username:
                client.login(settings.username, settings.password)
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail not sent to %s:%s: %s", settings.host, settings.port, type(error).__name__)
        return False
    return True
