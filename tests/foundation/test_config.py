"""Configuration: defaults, file errors with file:line, env overrides, secrets masked."""
from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.config import DEFAULTS, ConfigError, dump_defaults, load_config


def write(tmp_path, text: str):
    p = tmp_path / "cc.yaml"
    p.write_text(text)
    return p


def test_defaults_without_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = load_config(env={})
    assert cfg.source == "<defaults>"
    assert cfg.get("http.port") == 8080 and cfg.get("agi.port") == 4573
    assert cfg.database_url == "sqlite+aiosqlite:///data/callcenter.db"
    assert cfg.get("database.load_demo") is True


def test_dump_defaults_is_a_valid_config(tmp_path):
    p = write(tmp_path, dump_defaults())
    assert load_config(p, env={}).data == load_config(None, env={"CALLCENTER_CONFIG": str(p)}).data
    assert yaml.safe_load(dump_defaults()) == DEFAULTS


@pytest.mark.parametrize("text,pattern", [
    ("http:\n  port: [1\n", r"cc\.yaml:\d+:\d+: not valid YAML"),
    ("http:\n  port: 8080\nlog:\n  levle: INFO\n", r"cc\.yaml:4: unknown key 'log\.levle' \(known keys here: file, format, level\)"),
    ("colour: blue\n", r"cc\.yaml:1: unknown key 'colour'"),
    ("http:\n  port: \"x\"\n", r"cc\.yaml:2: key 'http\.port' must be integer, got string 'x'"),
    ("http: 5\n", r"cc\.yaml:1: key 'http' must be a mapping"),
    ("speech:\n  enabled: maybe\n", r"cc\.yaml:2: key 'speech\.enabled' must be boolean"),
    ("ami:\n  servers:\n    - host: a\n      prot: 1\n", r"cc\.yaml:4: unknown key 'ami\.servers\[0\]\.prot'"),
    ("ami:\n  servers:\n    - host: a\n    - host: b\n      port: 99999\n", r"cc\.yaml:5: key 'ami\.servers\[1\]\.port' must be a TCP port"),
    ("ami:\n  servers:\n    - {name: x}\n    - {name: x}\n", r"repeats the name 'x'"),
    ("log:\n  level: LOUD\n", r"cc\.yaml:2: key 'log\.level' must be one of"),
    ("- a\n", r"cc\.yaml: the top level must be a mapping"),
])
def test_file_errors_name_file_line_and_key(tmp_path, text, pattern):
    with pytest.raises(ConfigError, match=pattern) as err:
        load_config(write(tmp_path, text), env={})
    assert "\n" not in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.yaml: configuration file not found"):
        load_config(tmp_path / "nope.yaml", env={})


def test_env_overrides(tmp_path):
    p = write(tmp_path, "http:\n  port: 9000\n")
    cfg = load_config(p, env={
        "CALLCENTER_HTTP__PORT": "9100",                # nested key wins over the file
        "CALLCENTER_LOG_LEVEL": "debug",                # shortcut, normalized
        "CALLCENTER_DATABASE_URL": "postgresql+asyncpg://u:p@db/cc",
        "CALLCENTER_AMI": "cc:s1@pbx1:5038,cc2:s2@pbx2",
        "CALLCENTER_IVR__DIDS__100": "support_en",      # free mapping
        "CALLCENTER_SPEECH__ENABLED": "false",
        "CALLCENTER_TEST_PG_URL": "ignored",
    })
    assert cfg.get("http.port") == 9100
    assert cfg.get("log.level") == "DEBUG"
    assert cfg.database_url == "postgresql+asyncpg://u:p@db/cc"
    assert [(s["host"], s["port"], s["username"]) for s in cfg.get("ami.servers")] == [("pbx1", 5038, "cc"),
                                                                                       ("pbx2", 5038, "cc2")]
    assert cfg.get("ivr.dids") == {"100": "support_en"}
    assert cfg.get("speech.enabled") is False


