"""call_analyses: saving, overrides, filters and full-text search (SQLite FTS5 and PostgreSQL tsvector)."""
from __future__ import annotations

import pytest

from callcenter.store import analytics as an
from callcenter.store.common import RepoError

ROWS = [
    ("c1", "support", "alice", 1000.0, "thank you for calling\ni want to cancel my account\nmy lawyer will call", 2, 55.0),
    ("c2", "support", "bob", 2000.0, "hello\nmy refunds did not arrive\nsorry about that", 0, 90.0),
    ("c3", "sales", "alice", 3000.0, "good morning\nI would like to buy the premium plan", 0, 80.0),
    ("c4", "support", "bob", 4000.0, "안녕하세요\n환불을 해 주세요\n네 알겠습니다", 1, 70.0),
]


async def _fill(db):
    async with db.session() as s:
        for call_id, queue, agent, at, text, risk, score in ROWS:
            await an.save_analysis(s, call_id, queue=queue, agent=agent, call_at=at, text=text, risk_count=risk,
                                   score=score, status="done", result={"mood": {"summary": "caller neutral"}})


async def test_search_words_phrases_and_filters(db):
    await _fill(db)
    async with db.session() as s:
        ids = lambda rows: [r["call_id"] for r in rows]          # noqa: E731
        assert ids(await an.search_analyses(s, "lawyer")) == ["c1"]
        assert ids(await an.search_analyses(s, "refund")) == ["c2"]             # a word finds longer words
        assert ids(await an.search_analyses(s, '"cancel my account"')) == ["c1"]
        assert ids(await an.search_analyses(s, '"account my cancel"')) == []    # a phrase keeps its order
        assert ids(await an.search_analyses(s, "my call")) == ["c1"]            # every word must be there
        assert sorted(ids(await an.search_analyses(s, "thank OR good"))) == []  # no operators: OR is a word
        assert sorted(ids(await an.search_analyses(s, "my", queue="support"))) == ["c1", "c2"]
        assert ids(await an.search_analyses(s, "my", agent="bob")) == ["c2"]
        assert ids(await an.search_analyses(s, "my", has_risk=True)) == ["c1"]
        assert ids(await an.search_analyses(s, "my", min_score=60)) == ["c2"]
        assert ids(await an.search_analyses(s, "my", since=1500, until=2500)) == ["c2"]
        assert ids(await an.search_analyses(s, "환불")) == ["c4"]                # Korean word with a particle
        hit = (await an.search_analyses(s, "lawyer"))[0]
        assert "[lawyer]" in hit["snippet"] and hit["mood"] == "caller neutral" and hit["score"] == 55.0
        with pytest.raises(RepoError, match="at least one word"):
            await an.search_analyses(s, '  "" ')
        # no words: the filters alone, newest first, no snippet
        await an.save_analysis(s, "c3", caller_mood=-0.6)
        await an.save_analysis(s, "c4", caller_mood=0.3)
        assert ids(await an.search_analyses(s, None, queue="support")) == ["c4", "c2", "c1"]
        assert ids(await an.search_analyses(s, " ", has_risk=True)) == ["c4", "c1"]
        upset = await an.search_analyses(s, None, max_caller_mood=-0.35)
        assert ids(upset) == ["c3"] and upset[0]["snippet"] is None
        assert ids(await an.search_analyses(s, "my", min_caller_mood=0)) == []


async def test_search_follows_updates_and_deletes(db):
    await _fill(db)
    async with db.session() as s:
        await an.save_analysis(s, "c1", text="nothing to see", recording_id=7)
        assert await an.search_analyses(s, "lawyer") == []
        assert [r["call_id"] for r in await an.search_analyses(s, "nothing")] == ["c1"]
        assert await an.delete_analyses_of_recording(s, 7) == 1
        assert await an.search_analyses(s, "nothing") == []
        assert await an.get_analysis(s, "c1") is None


async def test_overrides_and_listing(db):
    await _fill(db)
    async with db.session() as s:
        await an.set_override(s, "c1", "greeting", True, "said it at 00:12", "sue", now=5.0)
        await an.set_override(s, "c1", "hold", False, "", "sue", now=6.0)
        await an.set_override(s, "c1", "hold", None, "", "sue")
        row = await an.get_analysis(s, "c1")
        assert row.overrides == {"greeting": {"passed": True, "comment": "said it at 00:12", "by": "sue", "at": 5.0}}
        assert [a.call_id for a in await an.list_analyses(s, agents=["alice"])] == ["c3", "c1"]
        with pytest.raises(RepoError, match="no analysis"):
            await an.set_override(s, "nope", "x", True, "", "sue")
        with pytest.raises(RepoError, match="unknown analysis field"):
            await an.save_analysis(s, "c9", colour="red")
