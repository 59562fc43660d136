"""The ``recordings.*`` section of the configuration: its defaults (part of ``config.DEFAULTS``, the one
table of defaults; ``callcenter config defaults`` prints them with the rest) and its typed fields.
Kept beside ``config.py`` so that module stays readable; see docs/recordings.md."""
from __future__ import annotations

from typing import Any

RECORDINGS_DEFAULTS: dict[str, Any] = {
    "dir": "recordings",            # voicemail, call recordings (shared with Asterisk)
    "agi_record_dir": None,         # where Asterisk writes RECORD FILE audio, as the engine sees it
    "asterisk_record_dir": None,    # the same directory as Asterisk sees it (default: agi_record_dir)
    # call recordings (docs/recordings.md)
    "calls_dir": None,              # call recordings as the engine sees them; default <dir>/calls
    "asterisk_calls_dir": None,     # the same directory as Asterisk sees it (default: calls_dir)
    "policy": "never",              # queues not in `queues`: always | never | sampled | request
    "sample_percent": 100.0,        # share of calls recorded under the sampled policy
    "retention_days": 90.0,         # recordings deleted this long after the call; 0 = kept until deleted
    "queues": {},                   # queue -> {policy, sample_percent, retention_days}
    "min_free_mb": 200,             # a recording is not started below this much free disk (reported)
    "retention_interval": 3600.0,   # seconds between retention sweeps in `serve`; 0 = never
    "job_workers": 1,               # post-call jobs running at once (threads, low priority)
    "job_poll_interval": 2.0,       # seconds between looks for due jobs
    "job_lease": 300.0,             # a job whose worker is silent this long runs again elsewhere
    "job_max_attempts": 5,          # attempts of a failing job before it fails for good
    "job_retry_delay": 30.0,        # back-off before the 2nd attempt; doubles per attempt
    "job_retry_max_delay": 3600.0,  # ... up to this many seconds
    "job_nice": 10,                 # niceness of the job threads (Linux), so live calls come first
}


class RecordingsSection:
    """The typed fields of ``cfg.recordings`` (``config.RecordingsSection`` is this class, made a frozen
    dataclass with the defaults above)."""
    dir: str
    agi_record_dir: str | None
    asterisk_record_dir: str | None
    calls_dir: str | None
    asterisk_calls_dir: str | None
    policy: str
    sample_percent: float
    retention_days: float
    queues: dict[str, Any]
    min_free_mb: int
    retention_interval: float
    job_workers: int
    job_poll_interval: float
    job_lease: float
    job_max_attempts: int
    job_retry_delay: float
    job_retry_max_delay: float
    job_nice: int
