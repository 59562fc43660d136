"""A recognition worker process: ``python -m callcenter.speech.worker`` (started by :mod:`.procpool`).

Why a process: pocketsphinx's Python binding (the library) holds the GIL for a whole decode, so a
decode in a thread of the server stalls its event loop and every live leg's 20 ms pacing. In a worker
process it runs beside the server, not inside it. vosk (cffi) releases the GIL and stays in the
server's threads.

What is the library and what is ours:

* the library: pocketsphinx's ``Decoder`` (inside :class:`~callcenter.speech.sphinx_backend.PocketsphinxRecognizer`,
  the speech layer's recognizer: grammar, front end, menu decision, all unchanged here);
* ours (this module): the process around it: the model loaded once at start-up, decoders warmed, a
  request loop over stdin/stdout, per-stream sessions (a call's live stream lives in one worker and is
  fed chunk by chunk as the audio arrives, partials go back), and the *early decision*
  (:meth:`_WorkerSphinx.recognize_samples` memo: ``prepare`` decides on the answer so far while the
  caller is silent; ``finish`` on the same audio then only finalizes).

Wire format (both ways): 4-byte big-endian length + a pickle. Requests:

* ``("call", rid, method, args)``: ``recognize_file_sync`` / ``recognize_samples`` -> ``("ok", rid, result)``;
  ``run`` with ``args = ("callcenter.<module>:<function>", *fargs)``: that function of a higher layer
  run here (analytics' transcription of call recordings: ``callcenter.analytics.transcribe:transcribe_here``)
* ``("open", sid, language, rate, phrases)``: a stream session (no reply; an error is kept for its next request)
* ``("feed", rid, sid, pcm)`` -> ``("ok", rid, partial or None)``
* ``("prepare", sid, pcm)``: feed, then decide on the audio so far (no reply)
* ``("finish", rid, sid, pcm)``: feed, then ``("ok", rid, Recognition, stamps)``; the session ends.
  ``stamps`` (``time.monotonic()``, the same clock as the server's event loop on one host): when the
  request came off the pipe (``in``), started (``start``) and was answered (``done``), and the early
  decision's ``prepare_in`` / ``prepare_start`` / ``prepare_done`` (None without one): the latency
  breakdown of ``bench/media_bench.py``
* ``("drop", sid)``: the session ends without a result (caller gone)
* ``("status", rid)`` -> ``("ok", rid, {...})``; ``("quit",)``: exit

Errors come back as ``("err", rid, exception)``. The worker exits when its stdin closes (the server
went away), so it never outlives the server.
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import os
import pickle
import queue
import signal
import struct
import sys
import threading
import time
from collections import OrderedDict
from typing import Any, BinaryIO

import numpy as np

log = logging.getLogger("callcenter.speech.worker")

_HEADER = struct.Struct(">I")


def send_msg(fh: BinaryIO, msg: Any) -> None:
    data = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(_HEADER.pack(len(data)) + data)
    fh.flush()


def recv_msg(fh: BinaryIO) -> Any:
    """The next message, or None at the end of the stream (the other side is gone)."""
    head = _read_exact(fh, _HEADER.size)
    if head is None:
        return None
    body = _read_exact(fh, _HEADER.unpack(head)[0])
    return None if body is None else pickle.loads(body)


def _read_exact(fh: BinaryIO, n: int) -> bytes | None:
    parts, got = [], 0
    while got < n:
        chunk = fh.read(n - got)
        if not chunk:
            return None
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _sphinx_class():
    """The speech layer's pocketsphinx recognizer with a small memo of decisions (ours): the same
    audio, language and phrases give the same result (decodes are deterministic: batch cepstral
    normalization, a fresh feature extractor per answer), so a decision made early (``prepare``) is
    the one ``finish`` returns."""
    from .sphinx_backend import PocketsphinxRecognizer

    class _WorkerSphinx(PocketsphinxRecognizer):
        MEMO = 8

        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self._memo: OrderedDict = OrderedDict()
            self.memo_hits = 0

        def recognize_samples(self, samples, rate, language, phrases=None):
            x = np.ascontiguousarray(samples, dtype=np.int16)
            key = (hashlib.blake2b(x.tobytes(), digest_size=16).digest(), rate, language,
                   tuple(phrases) if phrases else None, self.phrase_mode)
            hit = self._memo.get(key)
            if hit is not None:
                self._memo.move_to_end(key)
                self.memo_hits += 1
                return hit
            result = super().recognize_samples(x, rate, language, phrases)
            self._memo[key] = result
            while len(self._memo) > self.MEMO:
                self._memo.popitem(last=False)
            return result

    return _WorkerSphinx


class _Session:
    """One live stream in this worker: the speech layer's stream (partials, final decision) and the
    same audio at the model's rate, kept here for the early decision."""

    def __init__(self, rec, language: str, rate: int, phrases):
        from .audio import MODEL_RATE, StreamResampler
        self.rec, self.language, self.phrases = rec, language, phrases
        self.model_rate = MODEL_RATE
        self.error: BaseException | None = None
        self.stream = None
        self._resampler = StreamResampler(rate, MODEL_RATE)
        self._audio: list[bytes] = []
        self._prepared_at: int | None = None     # chunks of audio the early decision was made on
        self.prepare_stamps: tuple[float, float, float] | None = None   # (in, start, done), monotonic
        try:
            self.stream = rec.stream(language, rate, phrases)
        except Exception as exc:  # noqa: BLE001 - reported on the session's next request
            self.error = exc

    def feed(self, pcm: bytes) -> str | None:
        if self.error is not None:
            raise self.error
        if not pcm:
            return None
        x = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2")
        self._audio.append(self._resampler.feed(x).astype("<i2").tobytes())
        return self.stream.feed(pcm)

    def prepare(self) -> None:
        """Decide on the answer so far (what the stream's ``finish`` decides on: the same audio at the
        model's rate, so the memo hands that decision to ``finish`` if no more audio comes)."""
        if self.error is not None or not self._audio:
            return
        samples = np.frombuffer(b"".join(self._audio), dtype="<i2")
        self.rec.recognize_samples(samples, self.model_rate, self.language, self.phrases)
        self._prepared_at = len(self._audio)

    @property
    def early(self) -> bool:
        """No audio came after the early decision: ``finish`` returns it."""
        return self._prepared_at == len(self._audio)

    def finish(self):
        if self.error is not None:
            raise self.error
        return self.stream.finish()


