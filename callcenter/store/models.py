"""SQLAlchemy 2 models: the same tables on SQLite (embedded default) and PostgreSQL.

Conventions
-----------
* Times are ``float`` seconds since the epoch (UTC), like :class:`callcenter.events.DomainEvent.ts`
  and Asterisk's ``queue_log``; durations are float seconds.
* Lists and free-form structures (languages, queue requirement rules, IVR traces, event data) are JSON.
* The schema is owned by the Alembic migrations in ``callcenter/store/migrations/versions``; a model
  change needs a new revision (``tests/store/test_migrations.py`` checks that models and migrations agree).
"""
from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer,
                        MetaData, String, Text, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Allowed values, shared with the CLI, the provisioning importer and the ACD.
STRATEGIES = ("longest-idle", "fewest-calls", "least-talk-time", "round-robin", "linear", "random",
              "weighted-random", "ring-all", "best-skill")
ROLES = ("agent", "supervisor", "admin")
AGENT_STATES = ("logged_out", "ready", "offered", "on_call", "wrap_up", "paused")
DISPOSITIONS = ("answered", "abandoned", "overflowed", "callback", "failed", "ivr-only")
RECORDING_KINDS = ("voicemail", "call")
#: A call recording's life: ``recording`` (MixMonitor running), ``pending`` (call over, finalize job
#: queued), ``ready`` (stereo WAV checked), ``failed`` (``error`` says why), ``deleted`` (file and
#: derived data removed; the row stays so the call's record says when and why).
RECORDING_STATUSES = ("recording", "pending", "ready", "failed", "deleted")
#: A job's life: ``queued`` (waits for ``run_after``), ``running`` (claimed by ``worker`` until
#: ``lease_until``), ``done``, ``failed`` (no attempt left, or a permanent error; ``error`` says why).
JOB_STATUSES = ("queued", "running", "done", "failed")

#: Auto-incrementing 64-bit key that SQLite also treats as its rowid.
BigId = BigInteger().with_variant(Integer, "sqlite")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Skill(Base):
    __tablename__ = "skills"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(String(255), default="")


class Agent(Base):
    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)          # short id, e.g. "alice"
    full_name: Mapped[str] = mapped_column(String(128), default="")
    extension: Mapped[Optional[str]] = mapped_column(String(32), unique=True)
    interface: Mapped[Optional[str]] = mapped_column(String(128))       # phone, e.g. PJSIP/2001
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)    # ["en-US", "zh-CN"]
    max_concurrent: Mapped[int] = mapped_column(Integer, default=1)
    wrapup: Mapped[Optional[float]] = mapped_column(Float)              # None: the queue's / acd default
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # persisted live state (survives a restart)
    state: Mapped[str] = mapped_column(String(16), default="logged_out", server_default="logged_out")
    state_reason: Mapped[Optional[str]] = mapped_column(String(64))
    state_since: Mapped[Optional[float]] = mapped_column(Float)
    login_interface: Mapped[Optional[str]] = mapped_column(String(128))  # phone logged in from
    created_at: Mapped[Optional[float]] = mapped_column(Float)
    updated_at: Mapped[Optional[float]] = mapped_column(Float)

    skills: Mapped[list["AgentSkill"]] = relationship(back_populates="agent", cascade="all, delete-orphan",
                                                      lazy="selectin")
    memberships: Mapped[list["QueueMember"]] = relationship(back_populates="agent",
                                                            cascade="all, delete-orphan", lazy="selectin")


class AgentSkill(Base):
    __tablename__ = "agent_skills"
    __table_args__ = (CheckConstraint("proficiency BETWEEN 1 AND 5", name="proficiency_1_5"),)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)
    proficiency: Mapped[int] = mapped_column(Integer, default=3)

    agent: Mapped[Agent] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship(lazy="joined")


