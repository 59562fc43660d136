"""Provisioning YAML: import (idempotent, all or nothing, errors at file:line), export round trip."""
from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcenter.demo import DEMO_FILE, DEMO_USERS
from callcenter.store import provision, repo
from callcenter.store.db import open_database
from callcenter.store.provision import ProvisionError

GOOD = textwrap.dedent("""\
    skills:
      - billing
      - {name: tech, description: Technical}
    queues:
      - name: support
        strategy: best-skill
        sl_target: 20
        max_wait: 300
        overflow: sales
        rules: ["WT < 30: billing >= 4 & lang_en", "any"]
      - name: sales
        strategy: round-robin
    agents:
      - name: alice
        extension: 2001
        languages: [en-US]
        skills: {billing: 4, tech: 2}
        queues: [support, "sales:2"]
    users:
      - {username: admin, password: pw, role: admin}
      - {username: alice, password: pw2, role: agent, agent: alice}
    """)


async def test_import_is_idempotent(db, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(GOOD)
    async with db.session() as s:
        r1 = await provision.import_file(s, f)
    async with db.session() as s:
        r2 = await provision.import_file(s, f)
        hash_before = (await repo.get_user(s, "admin")).password_hash
    assert r1.created == {"skills": 2, "queues": 2, "agents": 1, "users": 2}
    assert r2.created == {"skills": 0, "queues": 0, "agents": 0, "users": 0}
    async with db.session() as s:
        a = repo.agent_to_dict(await repo.get_agent(s, "alice"))
        assert a["extension"] == "2001" and a["queues"] == {"sales": 2, "support": 0}
        assert (await repo.get_user(s, "admin")).password_hash == hash_before   # not re-hashed
        assert await repo.authenticate(s, "alice", "pw2") is not None
        assert (await repo.get_queue(s, "support")).overflow == "sales"


async def test_export_then_import_elsewhere_round_trips(db, tmp_path):
    async with db.session() as s:
        await provision.import_file(s, DEMO_FILE)
    async with db.session() as s:
        text = provision.dump_yaml(await provision.export_data(s))
    f = tmp_path / "export.yaml"
    f.write_text(text)
    other = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    try:
        async with other.session() as s:
            await provision.import_file(s, f)
        async with other.session() as s:
            again = provision.dump_yaml(await provision.export_data(s))
            assert await repo.authenticate(s, "admin", DEMO_USERS["admin"]) is not None
    finally:
        await other.close()
    assert again == text


async def test_demo_data(db):
    async with db.session() as s:
        await provision.import_file(s, DEMO_FILE)
    async with db.session() as s:
        agents = [repo.agent_to_dict(a) for a in await repo.list_agents(s)]
        queues = {q.name for q in await repo.list_queues(s)}
        assert len(agents) >= 12
        assert queues == {"support", "billing", "technical", "sales", "zh_support"}
        langs = {lang for a in agents for lang in a["languages"]}
        assert {"en-US", "zh-CN"} <= langs
        for user, pw in DEMO_USERS.items():
            assert await repo.authenticate(s, user, pw) is not None
        roles = {u.role for u in await repo.list_users(s)}
        assert roles == {"admin", "supervisor", "agent"}


E = "skills: [early]\n"     # line 1: applied first, must be rolled back when a later line is bad

BAD = [
    ("skills: [billing\n", r"p\.yaml:\d+: not valid YAML"),
    ("colours: []\n", r"p\.yaml:1: unknown section 'colours'"),
    (E + "agents: {alice: 1}\n", r"p\.yaml:2: section 'agents' must be a list"),
    (E + "agents:\n  - name: alice\n    skils: {billing: 4}\n", r"p\.yaml:4: agents 'alice': unknown key 'skils'"),
    (E + "agents:\n  - name: alice\n  - name: bob\n    skills: {billing: 7}\n",
     r"p\.yaml:5: agent 'bob': proficiency of skill 'billing' must be an integer 1-5, got 7"),
    (E + "queues:\n  - name: a\n\n  - name: b\n    strategy: fastest\n",
     r"p\.yaml:6: queue 'b': queue strategy must be one of"),
    (E + "queues:\n  - name: a\n    overflow: nowhere\n",
     r"p\.yaml:4: queue 'a': overflow target 'nowhere' is not a queue"),
    (E + "agents:\n  - name: alice\n    queues: {nowhere: 0}\n", r"p\.yaml:4: agent 'alice': no queue named 'nowhere'"),
    (E + "users:\n  - {username: x, role: god, password: p}\n", r"p\.yaml:3: .*role must be one of"),
    (E + "agents:\n  - full_name: No Name\n", r"p\.yaml:3: agents entry needs a 'name'"),
    ("- a\n- b\n", r"p\.yaml:1: the top level must be a mapping"),
]


@pytest.mark.parametrize("text,pattern", BAD)
async def test_errors_name_file_and_line_and_apply_nothing(sqlite_db, tmp_path, text, pattern):
    f = tmp_path / "p.yaml"
    f.write_text(text)
    with pytest.raises(ProvisionError, match=pattern) as err:
        async with sqlite_db.session() as s:
            await provision.import_file(s, f)
    assert "\n" not in str(err.value)
    async with sqlite_db.session() as s:          # all or nothing: the earlier skill was not kept either
        assert await repo.list_skills(s) == []


def test_missing_file_is_one_line(tmp_path):
    import asyncio
    with pytest.raises(ProvisionError, match=r"nope\.yaml: cannot read"):
        asyncio.run(provision.import_file(None, tmp_path / "nope.yaml"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}\n #'\"&*!|>0123456789agentsquesklrny")), max_size=120))
def test_parse_yaml_never_crashes(text):
    try:
        doc = provision.parse_yaml(text, "fuzz.yaml")
    except ProvisionError as exc:
        assert str(exc).startswith("fuzz.yaml") and "\n" not in str(exc)
    else:
        assert isinstance(doc, dict)


async def test_reimport_reports_what_changed(db, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(GOOD)
    async with db.session() as s:
        await provision.import_file(s, f, now=1000.0)
        revision = await repo.provisioning_revision(s)
    async with db.session() as s:
        again = await provision.import_file(s, f, now=2000.0)
    async with db.session() as s:
        assert await repo.provisioning_revision(s) == revision     # a running engine has nothing to reload
    assert again.created == again.updated == {"skills": 0, "queues": 0, "agents": 0, "users": 0}
    assert again.unchanged == {"skills": 2, "queues": 2, "agents": 1, "users": 2}
    assert again.summary().startswith("nothing changed (skills: 0 new, 0 updated, 2 unchanged;")
    async with db.session() as s:
        assert (await repo.get_agent(s, "alice")).updated_at == 1000.0     # rows left as they were
        assert (await repo.get_queue(s, "support")).updated_at == 1000.0
    f.write_text(GOOD.replace("skills: {billing: 4, tech: 2}", "skills: {billing: 5, tech: 2}")
                 .replace("password: pw2", "password: new-pw"))
    async with db.session() as s:
        changed = await provision.import_file(s, f, now=3000.0)
    assert changed.updated == {"skills": 0, "queues": 0, "agents": 1, "users": 1}
    assert changed.unchanged == {"skills": 2, "queues": 2, "agents": 0, "users": 1}
    assert changed.summary() == ("skills: 0 new, 0 updated, 2 unchanged; queues: 0 new, 0 updated, 2 unchanged; "
                                 "agents: 0 new, 1 updated; users: 0 new, 1 updated, 1 unchanged")
    async with db.session() as s:
        assert (await repo.get_agent(s, "alice")).updated_at == 3000.0
        assert await repo.provisioning_revision(s) > revision