def run_function(target: str, *args):
    """``target`` (``callcenter.<module>:<function>``) called with ``args``: work of a higher layer
    (analytics) run in a worker process without this layer importing it."""
    import importlib
    module, _, name = target.partition(":")
    if not module.startswith("callcenter.") or not name:
        raise ValueError(f"speech worker: run needs 'callcenter.<module>:<function>', got {target!r}")
    return getattr(importlib.import_module(module), name)(*args)


class Worker:
    def __init__(self, backend: str, index: int, warm_streams: int, model_dir: str | None = None):
        if backend != "pocketsphinx":
            raise SystemExit(f"speech worker: unknown backend {backend!r} (pocketsphinx)")
        self.index = index
        self.rec = _sphinx_class()(workers=1, model_dir=model_dir)
        self.sessions: dict[int, _Session] = {}
        self.warm_streams = warm_streams
        self.served = 0
        self.prepared = 0
        self.early_used = 0

    def warm(self, live: bool = True) -> dict:
        """The model loaded and decoders created now, before the first caller: one batch decoder and
        (``live``) ``warm_streams`` live ones (creating a decoder takes 0.1-3 s)."""
        t = time.monotonic()
        self.rec.preload()
        streams = [self.rec.stream("en-US", 8000, None) for _ in range(self.warm_streams if live else 0)]
        for s in streams:
            s.finish()
        return {"pid": os.getpid(), "index": self.index, "warm_s": round(time.monotonic() - t, 3),
                "languages": self.rec.languages()}

    def handle(self, msg, t_in: float | None = None) -> tuple | None:
        """One request; ``t_in``: when it came off the pipe (``time.monotonic()``)."""
        kind = msg[0]
        t_start = time.monotonic()
        t_in = t_start if t_in is None else t_in
        if kind == "call":
            _, rid, method, args = msg
            if method not in ("recognize_file_sync", "recognize_samples", "run"):
                raise ValueError(f"speech worker: unknown method {method!r}")
            self.served += 1
            if method == "run":
                return ("ok", rid, run_function(*args))
            return ("ok", rid, getattr(self.rec, method)(*args))
        if kind == "open":
            _, sid, language, rate, phrases = msg
            self.sessions[sid] = _Session(self.rec, language, rate, phrases)
            return None
        if kind == "feed":
            _, rid, sid, pcm = msg
            return ("ok", rid, self._session(sid).feed(pcm))
        if kind == "prepare":
            _, sid, pcm = msg
            s = self.sessions.get(sid)
            if s is not None and s.error is None:
                s.feed(pcm)
                s.prepare()
                s.prepare_stamps = (t_in, t_start, time.monotonic())
                self.prepared += 1
            return None
        if kind == "finish":
            _, rid, sid, pcm = msg
            s = self._session(sid)
            del self.sessions[sid]
            s.feed(pcm)
            self.served += 1
            early = s.early
            self.early_used += early
            result = s.finish()
            p = s.prepare_stamps if early else None
            return ("ok", rid, result, {"in": t_in, "start": t_start, "done": time.monotonic(), "early": early,
                                        "prepare_in": p and p[0], "prepare_start": p and p[1],
                                        "prepare_done": p and p[2]})
        if kind == "drop":
            self.sessions.pop(msg[1], None)       # its stream gives its decoder back when collected
            return None
        if kind == "status":
            from ..priority import realtime_priority
            return ("ok", msg[1], {"pid": os.getpid(), "index": self.index, "sessions": len(self.sessions),
                                   "realtime": realtime_priority(), "nice": os.getpriority(os.PRIO_PROCESS, 0),
                                   "served": self.served, "prepared": self.prepared,
                                   "early_decisions_used": self.early_used})
        raise ValueError(f"speech worker: unknown request {kind!r}")

    def _session(self, sid: int) -> _Session:
        s = self.sessions.get(sid)
        if s is None:
            raise RuntimeError(f"speech worker {self.index}: no stream session {sid}")
        return s