class Queue(Base):
    __tablename__ = "queues"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(String(255), default="")
    strategy: Mapped[str] = mapped_column(String(32), default="longest-idle")
    sl_target: Mapped[int] = mapped_column(Integer, default=20)         # answer within N seconds ...
    sl_percent: Mapped[float] = mapped_column(Float, default=80.0)      # ... for this % of calls
    max_wait: Mapped[Optional[int]] = mapped_column(Integer)            # seconds; None = unlimited
    max_length: Mapped[Optional[int]] = mapped_column(Integer)          # waiting calls; None = unlimited
    overflow: Mapped[Optional[str]] = mapped_column(String(128))        # queue name (or flow/voicemail target)
    wrapup: Mapped[Optional[float]] = mapped_column(Float)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    join_empty: Mapped[bool] = mapped_column(Boolean, default=True)     # join with no agent logged in
    leave_empty: Mapped[bool] = mapped_column(Boolean, default=False)   # leave when the last agent logs out
    rules: Mapped[list[Any]] = mapped_column(JSON, default=list)        # ["WT < 30: billing >= 4 & lang_en", "any"]
    moh_class: Mapped[str] = mapped_column(String(64), default="default")
    announce_position: Mapped[bool] = mapped_column(Boolean, default=True)
    announce_hold_time: Mapped[bool] = mapped_column(Boolean, default=True)
    announce_interval: Mapped[int] = mapped_column(Integer, default=60)  # seconds; 0 = never
    callback_after: Mapped[Optional[int]] = mapped_column(Integer)      # offer a callback after N s waiting
    created_at: Mapped[Optional[float]] = mapped_column(Float)
    updated_at: Mapped[Optional[float]] = mapped_column(Float)

    members: Mapped[list["QueueMember"]] = relationship(back_populates="queue", cascade="all, delete-orphan",
                                                        lazy="selectin")


class QueueMember(Base):
    __tablename__ = "queue_members"
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    penalty: Mapped[int] = mapped_column(Integer, default=0)            # tier: lower is tried first

    queue: Mapped[Queue] = relationship(back_populates="members", lazy="joined")
    agent: Mapped[Agent] = relationship(back_populates="memberships", lazy="joined")


class ProvisioningRevision(Base):
    """One row (id 1): a counter bumped in the same transaction as every change to skills, agents,
    queues or memberships, so a running engine sees a change with one cheap read (live reload)."""
    __tablename__ = "provisioning_revision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[Optional[float]] = mapped_column(Float)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    agent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[Optional[float]] = mapped_column(Float)

    agent: Mapped[Optional[Agent]] = relationship(lazy="joined")


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)   # sha256 hex; the token itself is not stored
    label: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[Optional[float]] = mapped_column(Float)
    expires_at: Mapped[Optional[float]] = mapped_column(Float)
    last_used_at: Mapped[Optional[float]] = mapped_column(Float)

    user: Mapped[User] = relationship(lazy="joined")


class CallRecord(Base):
    """One call detail record per call (``call_id`` is the engine's / Asterisk's unique id)."""
    __tablename__ = "calls"
    __table_args__ = (Index("ix_calls_queue_arrived", "queue", "arrived_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    caller: Mapped[Optional[str]] = mapped_column(String(64))
    caller_name: Mapped[Optional[str]] = mapped_column(String(128))
    did: Mapped[Optional[str]] = mapped_column(String(64))
    language: Mapped[Optional[str]] = mapped_column(String(16))
    arrived_at: Mapped[Optional[float]] = mapped_column(Float, index=True)
    queued_at: Mapped[Optional[float]] = mapped_column(Float)
    answered_at: Mapped[Optional[float]] = mapped_column(Float)
    ended_at: Mapped[Optional[float]] = mapped_column(Float)
    queue: Mapped[Optional[str]] = mapped_column(String(64))
    agent: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    disposition: Mapped[Optional[str]] = mapped_column(String(16))
    hold_s: Mapped[Optional[float]] = mapped_column(Float)
    talk_s: Mapped[Optional[float]] = mapped_column(Float)
    wrapup_s: Mapped[Optional[float]] = mapped_column(Float)
    intent: Mapped[Optional[str]] = mapped_column(String(64))
    ivr_trace: Mapped[Optional[list[Any]]] = mapped_column(JSON)
    recording: Mapped[Optional[str]] = mapped_column(String(512))
    data: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)       # IVR variables, transfer targets ...


class CallEvent(Base):
    """The event log: one row per queue / IVR / agent event (like Asterisk's ``queue_log``)."""
    __tablename__ = "call_events"
    __table_args__ = (Index("ix_call_events_queue_ts", "queue", "ts"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ts: Mapped[float] = mapped_column(Float, index=True)
    call_id: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    queue: Mapped[Optional[str]] = mapped_column(String(64))
    agent: Mapped[Optional[str]] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64))
    data: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)


