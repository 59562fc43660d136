"""Provisioning is checked on write with the ACD's own checks (same message the engine would log at
start), a refused write stores nothing, and every provisioning write moves the provisioning revision."""
from __future__ import annotations

import pytest

from callcenter.store import provision, repo
from callcenter.store.acd_rows import RowError, queue_config
from callcenter.store.provision import ProvisionError
from callcenter.store.repo import RepoError


async def test_bad_rule_is_refused_with_the_engines_message(db):
    bad = ["WT < 30: billing >= 4", "WT < 90: billing >="]
    with pytest.raises(RowError) as engine_view:            # what the engine says when it loads the row
        queue_config({"name": "support", "rules": bad})
    with pytest.raises(RepoError) as err:
        async with db.session() as s:
            await repo.upsert_queue(s, "support", strategy="best-skill", rules=bad)
    assert str(err.value) == str(engine_view.value)
    assert str(err.value).startswith("queue 'support', rule 2 'WT < 90: billing >=', column 20: ")
    assert err.value.field == "rules" and err.value.index == 1 and "\n" not in str(err.value)
    async with db.session() as s:
        assert await repo.list_queues(s) == []
        assert await repo.provisioning_revision(s) == 0


async def test_update_to_a_bad_rule_keeps_the_old_rules(db):
    async with db.session() as s:
        await repo.upsert_queue(s, "support", rules=["any"])
    with pytest.raises(RepoError, match=r"queue 'support', rule 1 'WT < 10 billing', column 1: WT belongs in the condition"):
        async with db.session() as s:
            await repo.upsert_queue(s, "support", rules=["WT < 10 billing"])
    async with db.session() as s:
        assert (await repo.get_queue(s, "support")).rules == ["any"]


@pytest.mark.parametrize("kw,pattern", [
    ({"skills": {"lang_en": 3}}, r"agent 'bob': skill 'lang_en': names starting with lang_ are language tags"),
    ({"skills": {"billing": 6}}, r"proficiency of skill 'billing' must be an integer 1-5"),
])
async def test_agent_rows_the_acd_refuses_are_refused(db, kw, pattern):
    with pytest.raises(RepoError, match=pattern):
        async with db.session() as s:
            await repo.upsert_agent(s, "bob", **kw)
    async with db.session() as s:
        assert await repo.list_agents(s) == []


async def test_skill_added_later_is_checked_too(db):
    async with db.session() as s:
        await repo.upsert_agent(s, "bob", skills={"billing": 3})
    with pytest.raises(RepoError, match="agent 'bob': skill 'LANG_fr'"):
        async with db.session() as s:
            await repo.set_agent_skills(s, "bob", {"LANG_fr": 2}, replace=False)
    async with db.session() as s:
        assert repo.agent_to_dict(await repo.require_agent(s, "bob"))["skills"] == {"billing": 3}


async def test_every_provisioning_write_moves_the_revision_and_live_state_does_not(db):
    async def revision() -> int:
        async with db.session() as s:
            return await repo.provisioning_revision(s)

    steps = [
        lambda s: repo.upsert_skill(s, "billing"),
        lambda s: repo.upsert_queue(s, "support"),
        lambda s: repo.upsert_queue(s, "sales", strategy="round-robin"),
        lambda s: repo.upsert_agent(s, "bob", extension="2001", skills={"billing": 2}),
        lambda s: repo.set_agent_skills(s, "bob", {"billing": 4}),
        lambda s: repo.set_agent_queues(s, "bob", {"support": 0}),
        lambda s: repo.set_queue_member(s, "sales", "bob", 2),
        lambda s: repo.remove_queue_member(s, "sales", "bob"),
        lambda s: repo.remove_queue(s, "sales"),
        lambda s: repo.remove_skill(s, "billing"),
        lambda s: repo.remove_agent(s, "bob"),
    ]
    last = await revision()
    for step in steps:
        async with db.session() as s:
            await step(s)
        now = await revision()
        assert now > last
        last = now
    async with db.session() as s:
        await repo.upsert_agent(s, "ann")
    last = await revision()
    async with db.session() as s:
        await repo.set_agent_state(s, "ann", "ready")          # live state, written by the engine
    assert await revision() == last


async def test_a_queue_used_as_overflow_cannot_be_removed(db):
    async with db.session() as s:
        await repo.upsert_queue(s, "sales")
        await repo.upsert_queue(s, "support", overflow="sales")
    with pytest.raises(RepoError, match=r"queue 'sales' is the overflow target of queue\(s\) 'support'"):
        async with db.session() as s:
            await repo.remove_queue(s, "sales")


async def test_import_with_one_bad_rule_stores_nothing_and_names_the_line(sqlite_db, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("skills: [billing]\n"
                 "queues:\n"
                 "  - name: support\n"
                 "    rules: [any]\n"
                 "  - name: sales\n"
                 "    rules:\n"
                 "      - \"WT < 30: billing >= 4\"\n"
                 "      - \"WT < 60: billing >> 2\"\n"
                 "agents:\n"
                 "  - {name: bob, skills: {billing: 3}, queues: [support]}\n")
    with pytest.raises(ProvisionError) as err:
        async with sqlite_db.session() as s:
            await provision.import_file(s, f)
    assert str(err.value).startswith(f"{f}:8: queue 'sales', rule 2 'WT < 60: billing >> 2', column 19: ")
    async with sqlite_db.session() as s:
        assert await repo.list_skills(s) == [] and await repo.list_queues(s) == []
        assert await repo.list_agents(s) == [] and await repo.provisioning_revision(s) == 0
