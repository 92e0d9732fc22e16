"""Email backends for tests: a mail server that refuses recipients, temporarily or for good."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend

REFUSAL = {"code": 550, "text": b"5.1.1 No such user"}


class RefusingBackend(BaseEmailBackend):
    """Answers every recipient with ``REFUSAL`` (set by the test), as smtplib reports it."""

    def send_messages(self, email_messages):
        refused = {
            address: (REFUSAL["code"], REFUSAL["text"])
            for message in email_messages
            for address in message.recipients()
        }
        raise smtplib.SMTPRecipientsRefused(refused)


class BrokenBackend(BaseEmailBackend):
    """Fails in a way no one planned for."""

    def send_messages(self, email_messages):
        raise RuntimeError("backend bug")
