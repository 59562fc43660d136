"""The endpointer state machine (pure): properties over random voiced/unvoiced frame sequences."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from callcenter.media.endpoint import (EndpointConfig, Endpointer, MaxSpeech, NoInput, SpeechEnded,
                                       SpeechPaused, SpeechResumed, SpeechStarted)

F = 0.02
configs = st.builds(EndpointConfig,
                    start_ms=st.sampled_from([0, 20, 60, 120, 200]),
                    end_ms=st.sampled_from([100, 300, 500, 800]),
                    end_complete_ms=st.sampled_from([60, 160, 200]),
                    pause_ms=st.sampled_from([0, 20, 60, 100, 300]),
                    no_input_s=st.sampled_from([0.5, 1.0, 3.0]),
                    max_speech_s=st.sampled_from([0.5, 2.0, 10.0]))


def run(cfg, frames, arm_at=0, complete_at=None):
    ep = Endpointer(cfg)
    out = []
    for i, voiced in enumerate(frames):
        t = (i + 1) * F
        if i == arm_at:
            ep.arm(t)
        if complete_at is not None and i == complete_at:
            ep.set_complete(True)
        out += [(i, e) for e in ep.feed(voiced, t)]
    return ep, out


@settings(max_examples=300, deadline=None)
@given(cfg=configs, frames=st.lists(st.booleans(), max_size=400), arm_at=st.integers(0, 50),
       complete_at=st.one_of(st.none(), st.integers(0, 300)))
def test_event_grammar(cfg, frames, arm_at, complete_at):
    """At most one start, at most one end, the end is last; SpeechEnded/MaxSpeech only after a start,
    NoInput never after one; times never go backwards."""
    ep, out = run(cfg, frames, arm_at, complete_at)
    kinds = [type(e) for _, e in out]
    assert kinds.count(SpeechStarted) <= 1
    ends = [k for k in kinds if k in (SpeechEnded, MaxSpeech, NoInput)]
    marks = [k for k in kinds if k in (SpeechPaused, SpeechResumed)]
    assert marks == [SpeechPaused, SpeechResumed] * (len(marks) // 2) + [SpeechPaused] * (len(marks) % 2)
    if marks:
        assert kinds[0] is SpeechStarted and cfg.pause_ms > 0
    assert len(ends) <= 1
    if ends:
        assert kinds[-1] in (SpeechEnded, MaxSpeech, NoInput)
        assert ep.done
    if SpeechEnded in kinds or MaxSpeech in kinds:
        assert kinds[0] is SpeechStarted
    if NoInput in kinds:
        assert SpeechStarted not in kinds
    ats = [e.at for _, e in out]
    assert ats == sorted(ats)


@settings(max_examples=300, deadline=None)
@given(cfg=configs, frames=st.lists(st.booleans(), max_size=400))
def test_speech_starts_after_start_ms_of_voice(cfg, frames):
    """SpeechStarted comes on the frame that completes start_ms of voice (one gap tolerated), not before."""
    _, out = run(cfg, frames, arm_at=10 ** 6)
    starts = [(i, e) for i, e in out if isinstance(e, SpeechStarted)]
    need = max(1, cfg.start_ms // 20)
    if not starts:
        # never `need` voiced frames with at most one unvoiced frame between consecutive ones
        run_len = gap = 0
        for v in frames:
            if v:
                run_len, gap = run_len + 1, 0
                assert run_len < need
            elif run_len:
                gap += 1
                if gap > 1:
                    run_len = gap = 0
        return
    i, e = starts[0]
    assert frames[i]
    window = frames[: i + 1]
    assert sum(window) >= need
    assert e.at <= (i + 1) * F


@settings(max_examples=300, deadline=None)
@given(cfg=configs, speech=st.integers(1, 40), silence=st.integers(0, 80), complete=st.booleans())
def test_speech_ends_exactly_after_the_trailing_silence(cfg, speech, silence, complete):
    frames = [True] * speech + [False] * silence
    _, out = run(cfg, frames, complete_at=0 if complete else None)
    need = max(1, cfg.start_ms // 20)
    limit = cfg.end_complete_ms if complete else cfg.end_ms
    kinds = [type(e) for _, e in out]
    if speech < need:
        assert SpeechStarted not in kinds
        return
    assert kinds[0] is SpeechStarted
    if speech * F >= cfg.max_speech_s - 1e-9 and MaxSpeech in kinds:
        return
    quiet_needed = -(-limit // 20)
    started_at = out[0][1].at
    ended = [(i, e) for i, e in out if isinstance(e, SpeechEnded)]
    if silence >= quiet_needed and (speech + quiet_needed) * F - started_at < cfg.max_speech_s:
        assert ended, out
        i, e = ended[0]
        assert i == speech + quiet_needed - 1            # on the frame that completes the silence
        assert abs(e.at - speech * F) < 1e-9             # the last voiced frame
    elif silence < quiet_needed:
        assert not ended


@given(cfg=configs, n=st.integers(0, 400))
def test_silence_gives_no_input_at_the_timeout(cfg, n):
    ep = Endpointer(cfg)
    ep.arm(0.0)
    out = []
    for i in range(n):
        out += ep.feed(False, (i + 1) * F)
    due = (n * F) >= cfg.no_input_s - 1e-9
    assert [type(e) for e in out] == ([NoInput] if due else [])
    if due:
        assert out[0].at >= cfg.no_input_s - 1e-9


def test_not_armed_never_times_out_and_tick_advances_time():
    ep = Endpointer(EndpointConfig(no_input_s=1.0))
    for i in range(200):
        assert ep.feed(False, i * F) == []
    ep.arm(4.0)
    assert ep.tick(4.5) == []
    assert ep.tick(5.0) == [NoInput(5.0)]
    assert ep.tick(9.0) == [] and ep.feed(True, 9.0) == []


def test_max_speech_cuts_a_long_answer():
    ep = Endpointer(EndpointConfig(start_ms=40, max_speech_s=1.0))
    out = []
    for i in range(100):
        out += ep.feed(True, i * F)
    assert out == [SpeechStarted(0.0), MaxSpeech(1.0)]


def test_bad_settings_are_refused():
    import pytest
    with pytest.raises(ValueError):
        EndpointConfig(end_ms=-1)
    with pytest.raises(ValueError):
        EndpointConfig(max_speech_s=0)


@settings(max_examples=300, deadline=None)
@given(cfg=configs, frames=st.lists(st.booleans(), max_size=300), complete_at=st.one_of(st.none(), st.integers(0, 200)))
def test_pause_comes_after_pause_ms_of_silence_and_before_the_end(cfg, frames, complete_at):
    """SpeechPaused on the frame completing pause_ms of trailing silence (unless the end comes on that
    very frame); SpeechResumed on the next voiced frame; the answer's end is the same with or
    without pauses (the early decision never changes when an answer ends)."""
    ep, out = run(cfg, frames, arm_at=10 ** 6, complete_at=complete_at)
    quiet = 0
    started = False
    by_frame: dict[int, list] = {}
    for i, e in out:
        by_frame.setdefault(i, []).append(e)
    paused = False
    for i, v in enumerate(frames):
        evs = by_frame.get(i, [])
        if any(isinstance(e, SpeechStarted) for e in evs):
            started, quiet = True, 0
            continue
        if not started:
            continue
        if any(isinstance(e, (SpeechEnded, MaxSpeech)) for e in evs):
            assert not any(isinstance(e, SpeechPaused) for e in evs)
            break
        quiet = 0 if v else quiet + 1
        if any(isinstance(e, SpeechPaused) for e in evs):
            assert not v and not paused and quiet * 20 >= cfg.pause_ms and (quiet - 1) * 20 < cfg.pause_ms
            assert evs[0].at <= (i + 1) * F
            paused = True
        elif any(isinstance(e, SpeechResumed) for e in evs):
            assert v and paused
            paused = False
        else:
            assert not (v and paused), "voice after a pause must resume"
    no_pause = EndpointConfig(start_ms=cfg.start_ms, end_ms=cfg.end_ms, end_complete_ms=cfg.end_complete_ms,
                              pause_ms=0, no_input_s=cfg.no_input_s, max_speech_s=cfg.max_speech_s)
    _, plain = run(no_pause, frames, arm_at=10 ** 6, complete_at=complete_at)
    strip = [(i, e) for i, e in out if not isinstance(e, (SpeechPaused, SpeechResumed))]
    assert strip == plain


def test_pause_then_resume_then_end():
    ep = Endpointer(EndpointConfig(start_ms=40, end_ms=200, pause_ms=60, max_speech_s=100))
    seq = [True] * 3 + [False] * 3 + [True] * 2 + [False] * 10
    out = []
    for i, v in enumerate(seq):
        out += ep.feed(v, i * F)
    assert [type(e) for e in out] == [SpeechStarted, SpeechPaused, SpeechResumed, SpeechPaused, SpeechEnded]
    assert out[1].at == 2 * F and out[2].at == 6 * F and out[-1].at == 7 * F