class Recording(Base):
    __tablename__ = "recordings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(String(512), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="call")       # voicemail | call
    duration: Mapped[Optional[float]] = mapped_column(Float)
    queue: Mapped[Optional[str]] = mapped_column(String(64))
    agent: Mapped[Optional[str]] = mapped_column(String(64))
    caller: Mapped[Optional[str]] = mapped_column(String(64))
    created_at: Mapped[Optional[float]] = mapped_column(Float)
    heard: Mapped[bool] = mapped_column(Boolean, default=False)         # voicemail listened to
    # call recordings (issue 14): see docs/recordings.md
    status: Mapped[Optional[str]] = mapped_column(String(16), index=True)     # RECORDING_STATUSES
    error: Mapped[Optional[str]] = mapped_column(Text)                  # why failed / missing / unreadable
    asterisk_path: Mapped[Optional[str]] = mapped_column(String(512))   # the MixMonitor file as Asterisk sees it
    source_path: Mapped[Optional[str]] = mapped_column(String(512))     # the MixMonitor file as the engine sees it
    policy: Mapped[Optional[str]] = mapped_column(String(16))           # always | sampled | request | node
    started_at: Mapped[Optional[float]] = mapped_column(Float)          # MixMonitor started (agent answered)
    ended_at: Mapped[Optional[float]] = mapped_column(Float)            # call over
    pauses: Mapped[Optional[list[Any]]] = mapped_column(JSON)           # [{at, offset, resumed_at, duration, by}]
    channels: Mapped[Optional[int]] = mapped_column(Integer)            # 2: left = caller, right = agent
    sample_rate: Mapped[Optional[int]] = mapped_column(Integer)
    size_bytes: Mapped[Optional[int]] = mapped_column(BigInteger)
    retain_until: Mapped[Optional[float]] = mapped_column(Float, index=True)  # None: kept until deleted by hand
    deleted_at: Mapped[Optional[float]] = mapped_column(Float)

    transcripts: Mapped[list["Transcript"]] = relationship(back_populates="recording",
                                                           cascade="all, delete-orphan", lazy="selectin")


class Transcript(Base):
    __tablename__ = "transcripts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"), index=True)
    language: Mapped[Optional[str]] = mapped_column(String(16))
    engine: Mapped[Optional[str]] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[Optional[float]] = mapped_column(Float)
    segments: Mapped[Optional[list[Any]]] = mapped_column(JSON)         # [{start, end, text, speaker}]
    analysis: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)    # risk words, sentiment, QA results
    created_at: Mapped[Optional[float]] = mapped_column(Float)

    recording: Mapped[Recording] = relationship(back_populates="transcripts")


class RecordingLog(Base):
    """Who did what to a recording (every audio download, export, deletion, pause, failure), kept
    after the recording itself is deleted."""
    __tablename__ = "recording_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ts: Mapped[float] = mapped_column(Float, index=True)
    recording_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    call_id: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))                     # download | export | delete | expire ...
    actor: Mapped[Optional[str]] = mapped_column(String(64))            # user name, "retention", "engine"
    detail: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)


