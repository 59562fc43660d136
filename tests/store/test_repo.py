"""Repository behaviour on SQLite and PostgreSQL (the ``db`` fixture is parametrized over both)."""
from __future__ import annotations

import pytest

from callcenter.events import DomainEvent
from callcenter.store import repo
from callcenter.store.db import Database
from callcenter.store.models import STRATEGIES
from callcenter.store.repo import RepoError


async def test_agent_with_skills_languages_and_queues(db):
    async with db.session() as s:
        await repo.upsert_queue(s, "support", strategy="best-skill")
        await repo.upsert_queue(s, "billing")
        await repo.upsert_agent(s, "alice", full_name="Alice", extension="2001", languages=["en-US", "zh-CN"],
                                skills={"billing": 4, "tech": 2}, queues={"support": 0, "billing": 2})
    async with db.session() as s:
        d = repo.agent_to_dict(await repo.require_agent(s, "alice"))
    assert d["interface"] == "PJSIP/2001"
    assert d["languages"] == ["en-US", "zh-CN"]
    assert d["skills"] == {"billing": 4, "tech": 2}
    assert d["queues"] == {"billing": 2, "support": 0}
    assert d["state"] == "logged_out"
    async with db.session() as s:   # partial update keeps the rest; replace drops what is not listed
        await repo.upsert_agent(s, "alice", skills={"tech": 5}, replace=False)
        assert repo.agent_to_dict(await repo.get_agent(s, "alice"))["skills"] == {"billing": 4, "tech": 5}
        await repo.upsert_agent(s, "alice", skills={"tech": 1}, queues={"support": 1})
    async with db.session() as s:
        d = repo.agent_to_dict(await repo.get_agent(s, "alice"))
        assert (d["skills"], d["queues"]) == ({"tech": 1}, {"support": 1})
        names = [k.name for k in await repo.list_skills(s)]
        assert names == ["billing", "tech"]          # skills created on the fly are kept


@pytest.mark.parametrize("level", [0, 6, "4", 2.5, True])
async def test_proficiency_must_be_1_to_5(sqlite_db, level):
    async with sqlite_db.session() as s:
        with pytest.raises(RepoError, match="proficiency"):
            await repo.upsert_agent(s, "bob", skills={"billing": level})


async def test_agent_errors_are_clear(db):
    async with db.session() as s:
        await repo.upsert_agent(s, "alice", extension="2001")
        with pytest.raises(RepoError, match="extension 2001 already belongs to agent 'alice'"):
            await repo.upsert_agent(s, "bob", extension="2001")
        with pytest.raises(RepoError, match="no queue named 'nowhere'"):
            await repo.upsert_agent(s, "carol", queues={"nowhere": 0})
        with pytest.raises(RepoError, match="name"):
            await repo.upsert_agent(s, "has space")


async def test_queue_settings_and_rules_order(db):
    rules = ["WT < 30: billing >= 4 & lang_en", "WT < 90: billing >= 2", "any"]
    async with db.session() as s:
        await repo.upsert_queue(s, "sales")
        await repo.upsert_queue(s, "billing", strategy="weighted-random", sl_target=30, sl_percent=90,
                                max_wait=300, max_length=20, overflow="sales", rules=rules, wrapup=5,
                                join_empty=False, moh_class="jazz", callback_after=60)
    async with db.session() as s:
        q = repo.queue_to_dict(await repo.require_queue(s, "billing"))
    assert q["rules"] == rules
    assert (q["strategy"], q["sl_target"], q["sl_percent"], q["max_wait"], q["overflow"]) == \
        ("weighted-random", 30, 90.0, 300, "sales")
    assert q["join_empty"] is False and q["moh_class"] == "jazz" and q["callback_after"] == 60


@pytest.mark.parametrize("fields,match", [
    ({"strategy": "fastest"}, "strategy must be one of"),
    ({"sl_target": -1}, "sl_target"),
    ({"max_wait": 0}, "max_wait"),
    ({"rules": [1, 2]}, "rules"),
    ({"join_empty": "yes"}, "join_empty"),
    ({"colour": "red"}, "unknown queue setting 'colour'"),
    ({"overflow": "q"}, "cannot overflow to itself"),
])
async def test_queue_validation(sqlite_db, fields, match):
    async with sqlite_db.session() as s:
        with pytest.raises(RepoError, match=match):
            await repo.upsert_queue(s, "q", **fields)


def test_strategy_names_match_the_acd_list():
    assert STRATEGIES == ("longest-idle", "fewest-calls", "least-talk-time", "round-robin", "linear", "random",
                          "weighted-random", "ring-all", "best-skill")


