"""ICE consent freshness (RFC 7675) for every aiortc peer connection of the process, in place of aioice's.

Why: aioice (0.13) sends a consent request every ~5 s and counts a response later than **0.5 s** as a
failure (one transmission, a 0.5 s transaction timeout); six failures in a row (~30 s) close the ICE
connection, so the DTLS transport, so the peer connection. A browser agent's phone stays connected for
hours: as soon as its answers took longer than 0.5 s for half a minute (a starved browser or server
process, a link with a round trip over half a second), the phone died in the middle of calls (seen in
``bench/webrtc_bench.py --asterisk``: every browser agent's phone closed ~30 s into a loaded run; the server's
log of each one shows "Consent to send expired" just before "peer connection closed").

RFC 7675 section 5.1 says each consent request is sent once, "a response might be for a previous request
(rather than for the most recently sent request)", and consent expires when no response has arrived for
30 seconds. That is what this module does:

* :class:`ConsentFreshness` (pure, time passed in): when the last authenticated answer came, whether
  consent has expired, when to check next (5 s, randomized 0.8-1.2 as aioice and the RFC do).
* :func:`query_consent` (the asyncio adapter, aioice's ``Connection.query_consent`` replaced by
  :func:`install`): every check sends one Binding request per nominated pair and keeps it open until the
  consent window has passed, so a late answer to any of them still renews consent; when none has come
  for ``CONSENT_EXPIRY`` seconds the ICE connection is closed as aioice did. While the last check is
  unanswered the next comes after ~1 s instead of ~5 s (as libwebrtc pings a weak connection faster): on a
  loaded server whose UDP receive buffers overflow, 40 % of the consent packets were lost in the bench and
  six 5 s checks in a row could all be lost; ~30 one-second checks cannot.

A peer that is really gone (a closed laptop, a network cut) is still found after 30 s, and a vanished
browser's leg ends earlier by ``webrtc.media_timeout`` anyway.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
import random
from typing import Any, Callable

import aioice.ice
from aioice import stun

log = logging.getLogger("callcenter.media.webrtc")

#: seconds between consent checks (randomized 0.8-1.2 times), RFC 7675 section 5.1
CONSENT_INTERVAL = 5.0
#: consent expires when no answer to any consent check has arrived for this long (seconds)
CONSENT_EXPIRY = 30.0
#: seconds between checks while the last one is unanswered (randomized too): a lossy path gets ~30 chances
CONSENT_RETRY = 1.0


class ConsentFreshness:
    """When consent to send was last renewed, and whether it has expired (pure: ``now`` is given)."""

    def __init__(self, now: float, *, interval: float = CONSENT_INTERVAL, expiry: float = CONSENT_EXPIRY,
                 retry: float = CONSENT_RETRY) -> None:
        if not 0 < retry <= interval < expiry:
            raise ValueError(f"consent freshness: need 0 < retry ({retry}) <= interval ({interval}) < expiry ({expiry})")
        self.interval = interval
        self.expiry = expiry
        self.retry = retry
        self.last = now                 # ICE succeeded: consent is granted at first
        self.last_sent: float | None = None
        self.answers = 0

    def sent(self, now: float) -> None:
        """Consent checks went out at ``now``."""
        self.last_sent = now

    def answered(self, now: float) -> None:
        """An authenticated answer to a consent check (any check still open) arrived at ``now``."""
        self.answers += 1
        self.last = max(self.last, now)

    def expired(self, now: float) -> bool:
        return now - self.last >= self.expiry

    def next_check(self, u: float) -> float:
        """Seconds to the next check, for ``u`` drawn uniformly from [0, 1): the interval while the checks are
        answered, ``retry`` while the last one is not (a lossy path: a starved peer's full socket buffer drops
        some of them), so one lost answer does not leave 5 s of the 30 s window unused."""
        answered = self.last_sent is None or self.last >= self.last_sent
        return (self.interval if answered else self.retry) * (0.8 + 0.4 * u)

    def stale(self, sent_at: float, now: float) -> bool:
        """A check sent at ``sent_at`` can no longer renew anything: forget it."""
        return now - sent_at > self.expiry


class ConsentCheck:
    """One consent request waiting for its answer where aioice routes STUN responses
    (``StunProtocol.transactions[transaction_id].response_received``)."""

    def __init__(self, key: bytes, on_answer: Callable[[], None]) -> None:
        self.key = key
        self.on_answer = on_answer

    def response_received(self, message: stun.Message, addr: Any) -> None:
        if message.message_class == stun.Class.RESPONSE and message.check_message_integrity(self.key):
            self.on_answer()


async def query_consent(connection: Any) -> None:
    """Consent freshness of one aioice ``Connection`` (started by aioice once ICE has connected)."""
    loop = asyncio.get_running_loop()
    consent = ConsentFreshness(loop.time(), interval=CONSENT_INTERVAL, expiry=CONSENT_EXPIRY,
                               retry=min(CONSENT_RETRY, CONSENT_INTERVAL))
    key = connection.remote_password.encode("utf8")
    open_checks: dict[bytes, tuple[Any, float]] = {}      # transaction id -> (protocol, sent at)

    def answered() -> None:
        consent.answered(loop.time())

    delay = consent.next_check(random.random())
    try:
        while True:
            await asyncio.sleep(delay)
            now = loop.time()
            for tid, (protocol, sent_at) in list(open_checks.items()):
                if consent.stale(sent_at, now):
                    protocol.transactions.pop(tid, None)
                    del open_checks[tid]
            if consent.expired(now):
                log.warning("ICE consent expired: no answer to consent checks for %.0f s (peer %s); closing the "
                            "connection", now - consent.last,
                            [p.remote_addr for p in connection._nominated.values()])
                connection._query_consent_task = None     # close() must not cancel the task running it
                await connection.close()
                return
            delay = consent.next_check(random.random())         # was the previous check answered?
            consent.sent(now)
            for pair in list(connection._nominated.values()):
                request = connection.build_request(pair, nominate=False)
                request.add_message_integrity(key)
                pair.protocol.transactions[request.transaction_id] = ConsentCheck(key, answered)
                open_checks[request.transaction_id] = (pair.protocol, now)
                pair.protocol.send_stun(request, pair.remote_addr)
    finally:
        for tid, (protocol, _) in open_checks.items():
            protocol.transactions.pop(tid, None)


def _aioice_fits() -> str | None:
    """Why aioice's internals do not fit this replacement (None: they do)."""
    conn, proto = aioice.ice.Connection, aioice.ice.StunProtocol
    for owner, name in ((conn, "query_consent"), (conn, "build_request"), (conn, "close"), (proto, "send_stun")):
        if not callable(getattr(owner, name, None)):
            return f"aioice.ice.{owner.__name__}.{name} is missing"
    if "nominate" not in inspect.signature(conn.build_request).parameters:
        return "aioice.ice.Connection.build_request has no 'nominate' parameter"
    return None


def install() -> bool:
    """Replace aioice's consent freshness process-wide (idempotent); False (and a warning) when this aioice's
    internals differ from what the replacement needs, and aioice's own stays."""
    if getattr(aioice.ice.Connection.query_consent, "_callcenter", False):
        return True
    why = _aioice_fits()
    if why is not None:
        log.warning("callcenter.media.webrtc_consent: %s (aioice %s): aioice's own consent checks stay, so a peer "
                    "answering later than 0.5 s for 30 s loses its connection", why,
                    getattr(aioice, "__version__", "?"))
        return False

    async def _query_consent(self: Any) -> None:
        await query_consent(self)

    _query_consent._callcenter = True  # type: ignore[attr-defined]
    aioice.ice.Connection.query_consent = _query_consent
    return True
