"""Recognition in worker processes (our execution layer around the pocketsphinx library).

pocketsphinx's Python binding holds the GIL for a whole decode (and 0.1-3 s while it creates a
decoder), so a decode in a thread of the server stalls its event loop: every live leg's 20 ms pacing
waits. :class:`RecognitionWorkers` keeps ``speech.processes`` worker processes
(``python -m callcenter.speech.worker``), each with the model loaded once at start-up and warm
decoders; :class:`ProcessRecognizer` is the speech layer's :class:`~callcenter.speech.api.Recognizer`
over them (recorded answers, and live streams whose session lives in one worker and is fed chunk by
chunk as the audio arrives, partials back). vosk releases the GIL in its C code and stays in the
server's threads (``bench/media_bench.py`` measures both).

Faults: a worker that dies (killed, crashed) is logged as an error naming the worker (index, pid, exit
code) and restarted; the requests it had are retried once on another worker (a stream is re-opened
there with all of its audio so far, which the server side keeps); failing again, the answer is "no
match" (``Recognition(no_match=True)``) with an error naming the worker and the call. ``close()``
stops every worker (asked, then killed after ``timeout``), so no process outlives the pool; a worker
whose server vanishes sees its stdin close and exits.

Thread-safe: requests may come from the event loop (``await recognize_file``, ``afeed``) or any
thread (``recognize_file_sync``, ``feed``). Per worker one writer thread (nobody blocks on a full
pipe) and one reader thread (replies -> futures).
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, InvalidStateError
from pathlib import Path
from typing import Any, Awaitable, Sequence

from ..priority import LIVE, check_priority, live_niceness, set_realtime
from .api import Recognition, RecognitionStream, Recognizer, SpeechUnavailable
from .worker import recv_msg, send_msg

log = logging.getLogger("callcenter.speech.workers")


class WorkerDied(Exception):
    """The worker process serving a request ended before answering (the message names it)."""


def process_count(configured: int) -> int:
    """``speech.processes``: the worker processes for pocketsphinx (0: none, decode in threads)."""
    return max(0, int(configured))


def _current_call_id() -> str | None:
    from ..log import _call_id
    return _call_id.get()


def _settle(fut: Future, result: Any = None, error: BaseException | None = None) -> None:
    """Complete ``fut`` unless its owner gave up on it (cancelled)."""
    try:
        if error is not None:
            fut.set_exception(error)
        else:
            fut.set_result(result)
    except InvalidStateError:
        pass


class _Worker:
    """One worker process and its two pipe threads."""

    def __init__(self, pool: "RecognitionWorkers", index: int, generation: int):
        self.pool, self.index, self.generation = pool, index, generation
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])        # the folder holding the callcenter package
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        cmd = [sys.executable, "-m", "callcenter.speech.worker", "--backend", pool.backend,
               "--index", str(index), "--warm-streams", str(pool.warm_streams), "--niceness", str(pool.niceness)]
        if pool.realtime:
            cmd += ["--realtime", str(pool.realtime), "--guard-ms", str(pool.guard_ms)]
        if not pool.live:
            cmd.append("--no-warm")
        if pool.model_dir:
            cmd += ["--model-dir", str(pool.model_dir)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                     close_fds=True)
        self.pid = self.proc.pid
        self.pending: dict[int, Future] = {}
        self.sessions: set[int] = set()
        self.ready = threading.Event()
        self.info: dict = {}
        self.alive = True
        self.error: str | None = None
        self._out: "queue.SimpleQueue" = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._writer = threading.Thread(target=self._write, name=f"speech-worker-{index}-w", daemon=True)
        self._reader = threading.Thread(target=self._read, name=f"speech-worker-{index}-r", daemon=True)
        self._writer.start()
        self._reader.start()

    def __str__(self) -> str:
        return f"{self.pool.name} worker {self.index} (pid {self.pid})"

    @property
    def load(self) -> int:
        return len(self.pending) + len(self.sessions)

    def request(self, msg: tuple, fut: Future | None = None) -> None:
        """Queue ``msg``; ``fut`` (keyed by the message's request id) gets the reply."""
        with self._lock:
            if not self.alive:
                if fut is not None:
                    _settle(fut, error=WorkerDied(f"{self} is not running"))
                return
            if fut is not None:
                self.pending[msg[1]] = fut
        self._out.put(msg)

    def _live_thread(self) -> None:
        """A pipe thread of a real-time pool runs under SCHED_RR too (it hands requests and replies
        between the event loop and the worker: waiting behind the host's load would delay both)."""
        if self.pool.realtime:
            set_realtime(self.pool.realtime)

    def _write(self) -> None:
        self._live_thread()
        stdin = self.proc.stdin
        while True:
            msg = self._out.get()
            if msg is None:
                return
            try:
                send_msg(stdin, msg)
            except (BrokenPipeError, OSError, ValueError):
                return                                   # the reader sees the end and reports it
            if msg[0] == "quit":
                return

    def _read(self) -> None:
        self._live_thread()
        stdout = self.proc.stdout
        while True:
            try:
                msg = recv_msg(stdout)
            except Exception as exc:  # noqa: BLE001 - a garbled reply: treat as the worker's end
                log.error("%s sent a garbled reply: %s", self, exc)
                msg = None
            if msg is None:
                break
            kind = msg[0]
            if kind == "ready":
                self.info = msg[1]
                if self.info.get("nice_error"):
                    self.pool._nice_refused(self, self.info["nice_error"])
                if self.info.get("realtime_error"):
                    self.pool._realtime_refused(self, self.info["realtime_error"])
                self.ready.set()
            elif kind == "failed":
                self.error = str(msg[1])
                log.error("%s could not start: %s", self, msg[1])
            elif kind in ("ok", "err"):
                with self._lock:
                    fut = self.pending.pop(msg[1], None)
                if fut is not None and len(msg) > 3:         # the worker's time stamps (a finish)
                    fut.stamps = dict(msg[3], read=time.monotonic())
                if fut is not None:
                    _settle(fut, msg[2] if kind == "ok" else None, msg[2] if kind == "err" else None)
        self._ended()

    def _ended(self) -> None:
        with self._lock:
            self.alive = False
            pending, self.pending = self.pending, {}
        self._out.put(None)
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except Exception:  # noqa: BLE001
                pass
        self.ready.set()                                 # nobody waits for a dead worker
        for fut in pending.values():
            _settle(fut, error=WorkerDied(f"{self} ended (exit code {code}) before answering"))
        self.pool._worker_ended(self, code)

    def stop(self, timeout: float) -> None:
        self._out.put(("quit",))
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=timeout + 5)
        self._writer.join(timeout=1)