def _reader(fh: BinaryIO, q: "queue.SimpleQueue") -> None:
    """Drain stdin into a queue while the main thread decodes (the pipe never fills up); each message
    with the time it came off the pipe."""
    while True:
        msg = recv_msg(fh)
        q.put((msg, time.monotonic()))
        if msg is None or msg[0] == "quit":
            return


def _portable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="callcenter.speech.worker")
    ap.add_argument("--backend", default="pocketsphinx")
    ap.add_argument("--index", type=int, default=0)
    ap.add_argument("--warm-streams", type=int, default=2)
    ap.add_argument("--model-dir")
    ap.add_argument("--niceness", type=int, help="niceness of this process (the server's + speech.processes_nice)")
    ap.add_argument("--realtime", type=int, default=0,
                    help="SCHED_RR at this priority (media.realtime_priority of a live pool; 0: no)")
    ap.add_argument("--guard-ms", type=int, default=1000, help="RLIMIT_RTTIME guard (media.realtime_guard_ms)")
    ap.add_argument("--no-warm", action="store_true", help="no live decoders (the analytics pool)")
    args = ap.parse_args(argv)
    from ..priority import install_guard, realtime_priority, set_guard, set_niceness, set_realtime
    # before any thread exists: every thread inherits them (the request reader too)
    nice_error = set_niceness(args.niceness) if args.niceness is not None else None
    realtime_error = set_guard(args.guard_ms) if args.realtime else None
    if args.realtime and realtime_error is None:
        install_guard(f"speech worker {args.index} (pid {os.getpid()})", log)
    # Ctrl-C in the server's terminal reaches its whole process group: the server ends its workers
    # itself (quit, or their stdin closing), so they do not die mid-answer and get restarted
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format=f"speech-worker[{args.index}] %(levelname)s %(message)s")
    out, inp = sys.stdout.buffer, sys.stdin.buffer
    sys.stdout = sys.stderr                      # nothing but replies on the reply pipe
    q: queue.SimpleQueue = queue.SimpleQueue()
    reader = threading.Thread(target=_reader, args=(inp, q), name="requests", daemon=True)
    reader.start()
    try:
        worker = Worker(args.backend, args.index, args.warm_streams, args.model_dir)
        ready = worker.warm(live=not args.no_warm)
        if args.realtime and realtime_error is None:
            # real time once warm (loading the model takes seconds of CPU without blocking: the guard's
            # limit); this thread decides, the reader hands it the requests
            realtime_error = set_realtime(args.realtime, reset_on_fork=False) or \
                set_realtime(args.realtime, reset_on_fork=False, tid=reader.native_id)
        ready.update(nice=os.getpriority(os.PRIO_PROCESS, 0), nice_error=nice_error,
                     realtime=realtime_priority(), realtime_error=realtime_error)
    except Exception as exc:  # noqa: BLE001 - the pool logs it and runs without this worker
        send_msg(out, ("failed", _portable(exc)))
        return 2
    send_msg(out, ("ready", ready))
    while True:
        msg, t_in = q.get()
        if msg is None or msg[0] == "quit":
            return 0
        rid = msg[1] if msg[0] in ("call", "feed", "finish", "status") else None
        try:
            reply = worker.handle(msg, t_in)
        except Exception as exc:  # noqa: BLE001 - handed to the caller
            reply = ("err", rid, _portable(exc)) if rid is not None else None
            if rid is None:
                log.warning("request %s failed: %s", msg[0], exc)
        if reply is not None:
            send_msg(out, reply)


if __name__ == "__main__":
    sys.exit(main())