async def test_queue_members_and_removal_cascade(db):
    async with db.session() as s:
        await repo.upsert_queue(s, "support")
        await repo.upsert_agent(s, "alice")
        await repo.set_queue_member(s, "support", "alice", 3)
        assert repo.queue_to_dict(await repo.get_queue(s, "support"))["members"] == {"alice": 3}
        await repo.set_queue_member(s, "support", "alice", 1)
        assert repo.queue_to_dict(await repo.get_queue(s, "support"))["members"] == {"alice": 1}
        assert await repo.remove_queue_member(s, "support", "alice") is True
        assert await repo.remove_queue_member(s, "support", "alice") is False
        await repo.set_queue_member(s, "support", "alice")
    async with db.session() as s:
        assert await repo.remove_agent(s, "alice")
    async with db.session() as s:
        assert repo.queue_to_dict(await repo.get_queue(s, "support"))["members"] == {}


async def test_agent_live_state_survives_a_restart(db_url):
    from callcenter.store.db import open_database
    db = await open_database(db_url)
    async with db.session() as s:
        await repo.upsert_agent(s, "alice", extension="2001")
        await repo.set_agent_state(s, "alice", "paused", reason="lunch", login_interface="PJSIP/2001", now=100.0)
    await db.close()
    db = await open_database(db_url)          # "restart"
    async with db.session() as s:
        a = await repo.get_agent(s, "alice")
        assert (a.state, a.state_reason, a.state_since, a.login_interface) == ("paused", "lunch", 100.0,
                                                                              "PJSIP/2001")
        await repo.set_agent_state(s, "alice", "ready", now=130.0)
        assert (a.state, a.state_reason, a.state_since) == ("ready", None, 130.0)
        with pytest.raises(RepoError, match="state must be one of"):
            await repo.set_agent_state(s, "alice", "sleeping")
    await db.close()


async def test_users_passwords_and_tokens(db):
    async with db.session() as s:
        await repo.upsert_agent(s, "alice")
        await repo.upsert_user(s, "alice", password="s3cret", role="agent", agent="alice")
        await repo.upsert_user(s, "boss", password="pw", role="supervisor")
        u = await repo.get_user(s, "alice")
        assert u.password_hash.startswith("scrypt$") and "s3cret" not in u.password_hash
        assert (await repo.authenticate(s, "alice", "s3cret")).agent.name == "alice"
        assert await repo.authenticate(s, "alice", "wrong") is None
        assert await repo.authenticate(s, "nobody", "x") is None
        token = await repo.create_api_token(s, "boss", label="cli", ttl=60, now=1000.0)
        assert (await repo.user_for_token(s, token, now=1010.0)).username == "boss"
        assert await repo.user_for_token(s, token, now=1061.0) is None      # expired
        assert await repo.user_for_token(s, token + "x", now=1010.0) is None
        await repo.upsert_user(s, "boss", enabled=False)
        assert await repo.user_for_token(s, token, now=1010.0) is None      # disabled
        assert await repo.authenticate(s, "boss", "pw") is None
        with pytest.raises(RepoError, match="role must be one of"):
            await repo.upsert_user(s, "x", password="p", role="god")
        with pytest.raises(RepoError, match="needs a password"):
            await repo.upsert_user(s, "y")


def test_password_hash_is_salted_and_rejects_garbage():
    h1, h2 = repo.hash_password("pw"), repo.hash_password("pw")
    assert h1 != h2 and repo.verify_password("pw", h1) and repo.verify_password("pw", h2)
    for bad in ("", "plain", "scrypt$x$y$z$a$b", "md5$1$1$1$AA==$AA=="):
        assert repo.verify_password("pw", bad) is False


async def test_cdr_merge_and_queries(db):
    async with db.session() as s:
        await repo.save_call(s, "c1", caller="5550001", did="100", arrived_at=10.0, data={"lang": "en"})
        await repo.save_call(s, "c1", queue="support", answered_at=20.0, agent="alice", disposition="answered",
                             hold_s=10.0, talk_s=30.0, ivr_trace=[{"node": "menu", "digits": "1"}],
                             data={"intent": "billing"})
        await repo.save_calls(s, [{"call_id": "c2", "arrived_at": 15.0, "queue": "support",
                                   "disposition": "abandoned"},
                                  {"call_id": "c3", "arrived_at": 30.0, "queue": "sales"},
                                  {"call_id": "c3", "disposition": "overflowed"}])
    async with db.session() as s:
        c1 = repo.call_to_dict(await repo.get_call(s, "c1"))
        assert c1["caller"] == "5550001" and c1["agent"] == "alice" and c1["talk_s"] == 30.0
        assert c1["data"] == {"lang": "en", "intent": "billing"}
        assert c1["ivr_trace"] == [{"node": "menu", "digits": "1"}]
        assert [c.call_id for c in await repo.list_calls(s, queue="support")] == ["c2", "c1"]
        assert [c.call_id for c in await repo.list_calls(s, since=12, until=31, newest_first=False)] == ["c2", "c3"]
        assert (await repo.get_call(s, "c3")).disposition == "overflowed"
        with pytest.raises(RepoError, match="disposition"):
            await repo.save_call(s, "c4", disposition="lost")
        with pytest.raises(RepoError, match="unknown CDR field 'colour'"):
            await repo.save_call(s, "c4", colour="red")


