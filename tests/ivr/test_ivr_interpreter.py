"""Node behaviour, seen from the caller's side (a scripted channel) and from the pure core."""
from __future__ import annotations

import copy
from datetime import datetime, timezone
from pathlib import Path

import pytest

from callcenter.ivr import Interpreter, load_flow_file
from callcenter.ivr.interpreter import (CollectDigits, Digits, Finish, Hangup, HungUp, LanguageSet, Play, PlayDone,
                                        Recognize,
                                        SetLanguage, Speech, Transfer, schedule_state)
from callcenter.speech.api import Recognition
from .helpers import MONDAY_10_NY, call, flow_of

FLOWS = Path(__file__).resolve().parents[2] / "ivr_flows"

MENU = """
start: menu
nodes:
  menu:
    type: menu
    prompt: "Billing 1, sales 2"
    no_input: "Nothing heard."
    no_match: "Not an option."
    retries: 2
    var: dept
    options:
      - {digit: "1", key: billing, say: [billing, pay my bill], next: q_billing}
      - {digit: "2", key: sales, say: [sales, buy something], next: q_sales}
    on_fail: q_any
  q_billing: {type: queue, queue: billing, skills: {billing: 3}, priority: 4}
  q_sales: {type: queue, queue: sales}
  q_any: {type: queue, queue: support}
"""


async def test_menu_by_digit():
    out, ch = await call(flow_of(MENU), ["1"])
    assert out.kind == "queue" and out.queue.queue == "billing"
    assert out.queue.skills == {"billing": 3} and out.queue.priority == 4
    assert out.variables["dept"] == "billing"


async def test_menu_by_speech_goes_through_phrase_matching():
    out, _ = await call(flow_of(MENU), ["say:I'd like to pay my bill please"])
    assert out.queue.queue == "billing"
    rec = [t for t in out.trace if t.kind == "recognition"][0]
    assert rec.data["matched"] == "billing" and rec.data["confidence"] == 0.9 and rec.data["score"] >= 0.6


async def test_menu_retries_with_no_input_and_no_match_prompts_then_on_fail():
    out, ch = await call(flow_of(MENU), ["", "7", "say:weather forecast"])
    assert out.queue.queue == "support"
    assert ch.texts.count("Billing 1, sales 2") == 3
    assert "Nothing heard." in ch.texts and "Not an option." in ch.texts
    assert [t.data["reason"] for t in out.trace if t.kind == "retry"] == ["no_input", "no_match", "no_match"]


async def test_menu_falls_back_to_dtmf_when_speech_is_unavailable():
    out, ch = await call(flow_of(MENU), ["2"], speech=False)
    assert out.queue.queue == "sales"
    assert [m for m, _ in ch.log if m in ("collect", "recognize")] == ["collect"]


async def test_low_confidence_speech_is_not_trusted():
    out, _ = await call(flow_of(MENU), ["say:billing@0.05", "1"])
    assert out.queue.queue == "billing"
    assert [t.data["reason"] for t in out.trace if t.kind == "retry"] == ["no_match"]


COLLECT = """
start: acct
nodes:
  acct:
    type: collect
    prompt: "Account number"
    invalid: "Invalid."
    var: account
    min_digits: 4
    max_digits: 6
    pattern: "^[1-9][0-9]*$"
    retries: 1
    read_back: true
    next: done
    on_fail: failed
  done: {type: transfer, to: "${account}"}
  failed: {type: hangup, prompt: "Bye"}
"""


async def test_collect_validates_and_reads_back():
    out, ch = await call(flow_of(COLLECT), ["0123#", "4567#"])
    assert out.kind == "transfer" and out.destination == "4567" and ch.transferred_to == "4567"
    assert "Invalid." in ch.texts and ch.prompts[-1].kind == "digits" and ch.prompts[-1].value == "4567"


async def test_collect_gives_up_after_retries():
    out, ch = await call(flow_of(COLLECT), ["12", ""])
    assert out.kind == "hangup" and out.hung_up_by == "ivr" and ch.texts[-1] == "Bye"


ASK = """
start: why
nodes:
  why:
    type: ask
    prompt: "What is the problem?"
    dtmf_prompt: "Internet 1, phone 2"
    var: issue
    threshold: 0.5
    retries: 2
    intents:
      internet: {examples: [my internet is down, wifi not working], keywords: [router, wifi]}
      phone: {examples: [no signal on my phone], keywords: [mobile, sim], next: phone_q}
    dtmf: {"1": internet, "2": phone}
    next: net_q
    on_fail: any_q
  net_q: {type: queue, queue: technical, skills: [internet]}
  phone_q: {type: queue, queue: technical, skills: [mobile]}
  any_q: {type: queue, queue: support}
"""