class RecognitionWorkers:
    """``size`` worker processes for ``backend`` (``pocketsphinx``); see the module notes.

    ``nice``: added to the workers' niceness (``speech.processes_nice``, below 0 = ahead of the rest of
    the host: needs CAP_SYS_NICE or ``RLIMIT_NICE``, else a warning naming ``nice_key`` and they run at
    the server's); the step is from the live path's niceness (``media.nice`` as ``callcenter serve``
    applied it: :func:`callcenter.priority.live_niceness`), whichever thread starts a worker;
    ``realtime``: the workers (and their pipe threads) under SCHED_RR at this priority (0: no); None
    (the default): a ``live`` pool follows ``media.realtime_priority`` as the server applied it, a pool
    that is not live (analytics' transcription) never is real-time; ``guard_ms``: the workers'
    ``RLIMIT_RTTIME`` guard (default: ``media.realtime_guard_ms`` as applied; :mod:`callcenter.priority`);
    ``live``: warm live decoders (False for a pool that only transcribes recordings);
    ``name``: how its workers are named in logs; ``size_key`` / ``nice_key``: the configuration keys
    that set ``size`` / ``nice`` (named in errors)."""

    def __init__(self, size: int = 2, backend: str = "pocketsphinx", warm_streams: int = 2,
                 model_dir: str | Path | None = None, restart: bool = True, *, nice: int = 0,
                 live: bool = True, name: str = "speech", size_key: str = "speech.processes",
                 nice_key: str = "speech.processes_nice", realtime: int | None = None,
                 guard_ms: int | None = None):
        if size < 1:
            raise ValueError(f"{size_key}: a worker pool needs at least 1 process, got {size}")
        self.size, self.backend, self.warm_streams = size, backend, warm_streams
        self.nice, self.live, self.name, self.nice_key = int(nice), live, name, nice_key
        self.niceness = max(-20, min(19, live_niceness() + self.nice))
        self.realtime = (LIVE["realtime"] if live else 0) if realtime is None else check_priority(realtime)
        self.guard_ms = int(guard_ms or LIVE["guard_ms"])
        self._nice_warned = self._rt_warned = False
        self.model_dir = model_dir
        self.restart = restart
        self.workers: list[_Worker] = []
        self.restarts = 0
        self.closed = False
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._generation = itertools.count()
        self._turn = itertools.count()

    # -- life -----------------------------------------------------------------------------------
    def start(self, wait: float | None = None) -> "RecognitionWorkers":
        """Start the processes (idempotent); ``wait``: seconds to wait until they are warm."""
        with self._lock:
            if self.closed:
                raise SpeechUnavailable("the speech recognition worker pool is closed")
            if not self.workers:
                self.workers = [_Worker(self, i, next(self._generation)) for i in range(self.size)]
        if wait:
            self.wait_ready(wait)
        return self

    def _nice_refused(self, worker: _Worker, why: str) -> None:
        if not self._nice_warned:
            self._nice_warned = True
            log.warning("%s: %s %+d could not be applied (%s); the %s workers run at the server's priority",
                        worker, self.nice_key, self.nice, why, self.name)

    def _realtime_refused(self, worker: _Worker, why: str) -> None:
        if not self._rt_warned:
            self._rt_warned = True
            log.warning("%s: SCHED_RR priority %d (media.realtime_priority) could not be applied (%s); the %s "
                        "workers run at the normal policy", worker, self.realtime, why, self.name)

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Wait until every worker is warm (or has ended); False after ``timeout`` seconds."""
        end = time.monotonic() + timeout
        return all(w.ready.wait(max(0.0, end - time.monotonic())) for w in list(self.workers))

    def _worker_ended(self, worker: _Worker, code: int | None) -> None:
        with self._lock:
            if self.closed or worker not in self.workers:
                return
            log.error("%s ended (exit code %s) with %d open stream(s)%s", worker, code, len(worker.sessions),
                      "; restarting it" if self.restart and worker.error is None else "",
                      extra={"worker": worker.index, "pid": worker.pid, "exit_code": code})
            if self.restart and worker.error is None:
                self.workers[self.workers.index(worker)] = _Worker(self, worker.index, next(self._generation))
                self.restarts += 1

    def close(self, timeout: float = 5.0) -> None:
        """Stop every worker: asked to quit, killed after ``timeout`` s. Idempotent."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            workers, self.workers = self.workers, []
        for w in workers:
            w.stop(timeout)

    def __enter__(self) -> "RecognitionWorkers":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- dispatch -------------------------------------------------------------------------------
    def pick(self, avoid: _Worker | None = None) -> _Worker:
        """The least loaded running worker (ready ones first; ``avoid`` only when it is the last)."""
        if not self.workers:
            self.start()
        with self._lock:
            live = [w for w in self.workers if w.alive and w.error is None]
        if not live:
            raise SpeechUnavailable("no speech recognition worker is running (speech.processes)")
        others = [w for w in live if w is not avoid] or live
        turn = next(self._turn)                          # equal loads: take turns
        return min(others, key=lambda w: (not w.ready.is_set(), w.load, (w.index - turn) % self.size))

    def next_id(self) -> int:
        return next(self._ids)

    def call(self, method: str, *args) -> Future:
        """``method(*args)`` of the worker's recognizer; retried once on another worker if the first
        one dies. The future's error is :class:`WorkerDied` when both did."""
        outer: Future = Future()
        self._attempt(outer, method, args, None, 1)
        return outer

    def _attempt(self, outer: Future, method: str, args: tuple, avoid: _Worker | None, attempt: int,
                 died: WorkerDied | None = None) -> None:
        try:
            w = self.pick(avoid)
        except SpeechUnavailable as exc:
            _settle(outer, error=died or exc)           # a retry with no worker left: the death counts
            return
        inner: Future = Future()

        def done(f: Future) -> None:
            exc = f.exception()
            if isinstance(exc, WorkerDied) and attempt < 2 and not outer.cancelled():
                log.warning("%s; retrying %s on another worker", exc, method)
                self._attempt(outer, method, args, w, attempt + 1, exc)
            elif exc is not None:
                _settle(outer, error=exc)
            else:
                _settle(outer, f.result())
        inner.add_done_callback(done)
        w.request(("call", self.next_id(), method, args), inner)

    def status(self, timeout: float = 10.0, ask: bool = True) -> list[dict]:
        """Each worker's pid and state; with ``ask``, also its open sessions and answers served."""
        out = []
        for w in list(self.workers):
            entry = {"index": w.index, "pid": w.pid, "alive": w.alive, "ready": w.ready.is_set(),
                     "error": w.error}
            if ask and w.alive and w.ready.is_set():
                fut: Future = Future()
                rid = self.next_id()
                w.request(("status", rid), fut)
                try:
                    entry.update(fut.result(timeout))
                except Exception as exc:  # noqa: BLE001
                    entry["error"] = str(exc)
            out.append(entry)
        return out

    def pids(self) -> list[int]:
        return [w.pid for w in self.workers]