async def test_event_log_bulk_insert_in_time_order(db):
    rows = [{"ts": 100.0 + i, "event": "ENTERQUEUE" if i % 2 else "CONNECT", "call_id": f"c{i // 2}",
             "queue": "support", "agent": None if i % 2 else "alice", "data": {"i": i}} for i in range(50)]
    ev = DomainEvent("CallQueued", 200.0, call_id="c99", queue="support", data={"position": 1})
    async with db.session() as s:
        assert await repo.add_events(s, list(reversed(rows)) + [ev]) == 51
    async with db.session() as s:
        all_ = await repo.list_events(s)
        assert [e.ts for e in all_] == sorted(e.ts for e in all_)
        assert len(await repo.list_events(s, call_id="c3")) == 2
        assert [e.event for e in await repo.list_events(s, agent="alice", limit=3)] == ["CONNECT"] * 3
        last = (await repo.list_events(s, since=200))[0]
        assert (last.event, last.call_id, last.data) == ("CallQueued", "c99", {"position": 1})


async def test_recordings_and_transcripts(db):
    async with db.session() as s:
        rec = await repo.add_recording(s, "recordings/vm-1.wav", "voicemail", call_id="c1", duration=12.5,
                                       queue="sales", caller="555")
        await repo.add_transcript(s, rec.id, "please call me back", language="en-US", engine="vosk",
                                  confidence=0.8, segments=[{"start": 0, "end": 2, "text": "please"}],
                                  analysis={"sentiment": "neutral"})
        again = await repo.add_recording(s, "recordings/vm-1.wav", "voicemail", duration=13.0)
        assert again.id == rec.id
        with pytest.raises(RepoError, match="kind"):
            await repo.add_recording(s, "x.wav", "video")
        with pytest.raises(RepoError, match="no recording"):
            await repo.add_transcript(s, 999, "x")
    async with db.session() as s:
        vms = await repo.list_recordings(s, kind="voicemail")
        assert [(r.path, r.duration) for r in vms] == [("recordings/vm-1.wav", 13.0)]
        ts = await repo.list_transcripts(s, vms[0].id)
        assert ts[0].text == "please call me back" and ts[0].analysis == {"sentiment": "neutral"}


async def test_flow_versions_keep_every_served_text(db):
    async with db.session() as s:
        v1 = await repo.record_flow_version(s, "main", "start: a\n", path="ivr_flows/main.yaml", now=1.0)
        v2 = await repo.record_flow_version(s, "main", "start: b\n", now=2.0)
        v1b = await repo.record_flow_version(s, "main", "start: a\n", now=3.0)
        other = await repo.record_flow_version(s, "zh", "start: a\n")
        assert (v1.version, v2.version, v1b.version, other.version) == (1, 2, 1, 1)
        await repo.mark_flow_served(s, "main", 2, now=5.0)
        await repo.mark_flow_served(s, "main", 2, now=9.0)
    async with db.session() as s:
        newest = await repo.get_flow_version(s, "main")
        assert (newest.version, newest.first_served_at, newest.yaml_text) == (2, 5.0, "start: b\n")
        assert [(f.flow, f.version) for f in await repo.list_flow_versions(s)] == [("main", 1), ("main", 2),
                                                                                   ("zh", 1)]


async def test_empty_and_counts(db):
    async with db.session() as s:
        assert await repo.is_empty(s)
        await repo.upsert_skill(s, "billing")
        assert await repo.is_empty(s)        # a skill alone is not provisioning
        await repo.upsert_queue(s, "support")
        assert not await repo.is_empty(s)
        assert (await repo.counts(s))["queues"] == 1


async def test_unreachable_database_is_one_clear_line():
    from callcenter.store.db import DatabaseError
    db = Database("postgresql://cc:hunter2@127.0.0.1:1/nowhere", connect_timeout=3)
    with pytest.raises(DatabaseError) as err:
        await db.connect()
    msg = str(err.value)
    assert "\n" not in msg and "hunter2" not in msg
    assert "127.0.0.1:1" in msg and "refused" in msg
    await db.close()


def test_url_normalization():
    from callcenter.store.db import DatabaseError, normalize_url, safe_url
    assert normalize_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert normalize_url("postgres://u:p@h/db") == "postgresql+asyncpg://u:p@h/db"
    assert safe_url("postgresql+asyncpg://u:p@h/db") == "postgresql+asyncpg://u:***@h/db"
    with pytest.raises(DatabaseError, match="not a database URL"):
        normalize_url("not a url")