async def test_ask_classifies_free_speech_into_intents():
    out, _ = await call(flow_of(ASK), ["say:the wifi router keeps blinking"])
    assert out.queue.skills == {"internet": 1}
    assert out.variables["issue"] == "internet" and out.variables["issue_text"] == "the wifi router keeps blinking"
    out, _ = await call(flow_of(ASK), ["say:my mobile has no signal"])
    assert out.queue.skills == {"mobile": 1}


async def test_ask_unsure_falls_back_to_dtmf():
    out, ch = await call(flow_of(ASK), ["say:purple elephants", "2"])
    assert out.queue.skills == {"mobile": 1}
    assert ch.log[-1][0] == "play" or "Internet 1, phone 2" in ch.texts
    assert [m for m, _ in ch.log if m in ("collect", "recognize")] == ["recognize", "collect"]


async def test_ask_without_speech_uses_dtmf_from_the_start():
    out, ch = await call(flow_of(ASK), ["1"], speech=False)
    assert out.variables["issue"] == "internet" and "Internet 1, phone 2" in ch.texts


async def test_ask_grammar_choices():
    flow = flow_of("""
    start: q
    nodes:
      q:
        type: ask
        prompt: "Yes or no?"
        var: answer
        choices: {"yes": [yes, yeah, sure, correct], "no": [no, nope, wrong]}
        next: b
      b:
        type: branch
        cases: [{if: "answer == 'yes'", next: y}]
        else: n
      y: {type: hangup, prompt: "Great"}
      n: {type: hangup, prompt: "Too bad"}
    """)
    out, ch = await call(flow, ["say:yeah sure"])
    assert out.variables["answer"] == "yes" and ch.texts[-1] == "Great"
    assert ch.log[1][0] == "recognize"


async def test_intent_node_and_set_branch_expressions():
    flow = flow_of("""
    start: s
    variables: {utterance: "I want to cancel my contract"}
    nodes:
      s:
        type: set
        vars:
          vip: "startswith(caller, '+1800')"
          score: "len(utterance) * 2"
        next: i
      i:
        type: intent
        input: "utterance"
        var: intent
        intents:
          cancel: {examples: [cancel my contract, close my account], next: retention}
          billing: {examples: [pay my bill]}
        default: general
      retention: {type: queue, queue: retention, priority: "if(vip, 9, 1)"}
      general: {type: queue, queue: support}
    """)
    out, _ = await call(flow, [], caller="+18005550000")
    assert out.queue.queue == "retention" and out.queue.priority == 9
    assert out.variables["intent"] == "cancel" and out.variables["score"] == 56
    assert [t for t in out.trace if t.kind == "intent"][0].data["score"] > 0.5


async def test_expression_errors_at_runtime_are_traced_not_raised():
    flow = flow_of("""
    start: s
    nodes:
      s: {type: set, vars: {x: "1 / 0", y: "'a' - 1"}, next: b}
      b:
        type: branch
        cases: [{if: "int(caller) > 5", next: bad}]
        else: ok
      bad: {type: hangup}
      ok: {type: hangup, prompt: "ok ${x}${y}"}
    """)
    out, ch = await call(flow, [], caller="anonymous")
    assert out.kind == "hangup" and ch.texts == ["ok "] and out.error is None
    assert len([t for t in out.trace if t.kind == "error"]) == 3


@pytest.mark.parametrize("when,expected", [
    ("2026-11-23T15:00:00+00:00", "open"),      # Monday 10:00 New York
    ("2026-11-23T02:00:00+00:00", "closed"),    # Sunday 21:00 New York
    ("2026-11-28T16:00:00+00:00", "open"),      # Saturday 11:00
    ("2026-11-28T19:00:00+00:00", "closed"),    # Saturday 14:00
    ("2026-11-26T15:00:00+00:00", "holiday"),   # Thanksgiving (holiday calendar US)
    ("2026-12-25T15:00:00+00:00", "holiday"),   # listed MM-DD holiday
    ("2026-12-24T18:00:00+00:00", "closed"),    # exception: closes at 12:00 that day
    ("2026-12-24T16:00:00+00:00", "open"),
])
def test_schedule_with_time_zone_holidays_and_exceptions(when, expected):
    spec = {"hours": {"mon-fri": "08:00-20:00", "sat": ["09:00-13:00"], "sun": "closed"},
            "holidays": ["12-25"], "holiday_calendar": {"country": "US"},
            "exceptions": {"2026-12-24": "08:00-12:00"}}
    now = datetime.fromisoformat(when).timestamp()
    assert schedule_state(spec, now, "America/New_York")[0] == expected


