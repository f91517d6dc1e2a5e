"""Delivery channels for reminders: WeCom (:mod:`.wecom`) and email (:mod:`.email`).

Each channel sends one message to some recipients and returns an
:class:`~intranet.notify.outcomes.Outcome` per recipient; the outbox that
decides what to send and when lives elsewhere.
"""
