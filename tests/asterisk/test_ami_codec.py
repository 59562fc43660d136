"""AMI codec: replay of the real Asterisk 22 captures, chunking, UTF-8, lists, fuzzing."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.asterisk.ami_codec import (AmiMessage, AmiParser, AmiProtocolError, Banner, ListCollector,
                                           encode_action, parse_message)

from .wire import AMI_FILES, segments


def _parse_all(data: bytes, chunk: int | None = None) -> list:
    p = AmiParser()
    out = []
    if chunk is None:
        out += p.feed(data)
    else:
        for i in range(0, len(data), chunk):
            out += p.feed(data[i:i + chunk])
    assert p.pending == 0
    return out


@pytest.mark.parametrize("name", AMI_FILES)
def test_every_captured_server_stream_parses(name):
    for seg in segments(name):
        data = seg.stream("A>C")
        items = _parse_all(data)
        assert isinstance(items[0], Banner) and items[0].version == "11.0.0"
        msgs = items[1:]
        # one message per block: count the "Event:"/"Response:" first lines of the capture
        server = [line for d, line in seg.lines if d == "A>C"][1:]
        starts = sum(1 for i, line in enumerate(server)
                     if (i == 0 or server[i - 1] == b"\r\n") and line != b"\r\n")
        assert len(msgs) == starts
        for m in msgs:
            assert isinstance(m, AmiMessage)
            assert m.event or m.response


@pytest.mark.parametrize("name", AMI_FILES)
def test_chunking_does_not_change_the_result(name):
    data = b"".join(s.stream("A>C") for s in segments(name)[:1])
    whole = _parse_all(data)
    rnd = random.Random(7)
    for chunk in (1, 2, 3, 7, 64, 1000, rnd.randint(5, 500)):
        assert _parse_all(data, chunk) == whole


def test_client_streams_parse_as_actions():
    for name in AMI_FILES:
        for seg in segments(name):
            p = AmiParser(expect_banner=False)
            msgs = p.feed(seg.stream("C>A"))
            assert all(m.get("Action") for m in msgs)
            assert all(m.get("ActionID") for m in msgs)


def test_originate_fields_and_repeated_keys():
    msgs = _parse_all(segments("ami-originate.txt")[0].stream("A>C"))[1:]
    orr = [m for m in msgs if m.event == "OriginateResponse"]
    assert [m["Response"] for m in orr] == ["Success", "Failure"]
    assert orr[0]["reason"] == "4" and orr[1]["REASON"] == "0" and orr[1]["Uniqueid"] == "<unknown>"
    hang = [m for m in msgs if m.event == "Hangup"]
    assert hang and all(m["Cause-txt"] for m in hang)
    # client side: Variable repeated keys survive
    sent = AmiParser(expect_banner=False).feed(segments("ami-originate.txt")[0].stream("C>A"))
    orig = [m for m in sent if m["Action"] == "Originate"][0]
    assert orig.getall("Variable") == ["LABORIGIN=ami"]


def test_command_output_lines_are_kept_in_order():
    msgs = _parse_all(segments("ami-queuestatus-and-summary.txt")[0].stream("A>C"))[1:]
    cmd = [m for m in msgs if m.message == "Command output follows"][0]
    out = cmd.getall("Output")
    assert out[0].startswith("support has 1 calls")
    assert out[-2:] == ["", ""] and len(out) == 8
    assert cmd.to_dict()["Output"] == out


def test_empty_values_and_case_insensitive_lookup():
    m = parse_message("Event: Newchannel\r\nAccountCode: \r\nChannel: PJSIP/x\r\nEmpty:")
    assert m["accountcode"] == "" and m.get("ACCOUNTCODE") == ""
    assert m["CHANNEL"] == "PJSIP/x" and "channel" in m and "nope" not in m
    assert m.get("Empty") == ""


def test_utf8_split_across_chunks():
    payload = "Event: UserEvent\r\nName: 李伟 (Li Wei) — 한국어\r\n\r\n".encode()
    data = b"Asterisk Call Manager/11.0.0\r\n" + payload
    for cut in range(len(data)):
        p = AmiParser()
        items = p.feed(data[:cut]) + p.feed(data[cut:])
        assert items[-1]["Name"] == "李伟 (Li Wei) — 한국어"


def test_list_collector_gathers_queue_status_and_channels():
    seg = segments("ami-queuestatus-and-summary.txt")[0]
    sent = AmiParser(expect_banner=False).feed(seg.stream("C>A"))
    col = ListCollector()
    for a in sent:
        col.expect(a["ActionID"])
    results = {}
    events = []
    for m in _parse_all(seg.stream("A>C"))[1:]:
        out = col.feed(m)
        if out and out[0] == "result":
            results[out[1]] = out[2]
        elif out and out[0] == "event":
            events.append(out[2])
    assert len(results) == len(sent)
    by_action = {a["ActionID"]: a["Action"] for a in sent}
    qs = [r for aid, r in results.items() if by_action[aid] == "QueueStatus"]
    assert qs[0].complete is not None and int(qs[0].complete["ListItems"]) == len(qs[0].events)
    chans = [r for aid, r in results.items() if by_action[aid] == "CoreShowChannels"]
    assert any(len(r.events) == 4 and any(e["BridgeId"] for e in r.events) for r in chans)
    assert all(e.event != "QueueMember" for e in events)     # list items never leak as events
    # unrelated events between actions still reach the event stream
    assert any(e.event == "QueueCallerAbandon" for e in events)


def test_unknown_queue_is_an_empty_list():
    col = ListCollector()
    col.expect("x-1")
    assert col.feed(parse_message("Response: Success\r\nActionID: x-1\r\nEventList: start\r\nMessage: Queue status will follow")) is None
    kind, aid, res = col.feed(parse_message("Event: QueueStatusComplete\r\nActionID: x-1\r\nEventList: Complete\r\nListItems: 0"))
    assert kind == "result" and res.events == [] and res.success


def test_encode_action_matches_capture_bytes():
    expected = (b"Action: Originate\r\nActionID: lab-2\r\nChannel: Local/100@inbound\r\nContext: test-local\r\n"
                b"Exten: dtmf\r\nPriority: 1\r\nCallerID: \"AMI Test\" <5551234>\r\nTimeout: 30000\r\n"
                b"Variable: LABORIGIN=ami\r\nAsync: true\r\n\r\n")
    got = encode_action("Originate", "lab-2", [("Channel", "Local/100@inbound"), ("Context", "test-local"),
                                               ("Exten", "dtmf"), ("Priority", 1),
                                               ("CallerID", '"AMI Test" <5551234>'), ("Timeout", 30000),
                                               ("Variable", ["LABORIGIN=ami"]), ("Async", True)])
    assert got == expected
    assert segments("ami-originate.txt")[0].stream("C>A").count(expected) == 1


def test_header_injection_is_refused():
    with pytest.raises(ValueError):
        encode_action("Setvar", "a", {"Value": "x\r\nAction: Hangup"})
    with pytest.raises(ValueError):
        encode_action("Setvar", "a", {"Bad: key": "x"})


def test_not_an_ami_server():
    with pytest.raises(AmiProtocolError, match="banner"):
        AmiParser().feed(b"SSH-2.0-OpenSSH_9.6\r\n")
    with pytest.raises(AmiProtocolError):
        AmiParser().feed(b"HTTP/1.1 400 Bad")


def test_oversized_message_is_an_error_not_a_hang():
    p = AmiParser(max_message=1000)
    p.feed(b"Asterisk Call Manager/11.0.0\r\n")
    with pytest.raises(AmiProtocolError, match="longer than"):
        p.feed(b"Event: X\r\n" + b"A: " + b"x" * 2000)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.integers(min_value=1, max_value=64))
def test_fuzz_any_bytes_give_messages_an_error_or_need_more(data, chunk):
    p = AmiParser(max_message=4096)
    try:
        p.feed(b"Asterisk Call Manager/11.0.0\r\n")
        for i in range(0, len(data), chunk):
            for m in p.feed(data[i:i + chunk]):
                assert isinstance(m, AmiMessage)
                list(m.items())
    except AmiProtocolError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,15}", fullmatch=True),
                          st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)),
                                  max_size=40)), min_size=1, max_size=12))
def test_fuzz_encode_parse_roundtrip(pairs):
    data = encode_action("UserEvent", "id-1", pairs)
    [m] = AmiParser(expect_banner=False).feed(data)
    assert m["Action"] == "UserEvent"
    for k, v in pairs:
        assert v in m.getall(k)


_KEY = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,12}", fullmatch=True)
_VAL = st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEY, _VAL, min_size=1, max_size=15), st.integers(min_value=1, max_value=40))
def test_fuzz_lazy_lookup_agrees_with_a_full_parse(fields, chunk):
    """``get`` finds fields in the wire text lazily; it must agree with the full header list in any
    case spelling, for present and absent keys, whatever the TCP chunking."""
    lower_seen: dict[str, str] = {}
    for k in fields:
        lower_seen.setdefault(k.lower(), k)
    fields = {k: v for k, v in fields.items() if lower_seen[k.lower()] == k}     # case-insensitively unique
    data = b"Asterisk Call Manager/11.0.0\r\n" + encode_action("X", None, fields).replace(b"Action: X\r\n", b"Event: Fuzz\r\n")
    p = AmiParser()
    items = []
    for i in range(0, len(data), chunk):
        items += p.feed(data[i:i + chunk])
    [m] = [x for x in items if isinstance(x, AmiMessage)]
    assert m.event == "Fuzz"
    full = dict(m.items())
    for k, v in fields.items():
        if k.lower() == "event":
            continue
        assert full[k] == v
        assert m.get(k) == v and m.get(k.lower()) == v and m.get(k.upper()) == v
    assert m.get("No-Such-Header-Here") is None