async def test_support_en_after_hours_and_voicemail():
    flow = load_flow_file(FLOWS / "support_en.yaml")
    sunday = datetime(2026, 11, 22, 15, 0, tzinfo=timezone.utc).timestamp()
    out, ch = await call(flow, ["1", "#"], now=sunday)
    assert out.kind == "voicemail" and out.mailbox == "support"
    assert out.recording.path.endswith(".wav") and "voicemail/support/c1-" in out.recording.path
    assert ch.log[-1] == ("hangup", None) and ch.texts[-1].startswith("Thank you. We will call you back")


async def test_support_en_full_billing_path_with_callback_offer():
    flow = load_flow_file(FLOWS / "support_en.yaml")
    out, ch = await call(flow, ["say:I have a question about my invoice", "12345678#"], caller="+18005550123")
    q = out.queue
    assert (q.queue, q.priority, q.skills) == ("billing", 10, {"billing": 1})
    assert q.callback and q.callback.offer_after == 90 and q.callback.digit == "1"
    assert q.callback.prompts[0].value.startswith("To keep your place")
    assert q.announce_position == 60 and q.announce_ewt == 120 and q.music == "default"
    assert out.variables["account"] == "12345678" and out.variables["tier"] == "gold"
    assert [t.node for t in out.trace if t.kind == "enter"] == [
        "welcome", "vip_check", "hours", "main_menu", "account", "billing_q"]
    d = out.to_dict()
    assert d["queue"]["queue"] == "billing" and d["trace"][0]["kind"] == "enter"


async def test_chinese_line_transfer_to_agent_by_speech():
    flow = load_flow_file(FLOWS / "support_zh.yaml")
    shanghai_10am = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc).timestamp()
    out, ch = await call(flow, ["say:我要转人工"], now=shanghai_10am)
    assert out.queue.queue == "zh_support" and out.queue.language == "zh-CN"
    assert ch.prompts[0].language == "zh-CN" and "欢迎" in ch.texts[0]


async def test_language_node_switches_prompts_and_channel():
    flow = flow_of("""
    start: pick
    languages: [en-US, es-ES]
    nodes:
      pick:
        type: menu
        prompt: {en-US: "For English press 1", es-ES: "Para español oprima 2"}
        options:
          - {digit: "1", next: hello}
          - {digit: "2", next: spanish}
        on_fail: hello
      spanish: {type: language, language: es-ES, next: hello}
      hello:
        type: queue
        queue: support
        prompt: {en-US: "Hello", es-ES: "Hola"}
    """)
    out, ch = await call(flow, ["2"])
    assert ch.texts[-1] == "Hola" and ch.prompts[-1].language == "es-ES"
    assert ("language", "es-ES") in ch.log and out.queue.language == "es-ES" and out.language == "es-ES"


async def test_subflow_returns_and_goto_jumps_between_flows():
    auth = flow_of("""
    start: pin
    nodes:
      pin: {type: collect, prompt: "PIN", var: pin, max_digits: 4, next: back}
      back: {type: return}
    """, name="auth")
    main = flow_of("""
    start: s
    nodes:
      s: {type: subflow, flow: auth, next: after}
      after:
        type: branch
        cases: [{if: "pin == '1234'", next: ok}]
        else: other
      ok: {type: queue, queue: vip}
      other: {type: goto, flow: auth}
    """, name="main")
    flows = {"auth": auth, "main": main}
    out, _ = await call(main, ["1234"], flows=flows)
    assert out.queue.queue == "vip"
    assert [(t.flow, t.node) for t in out.trace if t.kind == "enter"][:3] == [("main", "s"), ("auth", "pin"),
                                                                             ("auth", "back")]
    out, _ = await call(main, ["9999", "1111"], flows=flows)
    assert out.kind == "hangup" and out.reason == "return outside a subflow"


@pytest.mark.parametrize("n", range(0, 6))
async def test_caller_hangs_up_anywhere(n):
    flow = load_flow_file(FLOWS / "support_en.yaml")
    script = ["say:technical", "say:my internet is down", "1", "2", "3"][:n] + ["hangup"]
    out, _ = await call(flow, script)
    assert out.kind in ("hangup", "queue")
    if out.kind == "hangup":
        assert out.hung_up_by == "caller" and out.trace[-1].kind == "end"


