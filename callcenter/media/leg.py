"""The media plane's contract: one live audio leg, whatever carries it.

A :class:`MediaLeg` is one party's audio in both directions, in 20 ms frames of signed 16-bit
little-endian mono PCM at the leg's ``sample_rate``:

* ``callcenter.media.audiosocket``: a call leg Asterisk streams to us over AudioSocket (the
  ``AudioSocket()`` application started from the call's FastAGI session, or an ``AudioSocket/``
  channel we originated for a web caller or a browser agent);
* ``callcenter.media.webrtc``: a browser (web caller or agent phone) through the aiortc gateway;
* test doubles (``callcenter.media.testing``).

Rules every implementation follows:

* ``events()`` yields what the far end sends, in order: :class:`AudioFrame` (exactly one frame per
  20 ms of the far end's audio, as it arrives; no synthesized silence when the far end sends nothing),
  :class:`DtmfDigit` (one per key, at the end of the key), and ends (the iterator stops) when the leg
  is closed by either side. After the end, :attr:`MediaLeg.ended` says why (:class:`LegEnded`).
* ``play()`` queues PCM for the far end; the leg's own writer paces it out at one frame per 20 ms
  (Asterisk neither paces nor buffers AudioSocket audio) and sends silence when nothing is queued, so
  the far end never times out. ``stop_playback()`` drops what is queued (barge-in) and returns at once.
  ``playback_idle()`` waits until everything queued has been sent.
* ``send_dtmf`` is optional: AudioSocket cannot send DTMF to Asterisk (Asterisk hangs the call up), so
  it raises :class:`MediaError`; keys from a browser reach the IVR as :class:`DtmfDigit` events on the
  browser's leg instead.
* ``close()`` ends the leg from our side (AudioSocket: a 0x00 hang-up frame; WebRTC: the peer
  connection is closed); it is idempotent and never raises for a leg the far end already closed.

Pure helpers (frame sizes) live here too; this module does no I/O.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import AsyncIterator, Union

FRAME_MS = 20


def frame_bytes(sample_rate: int, ms: int = FRAME_MS) -> int:
    """Bytes of one frame of 16-bit mono PCM (8 kHz, 20 ms: 320)."""
    return sample_rate * ms // 1000 * 2


class MediaError(Exception):
    """The leg cannot do what was asked (protocol or transport fault, unsupported operation)."""


@dataclass(frozen=True)
class AudioFrame:
    pcm: bytes                  # 16-bit LE mono at the leg's sample_rate (20 ms unless said otherwise)
    at: float                   # monotonic arrival time (seconds)


@dataclass(frozen=True)
class DtmfDigit:
    digit: str                  # one of 0-9 * # A-D
    at: float


MediaEvent = Union[AudioFrame, DtmfDigit]


@dataclass(frozen=True)
class LegEnded:
    """Why a leg ended. ``by``: ``far`` (the far end hung up / closed), ``us`` (we closed it),
    ``timeout`` (nothing arrived for too long), ``error`` (protocol or transport fault)."""
    by: str
    reason: str = ""


class MediaLeg(abc.ABC):
    leg_id: str                 # AudioSocket: the UUID; WebRTC: the gateway's session id
    sample_rate: int            # of the frames read and written (8000 or 16000)
    ended: LegEnded | None = None

    @abc.abstractmethod
    def events(self) -> AsyncIterator[MediaEvent]:
        """What the far end sends, until the leg ends (see the module rules)."""

    @abc.abstractmethod
    def play(self, pcm: bytes) -> None:
        """Queue PCM (any length, at ``sample_rate``) for paced sending."""

    @abc.abstractmethod
    def stop_playback(self) -> None:
        """Drop queued audio now (barge-in)."""

    @abc.abstractmethod
    async def playback_idle(self) -> None:
        """Return when all queued audio has been sent (or the leg ended)."""

    @property
    @abc.abstractmethod
    def playing(self) -> bool:
        """Audio is queued and not yet sent."""

    async def send_dtmf(self, digits: str) -> None:
        raise MediaError(f"{type(self).__name__} cannot send DTMF to the far end")

    @abc.abstractmethod
    async def close(self, reason: str = "") -> None:
        """End the leg from our side (idempotent)."""