class Job(Base):
    """The durable post-call job queue (``callcenter.analytics.jobs``): a job survives a restart."""
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))                       # recording.finalize, transcribe ...
    key: Mapped[Optional[str]] = mapped_column(String(191), unique=True)  # idempotency: one job per key
    call_id: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    recording_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    payload: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="queued")    # JOB_STATUSES
    priority: Mapped[int] = mapped_column(Integer, default=100)         # lower runs first
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after: Mapped[float] = mapped_column(Float, default=0.0)
    lease_until: Mapped[Optional[float]] = mapped_column(Float)
    worker: Mapped[Optional[str]] = mapped_column(String(128))
    error: Mapped[Optional[str]] = mapped_column(Text)
    result: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[Optional[float]] = mapped_column(Float)
    started_at: Mapped[Optional[float]] = mapped_column(Float)
    finished_at: Mapped[Optional[float]] = mapped_column(Float)


class FlowVersion(Base):
    """Every IVR flow version ever loaded (so a call's trace can name the exact flow it ran)."""
    __tablename__ = "flow_versions"
    __table_args__ = (UniqueConstraint("flow", "version", name="uq_flow_versions_flow_version"),
                      UniqueConstraint("flow", "content_hash", name="uq_flow_versions_flow_hash"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flow: Mapped[str] = mapped_column(String(128))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    path: Mapped[Optional[str]] = mapped_column(String(512))
    yaml_text: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[Optional[float]] = mapped_column(Float)
    first_served_at: Mapped[Optional[float]] = mapped_column(Float)


class CallAnalysis(Base):
    """Conversation analytics of one call's recording (``callcenter/analytics``): transcript text (full-text
    searchable: SQLite FTS5 table ``call_analyses_fts`` / PostgreSQL ``search`` tsvector column, both made
    by migration 0005 and kept out of the model, see :data:`FTS_OBJECTS`), risk hits, mood, QA score,
    supervisors' overrides. ``result`` holds the whole analysis (turns, words, hits, mood, scorecard)."""
    __tablename__ = "call_analyses"
    __table_args__ = (Index("ix_call_analyses_agent_call_at", "agent", "call_at"),
                      Index("ix_call_analyses_queue_call_at", "queue", "call_at"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    recording_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    path: Mapped[Optional[str]] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16), default="pending")     # pending | done | failed
    error: Mapped[Optional[str]] = mapped_column(Text)
    queue: Mapped[Optional[str]] = mapped_column(String(64))
    agent: Mapped[Optional[str]] = mapped_column(String(64))
    language: Mapped[Optional[str]] = mapped_column(String(16))
    engine: Mapped[Optional[str]] = mapped_column(String(32))
    call_at: Mapped[Optional[float]] = mapped_column(Float, index=True)    # when the call took place
    analyzed_at: Mapped[Optional[float]] = mapped_column(Float)
    duration: Mapped[Optional[float]] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text, default="")
    risk_count: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[Optional[float]] = mapped_column(Float)                  # QA score with overrides applied
    caller_mood: Mapped[Optional[float]] = mapped_column(Float)
    agent_mood: Mapped[Optional[float]] = mapped_column(Float)
    result: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    overrides: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)      # rule id -> {passed, comment, by, at}


#: Full-text search objects made by migration 0005 with each database's own SQL, not by the model:
#: SQLite's FTS5 table (and the shadow tables FTS5 keeps beside it) and PostgreSQL's tsvector column + index.
FTS_OBJECTS = {"tables_prefix": "call_analyses_fts", "column": ("call_analyses", "search"),
               "index": "ix_call_analyses_search"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: leave the full-text search objects (:data:`FTS_OBJECTS`) out of model comparisons."""
    if type_ == "table" and name and name.startswith(FTS_OBJECTS["tables_prefix"]):
        return False
    if type_ == "column" and (getattr(obj, "table", None) is not None
                              and (obj.table.name, name) == FTS_OBJECTS["column"]):
        return False
    if type_ == "index" and name == FTS_OBJECTS["index"]:
        return False
    return True
