"""Storage: SQLAlchemy 2 (async) models and repositories; SQLite embedded default, PostgreSQL in production.

* :mod:`.models`: tables (agents, skills, queues, users, CDRs, event log, recordings, transcripts, flow versions)
* :mod:`.db`: :class:`Database` (engine, ``session()``, ``connect()``, ``upgrade()``), :class:`DatabaseError`
* :mod:`.repo`: async repository functions, each taking an ``AsyncSession`` (provisioning, users and
  tokens here; the history, CDRs / event log / recordings / flow versions, in :mod:`.history` and
  re-exported by ``repo``); :mod:`.common`: ``RepoError``, ``UNSET`` and helpers they share
* :mod:`.writer`: :class:`StoreWriter`, the bus subscriber that persists events, CDRs and agent state
* :mod:`.provision`: YAML import/export of skills, queues, agents, users
* :mod:`.migrate`: Alembic driven programmatically; scripts in ``migrations/``
"""
from .db import Database, DatabaseError, open_database, safe_url

__all__ = ["Database", "DatabaseError", "open_database", "safe_url"]