@pytest.mark.parametrize("env,pattern", [
    ({"CALLCENTER_HTTP__PORTT": "1"}, r"environment variable CALLCENTER_HTTP__PORTT: unknown key 'http\.portt'"),
    ({"CALLCENTER_HTTP__PORT": "abc"}, r"environment variable CALLCENTER_HTTP__PORT: key 'http\.port' must be integer"),
    ({"CALLCENTER_HTTP_PORT": "99999"}, r"key 'http\.port' must be a TCP port"),
])
def test_env_errors_name_the_variable(env, pattern):
    with pytest.raises(ConfigError, match=pattern):
        load_config(None, env=env)


def test_cli_overrides_come_last():
    cfg = load_config(None, env={"CALLCENTER_HTTP_PORT": "7000"}, overrides={"http.port": 7100})
    assert cfg.get("http.port") == 7100


def test_secrets_are_redacted(tmp_path):
    p = write(tmp_path, "ami:\n  servers:\n    - {host: pbx, secret: hunter2}\napi:\n  tokens: {abc: admin}\n")
    cfg = load_config(p, env={})
    red = cfg.redacted()
    assert red["ami"]["servers"][0]["secret"] == "********"
    assert red["api"]["tokens"] == "********"
    assert "hunter2" not in repr(red)
    assert cfg.get("ami.servers")[0]["secret"] == "hunter2"      # the real value is still there


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("htpor:lgevdbasi \n-[]{}0123456789'\"_.#")), max_size=80))
def test_any_file_content_gives_config_or_one_line_error(tmp_path_factory, text):
    p = tmp_path_factory.mktemp("fuzz") / "f.yaml"
    p.write_text(text)
    try:
        load_config(p, env={})
    except ConfigError as exc:
        assert str(exc).startswith(str(p)) and "\n" not in str(exc)


def test_typed_sections_mirror_the_validated_tree_and_take_defaults_from_one_table(tmp_path):
    from dataclasses import FrozenInstanceError, asdict

    from callcenter.config import DEFAULTS, SECTIONS, AgiSection, AmiServer, HttpSection
    p = write(tmp_path, "http:\n  port: 9100\nami:\n  servers:\n    - {host: pbx1, secret: s3cret}\n")
    cfg = load_config(p, env={"CALLCENTER_AGI__COMMAND_TIMEOUT": "7"})
    assert cfg.http.port == 9100 and cfg.agi.command_timeout == 7.0 and cfg.acd.rona_strikes == 3
    assert cfg.ami.servers == (AmiServer(host="pbx1", secret="s3cret"),)
    assert cfg.ami.enabled_servers[0].port == 5038
    assert "s3cret" not in repr(cfg.ami)                        # secrets stay out of logs
    for name, cls in SECTIONS.items():
        assert list(asdict(cls())) == list(DEFAULTS[name])      # fields named as the keys
    assert HttpSection().port == DEFAULTS["http"]["port"] and AgiSection().command_timeout == 60.0
    with pytest.raises(FrozenInstanceError):
        cfg.http.port = 1  # type: ignore[misc]


def test_config_defaults_prints_every_key_with_its_comment():
    from callcenter.config_doc import all_comments, missing_comments
    assert missing_comments(DEFAULTS, all_comments()) == []
    text = dump_defaults()
    assert "http:\n  # bind address (0.0.0.0: every interface)\n  host: 127.0.0.1\n  # TCP port" in text
    # a comment continued on the next source line, and a section from its own module (config_webrtc.py)
    assert ("  # a web caller's DID: its IVR flow (ivr.dids); with Asterisk the extension in cc-inbound\n"
            "  caller_number: '8800'\n") in text
    assert "  # the pause menu\n  pause_reasons: [break, lunch, training, meeting, coaching]\n" in text


def test_key_comments_are_read_from_the_table_source():
    from callcenter.config_doc import table_comments
    source = ('X = 1\nTABLE = {   # not a key\n'
              '    "a": 1,          # first\n'
              '                     # and more\n'
              '    # a heading\n'
              '    "b": {           # section\n'
              '        "c": [1,\n              2],   # ends here\n'
              '        "d": None,\n'
              '    },\n}\n')
    docs = table_comments(source, "TABLE", ("top",))
    assert docs[("top", "a")].comment == "first and more"
    assert docs[("top", "b")].heading == ["a heading"] and docs[("top", "b")].comment == "section"
    assert docs[("top", "b", "c")].comment == "ends here" and docs[("top", "b", "d")].comment == ""
