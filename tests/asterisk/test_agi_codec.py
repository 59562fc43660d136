"""FastAGI codec: environment, replies and quoting against the real captures; fuzzing."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.asterisk.agi_codec import (AgiEnvParser, AgiProtocolError, AgiReply, AgiReplyParser,
                                           HangupNotice, encode_command, parse_reply_line, quote, split_args)

from .wire import AGI_FILES, segments


@pytest.mark.parametrize("name", AGI_FILES)
def test_captured_sessions_parse(name):
    for seg in segments(name):
        got = AgiEnvParser().feed(seg.stream("A>S"))
        assert got is not None
        env, rest = got
        assert env["agi_network"] == "yes" and env["agi_version"] == "22.10.1"
        assert env["agi_accountcode"] == ""
        assert env["agi_request"].endswith("/" + env["agi_network_script"])
        items = AgiReplyParser().feed(rest)
        replies = [i for i in items if isinstance(i, AgiReply)]
        commands = [line for d, line in seg.lines if d == "S>A"]
        assert len(replies) == len(commands)        # one reply per command, HANGUP lines apart


def test_full_session_results():
    env, rest = AgiEnvParser().feed(segments("agi-session-full.txt")[0].stream("A>S"))
    assert env["agi_channel"] == "Local/100@inbound-00000000;2" and env["agi_uniqueid"] == "1795292453.1"
    r = AgiReplyParser().feed(rest)
    assert r[1] == AgiReply(200, "0", None, 11234, None, ("200 result=0 endpos=11234",))
    assert r[2].result == "1234" and r[2].data is None
    assert (r[4].int_result, r[4].data, r[4].endpos) == (35, "dtmf", 9656)
    assert (r[6].result, r[6].data) == ("1", "hello lab")
    assert r[8] == AgiReply(200, "0", lines=("200 result=0",))            # GET VARIABLE of an unset var
    assert r[9].data == "5551234/Local/100@inbound-00000000;2"
    assert r[12].int_result == -2                                       # EXEC of an unknown application
    assert r[13].code == 510
    assert r[14].code == 520 and len(r[14].lines) == 4 and "<replaceable>" in r[14].lines[1]


def test_hangup_shapes():
    seg_a, seg_b = segments("agi-hangup-midway.txt")
    items = AgiReplyParser().feed(AgiEnvParser().feed(seg_a.stream("A>S"))[1])
    kinds = ["HANGUP" if isinstance(i, HangupNotice) else i.code for i in items]
    # STREAM FILE interrupted (-1), then HANGUP before the next reply, then 511s (GET VARIABLE, EXEC, VERBOSE 200)
    assert kinds == [200, 200, "HANGUP", 200, 511, 511, 200, 511, 200, 511]
    assert items[1].int_result == -1 and items[1].endpos == 36000
    items = AgiReplyParser().feed(AgiEnvParser().feed(seg_b.stream("A>S"))[1])
    assert isinstance(items[1], HangupNotice)                           # unsolicited while idle


def test_record_and_get_data_variants():
    assert parse_reply_line("200 result= (timeout)") == AgiReply(200, "", "timeout", lines=("200 result= (timeout)",))
    r = parse_reply_line("200 result=0 (timeout) endpos=24000")
    assert (r.result, r.data, r.endpos) == ("0", "timeout", 24000)
    r = parse_reply_line("200 result=-1 (hangup) endpos=4000")
    assert (r.int_result, r.data) == (-1, "hangup")
    r = parse_reply_line("200 result=1 (a value (with) parens) endpos=5")
    assert r.data == "a value (with) parens" and r.endpos == 5


def test_commands_are_encoded_like_the_capture():
    sent = [line for d, line in segments("agi-session-full.txt")[0].lines if d == "S>A"]
    assert encode_command("STREAM FILE", "hello-world", "") == sent[1]
    assert encode_command("GET DATA", "beep", 3000, 4) == sent[2]
    assert encode_command("SET VARIABLE", "LABVAR", "hello lab") == sent[5]
    assert encode_command("VERBOSE", "lab agi says hi", 1) == sent[11]
    assert encode_command("EXEC", "Playback", "hello-world") == sent[7]
    assert encode_command("RECORD FILE", "/tmp/x", "wav", "#", 3000, quote_all=False) == b"RECORD FILE /tmp/x wav # 3000\n"


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        encode_command("SET VARIABLE", "X", "a\nHANGUP")
    with pytest.raises(ValueError):
        quote("x\r")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\r\n\0", blacklist_categories=("Cs",)),
                        max_size=20), max_size=6))
def test_fuzz_quoting_roundtrips_through_asterisks_argument_splitter(args):
    line = encode_command("VERB", *args).decode().rstrip("\n")
    assert split_args(line)[1:] == args


def test_env_errors():
    with pytest.raises(AgiProtocolError):
        AgiEnvParser().feed(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n\n\n")
    with pytest.raises(AgiProtocolError):
        AgiEnvParser().feed(b"\n\n")
    with pytest.raises(AgiProtocolError):
        AgiEnvParser(max_size=100).feed(b"agi_x: " + b"y" * 200)
    assert AgiEnvParser().feed(b"agi_network: yes\n") is None           # need more bytes


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), st.integers(min_value=1, max_value=50))
def test_fuzz_reply_parser(data, chunk):
    p = AgiReplyParser(max_line=512)
    try:
        for i in range(0, len(data), chunk):
            for item in p.feed(data[i:i + chunk]):
                assert isinstance(item, (AgiReply, HangupNotice))
    except AgiProtocolError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=1500), st.integers(min_value=1, max_value=50))
def test_fuzz_env_parser(data, chunk):
    p = AgiEnvParser(max_size=1024)
    try:
        for i in range(0, len(data), chunk):
            got = p.feed(data[i:i + chunk])
            if got is not None:
                env, rest = got
                assert all(k.startswith("agi_") for k in env)
                break
    except AgiProtocolError:
        pass
