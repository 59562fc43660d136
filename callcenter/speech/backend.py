"""What the recognition backends share: the process-wide worker pool and the file/samples plumbing.
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Sequence

import numpy as np

from .api import Recognition, Recognizer, SpeechUnavailable
from .audio import MODEL_RATE, load_for_model


log = logging.getLogger("callcenter.speech")

_POOL_LOCK = threading.Lock()
_POOLS: dict[int, ThreadPoolExecutor] = {}


class ModelLoadError(SpeechUnavailable):
    """A configured model could not be loaded; the message names the path."""


def worker_count(configured: int = 0) -> int:
    """``speech.workers``: 0 means one worker per core."""
    return configured if configured and configured > 0 else (os.cpu_count() or 1)


def shared_pool(workers: int = 0) -> ThreadPoolExecutor:
    """The process-wide recognition pool for a size (``speech.workers``; 0 = cores)."""
    n = worker_count(workers)
    with _POOL_LOCK:
        pool = _POOLS.get(n)
        if pool is None:
            pool = _POOLS[n] = ThreadPoolExecutor(max_workers=n, thread_name_prefix="speech")
        return pool


class _Base(Recognizer):
    def __init__(self, executor: Executor | None = None, workers: int = 0):
        self._executor = executor or shared_pool(workers)

    async def recognize_file(self, path: str | Path, language: str,
                             phrases: Sequence[str] | None = None) -> Recognition:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.recognize_file_sync, path, language, phrases)

    def recognize_file_sync(self, path: str | Path, language: str,
                            phrases: Sequence[str] | None = None) -> Recognition:
        samples, _dur = load_for_model(path, MODEL_RATE)
        rec = self.recognize_samples(samples, MODEL_RATE, language, phrases)
        return replace(rec, audio_path=str(path))

    def recognize_samples(self, samples: np.ndarray, rate: int, language: str,
                          phrases: Sequence[str] | None = None) -> Recognition:
        raise NotImplementedError
