"""Flows and the database (``callcenter.store``): persistence of flow versions, and the provisioned
names flows refer to.

This lives in the engine, not in ``callcenter.ivr``: the IVR layer never talks to the database.

``FlowRegistry(flows_dir, store=database_store_hook(db))`` stores each flow version the first time
it serves a call (``flow_versions`` table: YAML text, content hash, first served time), so a call's
trace can always be matched with the exact flow it ran, across restarts. The database numbers
versions itself (per flow, across restarts); the number is also put on ``FlowVersion.stored_version``.
"""
from __future__ import annotations

from typing import Any, Callable

from ..ivr.registry import FlowVersion


def database_store_hook(db: Any) -> Callable[[FlowVersion, str], Any]:
    """A registry ``store`` hook writing to a ``callcenter.store.db.Database``."""
    async def store(version: FlowVersion, text: str) -> None:
        from ..store import repo
        async with db.session() as s:
            row = await repo.record_flow_version(s, version.name, text, version.source, now=version.loaded_at)
            await repo.mark_flow_served(s, version.name, row.version, now=version.first_served_at)
            version.stored_version = row.version
    return store


async def known_queues_and_skills(db: Any) -> tuple[set[str], set[str]]:
    """Queue and skill names provisioned in the database (for ``ivr validate``)."""
    from ..store import repo
    async with db.session() as s:
        queues = {q.name for q in await repo.list_queues(s)}
        skills = {k.name for k in await repo.list_skills(s)}
    return queues, skills