def _no_match(why: str, phrases) -> Recognition:
    """What a lost answer becomes: "no match" (the menu's retry), never a guess."""
    log.error("recognition lost: %s; the answer counts as no match", why,
              extra={"call_id": _current_call_id() or ""})
    return Recognition(text="", confidence=0.0, no_match=True)


class ProcessRecognizer(Recognizer):
    """A :class:`Recognizer` whose decodes run in :class:`RecognitionWorkers` (pocketsphinx, English)."""

    name = "pocketsphinx"
    LANGUAGE = "en-US"

    def __init__(self, pool: RecognitionWorkers):
        self.pool = pool

    def languages(self) -> list[str]:
        return [self.LANGUAGE] if any(w.error is None for w in self.pool.workers) or not self.pool.workers \
            else []

    def preload(self, timeout: float = 120.0) -> None:
        """Start the workers and wait until they are warm; ModelLoadError when none could start."""
        from .backend import ModelLoadError
        self.pool.start(wait=timeout)
        errors = [w.error for w in self.pool.workers if w.error]
        if errors and len(errors) == len(self.pool.workers):
            raise ModelLoadError(f"no speech recognition worker could start: {errors[0]}")

    def _lost(self, exc: BaseException, path_or_what: str, phrases) -> Recognition:
        call = _current_call_id()
        return _no_match(f"{exc} (retried once) while deciding {path_or_what}"
                         + (f" for call {call}" if call else ""), phrases)

    async def recognize_file(self, path: str | Path, language: str,
                             phrases: Sequence[str] | None = None) -> Recognition:
        fut = self.pool.call("recognize_file_sync", str(path), language, list(phrases) if phrases else None)
        try:
            return await asyncio.wrap_future(fut)
        except WorkerDied as exc:
            return self._lost(exc, str(path), phrases)

    def recognize_file_sync(self, path: str | Path, language: str,
                            phrases: Sequence[str] | None = None) -> Recognition:
        try:
            return self.pool.call("recognize_file_sync", str(path), language,
                                  list(phrases) if phrases else None).result()
        except WorkerDied as exc:
            return self._lost(exc, str(path), phrases)

    def recognize_samples(self, samples, rate: int, language: str,
                          phrases: Sequence[str] | None = None) -> Recognition:
        try:
            return self.pool.call("recognize_samples", samples, rate, language,
                                  list(phrases) if phrases else None).result()
        except WorkerDied as exc:
            return self._lost(exc, "an answer", phrases)

    def stream_opens_inline(self, language: str) -> bool:
        """A stream is a session queued to a worker: opening never blocks (once the pool runs)."""
        return bool(self.pool.workers)

    def stream(self, language: str, sample_rate: int = 8000,
               phrases: Sequence[str] | None = None) -> "ProcessStream":
        if language.split("-")[0].lower() != "en":
            raise SpeechUnavailable(f"pocketsphinx only has an English model, not {language!r}")
        return ProcessStream(self.pool, language, sample_rate, list(phrases) if phrases else None)