async def test_channel_failure_goes_to_the_fallback_queue():
    from callcenter.ivr.channel import ChannelError
    from callcenter.ivr.testing import ScriptedChannel

    class Broken(ScriptedChannel):
        async def collect_digits(self, *a, **k):
            raise ChannelError("AGI connection lost")
    from callcenter.clock import FakeClock
    from callcenter.ivr import run_flow
    ch = Broken(["1"], speech=False)
    out = await run_flow(flow_of(MENU), ch, clock=FakeClock(MONDAY_10_NY), fallback_queue="overflow")
    assert out.kind == "queue" and out.queue.queue == "overflow" and "AGI connection lost" in out.error


def test_pure_core_does_not_mutate_state_and_takes_time_from_the_caller():
    flow = flow_of(MENU)
    interp = Interpreter(flow)
    s0, actions = interp.start({"caller": "1", "call_id": "x"}, 100.0, speech_available=True)
    assert isinstance(actions[-1], Recognize) and actions[-1].phrases[:2] == ("billing", "pay my bill")
    snapshot = copy.deepcopy(s0)
    s1, actions = interp.step(s0, Speech(None), 105.0)       # recognizer unavailable -> DTMF
    assert isinstance(actions[-1], CollectDigits)
    assert s0.variables == snapshot.variables and len(s0.trace) == len(snapshot.trace) and s0.speech
    s2, actions = interp.step(s1, Digits("2"), 110.0)
    assert isinstance(actions[-1], Finish) and actions[-1].outcome.queue.queue == "sales"
    assert actions[-1].outcome.started_at == 100.0 and actions[-1].outcome.ended_at == 110.0
    assert [t.ts for t in s2.trace][-1] == 110.0
    # a finished state stays finished
    s3, actions = interp.step(s2, Digits("1"), 120.0)
    assert isinstance(actions[-1], Finish) and actions[-1].outcome.queue.queue == "sales"


def test_pure_core_hangup_and_transfer_actions():
    flow = flow_of("""
    start: t
    nodes:
      t: {type: transfer, to: "SIP/${did}", prompt: "Transferring"}
    """)
    interp = Interpreter(flow)
    s, actions = interp.start({"did": "200"}, 0.0)
    assert isinstance(actions[-1], Play)
    s, actions = interp.step(s, PlayDone(None), 1.0)
    assert isinstance(actions[0], Transfer) and actions[0].destination == "SIP/200"
    assert isinstance(actions[-1], Finish)
    s, actions = Interpreter(flow).start({}, 0.0)
    s, actions = Interpreter(flow).step(s, HungUp(), 1.0)
    assert actions[-1].outcome.hung_up_by == "caller"


def test_language_action_is_emitted():
    flow = flow_of("""
    start: l
    nodes:
      l: {type: language, language: zh-CN, next: h}
      h: {type: hangup}
    """)
    interp = Interpreter(flow)
    s, actions = interp.start({}, 0.0, speech_available=False)
    assert actions == [SetLanguage("zh-CN", None)] and s.language == "zh-CN"
    s, actions = interp.step(s, LanguageSet(True), 1.0)     # the channel can recognize Chinese
    assert s.speech and isinstance(actions[0], Hangup) and isinstance(actions[1], Finish)


def test_recognition_digits_count_as_keys():
    interp = Interpreter(flow_of(MENU))
    s, _ = interp.start({}, 0.0, speech_available=True)
    s, actions = interp.step(s, Speech(Recognition("", 1.0, digits="1")), 1.0)
    assert actions[-1].outcome.queue.queue == "billing"


async def test_goto_into_the_chinese_flow_switches_language():
    from callcenter.ivr import load_flows_dir
    flows, _ = load_flows_dir(FLOWS)
    out, ch = await call(flows["support_en"], ["8"], flows=flows)   # 10:00 in New York is 23:00 in Shanghai
    assert ("language", "zh-CN") in ch.log
    assert out.kind == "hangup" and out.language == "zh-CN" and out.variables["schedule"] == "closed"
    zh = [p for p in ch.prompts if "欢迎" in p.value][0]
    assert zh.language == "zh-CN" and ch.prompts[-1].language == "zh-CN"
    assert [(t.flow, t.node) for t in out.trace if t.kind == "enter"][-3:] == [
        ("support_zh", "welcome"), ("support_zh", "hours"), ("support_zh", "closed_msg")]
    # the English prompts before the switch were spoken in English
    assert ch.prompts[0].language == "en-US"


async def test_a_call_in_another_language_is_switched_to_the_flow_language():
    flow = load_flow_file(FLOWS / "support_zh.yaml")
    out, ch = await call(flow, ["0"], now=datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc).timestamp())
    assert ch.log[1] == ("language", "zh-CN")       # the scripted channel started in en-US
    assert out.queue.queue == "zh_support"
