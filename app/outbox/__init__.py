"""The outbox: side effects (email, SMS, pushes to the core system) that must happen once
the change causing them has committed, and never be lost.

A leaf that knows no domain. A domain writes a row with :func:`app.outbox.queue.queue`
inside its own transaction; :mod:`app.outbox.dispatch` delivers it after the commit, with
retries. What a row becomes is decided by two registries (:mod:`app.outbox.registry`):

* **channels** (email, sms, core…) say how a message leaves: ``email`` and ``sms`` are
  registered by :mod:`app.outbox.transports`, ``core`` by ``app.sync.push``;
* **composers** turn a row of a (channel, topic) into what is sent, or None when it no
  longer applies; each domain registers its own in its ``messages.py``.
"""