class ProcessStream(RecognitionStream):
    """A live stream whose session is in one worker. ``afeed``/``aprepare``/``afinish`` for the event
    loop (nothing blocks), ``feed``/``finish`` for threads. The audio fed is also kept here, so a
    worker dying mid-answer costs a re-open on another worker, not the answer."""

    def __init__(self, pool: RecognitionWorkers, language: str, rate: int, phrases: list[str] | None):
        self.pool, self.language, self.rate, self.phrases = pool, language, rate, phrases
        self.call_id = _current_call_id()
        self._audio: list[bytes] = []
        self._retried = False
        self._lost: WorkerDied | None = None
        self._done = False
        #: ``time.monotonic()`` stamps of the decision (the latency breakdown): ``prepare_sent``, ``sent``
        #: (finish), the worker's (``worker.py``: ``in``/``start``/``done``, ``prepare_*``), ``read``
        #: (the reply off the pipe)
        self.stamps: dict = {}
        self._open(None)

    def _open(self, avoid: _Worker | None) -> None:
        self.worker = self.pool.pick(avoid)
        self.sid = self.pool.next_id()
        self.worker.sessions.add(self.sid)
        self.worker.request(("open", self.sid, self.language, self.rate, self.phrases))

    def _end(self) -> None:
        self._done = True
        self.worker.sessions.discard(self.sid)

    def _request(self, kind: str, pcm: bytes) -> Future:
        """Send ``(kind, pcm)`` now (in call order) and return the reply's future. If the worker dies
        first: once, the session is re-opened on another worker and given all the audio so far with
        this request; twice, the stream is lost (a feed answers None, the finish "no match", logged)."""
        if self._done:
            raise RuntimeError("stream already finished")
        if pcm:
            self._audio.append(pcm)
        if kind == "finish":
            self.stamps["sent"] = time.monotonic()
        outer: Future = Future()

        def send(payload: bytes) -> None:
            w, inner = self.worker, Future()

            def done(f: Future) -> None:
                exc = None if f.cancelled() else f.exception()
                if kind == "finish" and getattr(f, "stamps", None):
                    self.stamps.update(f.stamps)
                if not isinstance(exc, WorkerDied):
                    _settle(outer, None if exc or f.cancelled() else f.result(), exc)
                elif w is not self.worker:                   # already moved, with all the audio
                    if kind == "feed":
                        _settle(outer, None)
                    else:
                        send(b"")
                elif not self._retried and self._reopen(exc):
                    send(b"".join(self._audio))
                else:
                    self._lost = exc
                    _settle(outer, None if kind == "feed" else self._no_match(exc))
            inner.add_done_callback(done)
            w.request((kind, self.pool.next_id(), self.sid, payload), inner)

        if self._lost is not None:
            _settle(outer, None if kind == "feed" else self._no_match(self._lost))
        else:
            send(pcm)
        if kind == "finish":
            outer.add_done_callback(lambda _f: self._end())
        return outer

    def _reopen(self, exc: WorkerDied) -> bool:
        """After the worker died: the session again on another worker (once)."""
        self._retried = True
        self.worker.sessions.discard(self.sid)
        log.warning("%s; re-opening the stream on another worker", exc, extra={"call_id": self.call_id or ""})
        try:
            self._open(self.worker)
        except SpeechUnavailable:
            return False
        return True

    def _no_match(self, exc: BaseException) -> Recognition:
        return _no_match(f"{exc} (the stream was retried once) for call {self.call_id or '?'}", self.phrases)

    # the event loop's side: sent at once, in call order (a later ``prepare`` or ``afinish`` comes
    # after it in the worker), the reply awaited
    def afeed(self, pcm: bytes) -> Awaitable[str | None]:
        return asyncio.wrap_future(self._request("feed", pcm))

    def afinish(self, pcm: bytes = b"") -> Awaitable[Recognition]:
        return asyncio.wrap_future(self._request("finish", pcm))

    def prepare(self, pcm: bytes = b"") -> None:
        """Feed ``pcm`` and have the worker decide on the answer so far (the caller has paused): if no
        more audio comes, :meth:`afinish` only collects that decision."""
        if self._done or self._lost is not None:
            return
        if pcm:
            self._audio.append(pcm)
        self.stamps["prepare_sent"] = time.monotonic()
        self.worker.request(("prepare", self.sid, pcm))

    # a thread's side
    def feed(self, pcm16: bytes) -> str | None:
        return self._request("feed", pcm16).result()

    def finish(self) -> Recognition:
        return self._request("finish", b"").result()

    def close(self) -> None:
        """The session ends without a result (the caller hung up): the worker frees its decoder."""
        if not self._done:
            self._end()
            self.worker.request(("drop", self.sid))

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass
