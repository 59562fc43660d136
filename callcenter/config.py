"""Configuration: one YAML file plus ``CALLCENTER_*`` environment overrides.

Every key has a documented default (``DEFAULTS`` below is the single source of truth, and
``callcenter config show`` prints the merged result). Loading validates the whole tree: an unknown
key or a value of the wrong type stops start-up with a :class:`ConfigError` whose message names the
key path and the file it came from.

Environment overrides: ``CALLCENTER_<SECTION>__<KEY>`` and the shortcuts listed in ``ENV_HELP`` (below).
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from .config_env import ENV_HELP, env_overrides
from .config_recordings import RECORDINGS_DEFAULTS, RecordingsSection as _RecordingsFields
from .config_webrtc import DEFAULTS as WEBRTC_DEFAULTS, WebRTCSection, problem as webrtc_problem
from .config_media import DEFAULTS as MEDIA_DEFAULTS, MediaSection, problem as media_problem
from .yamlfile import YamlDoc, YamlError, load_yaml, parse_path, read_text, type_name

#: Type markers used by the validator.
ANY = object()


class ConfigError(Exception):
    """A configuration problem; ``str()`` is one line naming the key and the file."""


# The documented defaults. Types are taken from the default values; ``None`` defaults accept a string.
# Lists of mappings (ami.servers) are validated against ``_LIST_ITEM_SCHEMAS``.
DEFAULTS: dict[str, Any] = {
    "data_dir": "data",                 # SQLite file, prompt cache, flow versions live here
    "log": {                            # logging (one line per event, secrets masked)
        "level": "INFO",                # DEBUG, INFO, WARNING, ERROR
        "format": "text",               # text (key=value) or json (one JSON object per line)
        "file": None,                   # log file path; stderr when unset
    },
    "http": {                           # the HTTP server: web pages, API, /health, /metrics, WebRTC signalling
        "host": "127.0.0.1",            # bind address (0.0.0.0: every interface)
        "port": 8080,                   # TCP port (0: a free one)
        "cors_origins": [],             # other web origins allowed to call the API from a browser
    },
    "agi": {                            # the FastAGI server Asterisk hands each call to
        "host": "127.0.0.1",            # bind address of the FastAGI listener (Asterisk connects here)
        "port": 4573,                   # TCP port (the dialplan's AGI(agi://host:port/ivr))
        "max_sessions": 2000,           # concurrent AGI sessions before new ones are refused
        "env_timeout": 5.0,             # seconds to receive the agi_* environment block
        "command_timeout": 60.0,        # seconds to wait for Asterisk's reply to one AGI command
    },
    "ami": {                            # the Asterisk Manager Interface connections (events, call control)
        "servers": [],                  # list of {name, host, port, username, secret}
        "ping_interval": 10.0,          # keepalive: a peer silent this long is pinged, then dropped
        "action_timeout": 10.0,         # seconds to wait for an action's response
        "reconnect_min_delay": 1.0,     # first wait before reconnecting to an AMI server; doubles per attempt
        "reconnect_max_delay": 30.0,    # ... up to this many seconds
    },
    "database": {                       # where everything is stored (SQLite by default, or PostgreSQL)
        "url": None,                    # default: sqlite+aiosqlite:///<data_dir>/callcenter.db
        "echo": False,                  # log every SQL statement (debugging)
        "load_demo": True,              # load the demo agents/queues/users when the database is empty
    },
    "ivr": {                            # IVR flows (docs/ivr.md)
        "flows_dir": "ivr_flows",       # folder of the flow YAML files, one flow per file
        "default_flow": "support_en",   # flow for a DID that has no entry in ``dids``
        "dids": {},                     # dialled number -> flow name
        "reload_interval": 2.0,         # seconds between checks of flows_dir for edits
        "fallback_queue": "support",    # where a call goes when the engine fails mid-flow
    },
    "recordings": RECORDINGS_DEFAULTS,  # voicemail, call recordings, retention, post-call jobs (config_recordings.py)
    "prompts": {                        # the cache of synthesized prompts
        "dir": None,                    # prompt cache; default <data_dir>/prompts
        "asterisk_dir": None,           # the same directory as Asterisk sees it (default: prompts.dir)
        "format": "wav",                # wav (8 kHz 16-bit mono slin) or gsm / ulaw
    },
    "speech": {                         # recognition and synthesis (docs/speech.md)
        "enabled": True,                # false: no recognition (menus run DTMF-only) and no synthesis
        "vosk_models": {},              # language -> model directory, e.g. {en-US: /opt/vosk-en}
        "models_dir": None,             # directory scanned for vosk-model-* folders
        "pocketsphinx": True,           # use pocketsphinx's bundled English model as a fallback
        "workers": 0,                   # recognition worker pool size; 0 = number of cores
        "processes": 2,                 # pocketsphinx in this many worker processes (0: in threads of
                                        # the server, which stalls its event loop while decoding)
        "processes_nice": 0,            # niceness step of those live workers from the server's (which they inherit: media.nice)
        "voices": {},                   # language -> espeak-ng voice, e.g. {zh-CN: cmn}
        "rate": 160,                    # synthesis words per minute
        "synth_engine": "auto",         # auto (the espeak-ng program; pyttsx3 where the program is
                                        # missing), espeak-ng, or pyttsx3 (docs/speech.md, Synthesis)
    },
    "media": MEDIA_DEFAULTS,            # the live audio path (callcenter/config_media.py)
    "webrtc": WEBRTC_DEFAULTS,          # web callers and browser phones (callcenter/config_webrtc.py)
    "analytics": {                      # conversation analytics of recorded calls (docs/analytics.md)
        "enabled": True,                # analyse each finished call recording (transcribe, risk words, mood, QA)
        "risk_words": None,             # risk-word lists: a YAML file (docs/analytics.md)
        "scorecards": None,             # QA scorecards: a YAML file or a folder of them
        "default_language": "en-US",    # language of a call whose record names none
        "languages": {},                # queue -> language, e.g. {support_ko: ko-KR} (before the call's own)
        "alert_severity": "low",        # risk hits of this severity or higher alert supervisors (low|medium|high)
        "job_priority": 50,             # on the post-call job queue (lower runs first; finalize is 10)
        "max_attempts": 3,              # transcription attempts before the job fails for good
        "transcribe_processes": 1,      # pocketsphinx transcription in this many worker processes of its
                                        # own (0: in the job queue's threads, which stalls the event loop)
        "transcribe_nice": 10,          # niceness added to them (live calls' decoding goes first)
    },
    "acd": {                            # routing (docs/acd.md)
        "rona_timeout": 15.0,           # seconds an agent's phone rings before the offer is withdrawn
        "rona_strikes": 3,              # missed offers before the agent is auto-paused (no-answer)
        "default_wrapup": 10.0,         # seconds of wrap-up after a call, unless the agent or queue sets one
        "tick_interval": 1.0,           # seconds between the router's timer checks (max wait, rules, RONA)
        "reload_interval": 2.0,         # seconds between checks for provisioning changes (agents, queues,
                                        # skills written by the CLI or another process); 0 = never
    },
    "api": {                            # the REST API's authentication
        "tokens": {},                   # static token -> {user, role}; users also live in the database
        "token_ttl": 43200,             # seconds a login token is valid (12 h)
    },
    "web": {                            # the web workplace (docs/web.md): the desk's choices, wallboard alerts
        "pause_reasons": ["break", "lunch", "training", "meeting", "coaching"],    # the pause menu
        "wrapup_codes": ["resolved", "follow-up", "escalated", "wrong-number", "complaint"],   # [] = any
        "alert_waiting": 10,            # wallboard alert per queue: more calls waiting than this
        "alert_longest_wait": 120.0,    # ... a caller waiting longer than this many seconds
        "alert_abandon_rate": 10.0,     # ... a higher abandon rate than this many percent
    },
}

_LIST_ITEM_SCHEMAS: dict[str, dict[str, Any]] = {
    "ami.servers": {
        "name": "default",
        "host": "127.0.0.1",
        "port": 5038,
        "username": "callcenter",
        "secret": "",
        "enabled": True,
    },
}

#: Mappings whose keys are free (user data) but whose values have a fixed type.
_FREE_MAPPINGS: dict[str, Any] = {
    "ivr.dids": "",
    "speech.vosk_models": "",
    "speech.voices": "",
    "analytics.languages": "",
    "api.tokens": ANY,
    "recordings.queues": ANY,
}

_SECRET_KEYS = ("secret", "password", "token", "tokens")


# --------------------------------------------------------------------------------------------------
# Typed sections: one frozen dataclass per top-level section, fields named as the keys. The field
# defaults are taken from ``DEFAULTS`` (``_section`` checks at import that the names match), so every
# default is written once. Lists become tuples; ``ami.servers`` entries become :class:`AmiServer`.

def _section(table: Mapping[str, Any]):
    """Class decorator: a frozen dataclass whose fields (by annotation) are exactly the keys of
    ``table``, with ``table``'s values as defaults."""
    def wrap(cls):
        names = list(cls.__annotations__)
        if names != list(table):
            raise TypeError(f"{cls.__name__}: fields {names} do not match the configuration keys {list(table)}")
        for key in names:
            default = _freeze(table[key])
            secret = key in _SECRET_KEYS        # never printed by repr() (logs)
            if isinstance(default, dict):
                setattr(cls, key, field(default_factory=lambda v=default: dict(v), repr=not secret))
            else:
                setattr(cls, key, field(default=default, repr=not secret))
        return dataclass(frozen=True)(cls)
    return wrap


def _freeze(value: Any) -> Any:
    """Section values: lists become tuples, mappings a copy of their own."""
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


@_section(_LIST_ITEM_SCHEMAS["ami.servers"])
class AmiServer:
    name: str
    host: str
    port: int
    username: str
    secret: str
    enabled: bool


@_section(DEFAULTS["log"])
class LogSection:
    level: str
    format: str
    file: str | None


@_section(DEFAULTS["http"])
class HttpSection:
    host: str
    port: int
    cors_origins: tuple[str, ...]


@_section(DEFAULTS["agi"])
class AgiSection:
    host: str
    port: int
    max_sessions: int
    env_timeout: float
    command_timeout: float


@_section(DEFAULTS["ami"])
class AmiSection:
    servers: tuple[AmiServer, ...]
    ping_interval: float
    action_timeout: float
    reconnect_min_delay: float
    reconnect_max_delay: float

    @property
    def enabled_servers(self) -> tuple[AmiServer, ...]:
        return tuple(s for s in self.servers if s.enabled)


@_section(DEFAULTS["database"])
class DatabaseSection:
    url: str | None
    echo: bool
    load_demo: bool


@_section(DEFAULTS["ivr"])
class IvrSection:
    flows_dir: str
    default_flow: str
    dids: dict[str, str]
    reload_interval: float
    fallback_queue: str


RecordingsSection = _section(DEFAULTS["recordings"])(_RecordingsFields)


@_section(DEFAULTS["prompts"])
class PromptsSection:
    dir: str | None
    asterisk_dir: str | None
    format: str


@_section(DEFAULTS["speech"])
class SpeechSection:
    enabled: bool
    vosk_models: dict[str, str]
    models_dir: str | None
    pocketsphinx: bool
    workers: int
    processes: int
    processes_nice: int
    voices: dict[str, str]
    rate: int
    synth_engine: str


@_section(DEFAULTS["analytics"])
class AnalyticsSection:
    enabled: bool
    risk_words: str | None
    scorecards: str | None
    default_language: str
    languages: dict[str, str]
    alert_severity: str
    job_priority: int
    max_attempts: int
    transcribe_processes: int
    transcribe_nice: int


@_section(DEFAULTS["acd"])
class AcdSection:
    rona_timeout: float
    rona_strikes: int
    default_wrapup: float
    tick_interval: float
    reload_interval: float


@_section(DEFAULTS["api"])
class ApiSection:
    tokens: dict[str, Any]
    token_ttl: int


@_section(DEFAULTS["web"])
class WebSection:
    pause_reasons: tuple[str, ...]
    wrapup_codes: tuple[str, ...]
    alert_waiting: int
    alert_longest_wait: float
    alert_abandon_rate: float


#: Section name -> its dataclass (every mapping in ``DEFAULTS``).
SECTIONS: dict[str, type] = {
    "log": LogSection, "http": HttpSection, "agi": AgiSection, "ami": AmiSection, "webrtc": WebRTCSection,
    "database": DatabaseSection, "ivr": IvrSection, "recordings": RecordingsSection, "web": WebSection,
    "prompts": PromptsSection, "speech": SpeechSection, "media": MediaSection, "acd": AcdSection, "api": ApiSection,
    "analytics": AnalyticsSection,
}
if set(SECTIONS) != {k for k, v in DEFAULTS.items() if isinstance(v, Mapping)}:
    raise TypeError("config: every mapping in DEFAULTS needs a section class in SECTIONS")


def _build_section(name: str, values: Mapping[str, Any]) -> Any:
    kw = {k: _freeze(v) for k, v in values.items()}
    if name == "ami":
        kw["servers"] = tuple(AmiServer(**s) for s in values["servers"])
    return SECTIONS[name](**kw)


class Config:
    """The validated configuration: typed sections (``cfg.http.port``, ``cfg.ami.servers``, ...), the
    derived paths, and the plain nested dict (``cfg.data``) that ``config show`` prints."""

    log: LogSection
    http: HttpSection
    agi: AgiSection
    ami: AmiSection
    database: DatabaseSection
    ivr: IvrSection
    recordings: RecordingsSection
    prompts: PromptsSection
    speech: SpeechSection
    media: MediaSection
    acd: AcdSection
    api: ApiSection
    web: WebSection
    analytics: AnalyticsSection

    def __init__(self, data: dict[str, Any], source: str = "<defaults>") -> None:
        self.data = data
        self.source = source
        for name in SECTIONS:
            setattr(self, name, _build_section(name, data[name]))

    def __repr__(self) -> str:
        return f"Config(source={self.source!r})"

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, dotted: str) -> Any:
        """The raw value at ``dotted`` (``"http.port"``), as ``config show`` prints it; code reads the
        typed sections (``cfg.http.port``). Every key has a value, so an unknown key is a KeyError."""
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise KeyError(f"no configuration key '{dotted}'")
            node = node[part]
        return node

    # Derived paths -----------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return Path(self.data["data_dir"])

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'callcenter.db').as_posix()}"

    @property
    def prompts_dir(self) -> Path:
        return Path(self.prompts.dir or (self.data_dir / "prompts"))

    @property
    def flows_dir(self) -> Path:
        return Path(self.ivr.flows_dir)

    @property
    def recordings_dir(self) -> Path:
        return Path(self.recordings.dir)

    @property
    def call_recordings_dir(self) -> Path:
        return Path(self.recordings.calls_dir or (self.recordings_dir / "calls"))

    def redacted(self) -> dict[str, Any]:
        """A copy safe to print or log: secrets replaced by ``********``."""
        return redact(self.data)


def redact(value: Any) -> Any:
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if any(s in str(k).lower() for s in _SECRET_KEYS) and v not in (None, "", {}, []):
                out[k] = "********"
            else:
                out[k] = redact(v)
        return out
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------------
# Loading

def _check_scalar(path: str, default: Any, value: Any, where: str) -> Any:
    if default is ANY:
        return value
    if default is None:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise ConfigError(f"{where}: key '{path}' must be a string, got {type_name(value)} {value!r}")
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif isinstance(default, str):
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
    elif isinstance(default, list):
        if isinstance(value, list):
            return value
    raise ConfigError(
        f"{where}: key '{path}' must be {type_name(default)}, got {type_name(value)} {value!r}")


def _merge(path: str, default: Any, value: Any, where: str) -> Any:
    """Validate ``value`` against ``default`` and return the merged result."""
    if path in _FREE_MAPPINGS:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: key '{path}' must be a mapping, got {type_name(value)}")
        item = _FREE_MAPPINGS[path]
        return {str(k): _check_scalar(f"{path}.{k}", item, v, where) for k, v in value.items()}
    if path in _LIST_ITEM_SCHEMAS:
        if not isinstance(value, list):
            raise ConfigError(f"{where}: key '{path}' must be a list, got {type_name(value)}")
        schema = _LIST_ITEM_SCHEMAS[path]
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, Mapping):
                raise ConfigError(f"{where}: key '{path}[{i}]' must be a mapping, got {type_name(item)}")
            out.append(_merge_mapping(f"{path}[{i}]", schema, item, where))
        return out
    if isinstance(default, Mapping):
        if value is None:
            return copy.deepcopy(default)
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: key '{path}' must be a mapping, got {type_name(value)}")
        return _merge_mapping(path, default, value, where)
    return _check_scalar(path, default, value, where)


def _merge_mapping(path: str, default: Mapping, value: Mapping, where: str) -> dict:
    out = copy.deepcopy(dict(default))
    for key, v in value.items():
        sub = f"{path}.{key}" if path else str(key)
        if key not in default:
            known = ", ".join(sorted(default))
            raise ConfigError(f"{where}: unknown key '{sub}' (known keys here: {known})")
        out[key] = _merge(sub, default[key], v, where)
    return out


def _env_overrides_or_error(env: Mapping[str, str]) -> list[tuple[str, Any, str]]:
    try:
        return env_overrides(env)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _set_dotted(tree: dict, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = tree
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise ConfigError(f"environment: key '{dotted}' goes below a non-mapping value")
    node[parts[-1]] = value


def load_config(path: str | os.PathLike | None = None, env: Mapping[str, str] | None = None,
                overrides: Mapping[str, Any] | None = None) -> Config:
    """Load, merge and validate the configuration.

    ``path`` falls back to ``$CALLCENTER_CONFIG`` then ``./callcenter.yaml`` (if it exists); with
    neither, the embedded defaults are used. ``overrides`` (dotted key -> value) come last (CLI flags).
    """
    env = os.environ if env is None else env
    path = path or env.get("CALLCENTER_CONFIG")
    if path is None and Path("callcenter.yaml").exists():
        path = "callcenter.yaml"
    doc = YamlDoc({}, "<defaults>")
    if path is not None:
        try:
            doc = load_yaml(read_text(path, "configuration file"), str(path))
        except YamlError as exc:
            raise ConfigError(str(exc)) from None
        if doc.data is None:
            doc.data = {}
        if not isinstance(doc.data, Mapping):
            raise ConfigError(f"{doc.source}: the top level must be a mapping of keys, got {type_name(doc.data)}")
    source = doc.source
    try:
        merged = _merge_mapping("", DEFAULTS, doc.data, source)
    except ConfigError as exc:
        raise _with_line(exc, doc) from None

    # environment, then command-line overrides, one at a time so an error names its variable / option
    layers = [(dotted, value, f"environment variable {name}") for dotted, value, name in _env_overrides_or_error(env)]
    layers += [(dotted, value, f"command-line override of '{dotted}'") for dotted, value in (overrides or {}).items()]
    for dotted, value, where in layers:
        tree: dict = {}
        try:
            _set_dotted(tree, dotted, value)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {str(exc).split(': ', 1)[-1]}") from None
        merged = _deep_update(merged, tree, where)
    try:
        _semantic_checks(merged, source)
    except ConfigError as exc:
        raise _with_line(exc, doc) from None
    return Config(merged, source)


def _with_line(exc: ConfigError, doc: YamlDoc) -> ConfigError:
    """``file: key 'a.b' ...`` -> ``file:LINE: key 'a.b' ...`` with the line of that key in the file."""
    msg = str(exc)
    key = msg.split("'")[1] if "'" in msg else ""
    path = parse_path(key)
    if path[:1] in doc.keys and msg.startswith(doc.source + ":"):
        msg = f"{doc.source}:{doc.line(path)}:" + msg[len(doc.source) + 1:]
    return ConfigError(msg)


def _deep_update(base: dict, upd: Mapping, where: str, prefix: str = "") -> dict:
    out = dict(base)
    for k, v in upd.items():
        path = f"{prefix}.{k}" if prefix else k
        if path in _FREE_MAPPINGS or path in _LIST_ITEM_SCHEMAS:
            cur = out.get(k) or ({} if path in _FREE_MAPPINGS else [])
            if isinstance(cur, dict) and isinstance(v, Mapping):
                v = {**cur, **v}
            out[k] = _merge(path, None, v, where)
            continue
        if k not in base:
            raise ConfigError(f"{where}: unknown key '{path}'")
        if isinstance(base[k], Mapping):
            if not isinstance(v, Mapping):
                raise ConfigError(f"{where}: key '{path}' must be a mapping")
            out[k] = _deep_update(base[k], v, where, path)
        else:
            out[k] = _check_scalar(path, _default_of(path), v, where)
    return out


def _default_of(dotted: str) -> Any:
    node: Any = DEFAULTS
    for p in dotted.split("."):
        node = node[p]
    return node


def _semantic_checks(d: dict, src: str) -> None:
    level = d["log"]["level"].upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"{src}: key 'log.level' must be one of DEBUG, INFO, WARNING, ERROR, got {level!r}")
    d["log"]["level"] = level
    if d["log"]["format"] not in ("text", "json"):
        raise ConfigError(f"{src}: key 'log.format' must be 'text' or 'json'")
    for section in ("http", "agi"):
        port = d[section]["port"]
        if not 0 <= port <= 65535:
            raise ConfigError(f"{src}: key '{section}.port' must be a TCP port 0-65535, got {port}")
    names = set()
    for i, s in enumerate(d["ami"]["servers"]):
        if not 0 < s["port"] <= 65535:
            raise ConfigError(f"{src}: key 'ami.servers[{i}].port' must be a TCP port, got {s['port']}")
        if s["name"] in names:
            raise ConfigError(f"{src}: key 'ami.servers[{i}].name' repeats the name {s['name']!r}")
        names.add(s["name"])
    if d["analytics"]["alert_severity"] not in ("low", "medium", "high"):
        raise ConfigError(f"{src}: key 'analytics.alert_severity' must be low, medium or high")
    if d["analytics"]["max_attempts"] < 1:
        raise ConfigError(f"{src}: key 'analytics.max_attempts' must be at least 1")
    if d["speech"]["synth_engine"] not in ("auto", "espeak-ng", "pyttsx3"):
        raise ConfigError(f"{src}: key 'speech.synth_engine' must be auto, espeak-ng or pyttsx3, "
                          f"got {d['speech']['synth_engine']!r}")
    if d["prompts"]["format"] not in ("wav", "gsm", "ulaw"):
        raise ConfigError(f"{src}: key 'prompts.format' must be wav, gsm or ulaw")
    if webrtc_problem(d["webrtc"]):
        raise ConfigError(f"{src}: {webrtc_problem(d['webrtc'])}")
    for key in ("media.nice", "speech.processes_nice", "analytics.transcribe_nice"):
        section, name = key.split(".")
        if not -20 <= d[section][name] <= 19:
            raise ConfigError(f"{src}: key '{key}' must be a niceness step between -20 and 19, got {d[section][name]}")
    if d["analytics"]["transcribe_processes"] < 0:
        raise ConfigError(f"{src}: key 'analytics.transcribe_processes' must be >= 0 (0: in the job queue's "
                          f"threads), got {d['analytics']['transcribe_processes']}")
    if d["speech"]["processes"] < 0:
        raise ConfigError(f"{src}: key 'speech.processes' must be >= 0 (0: decode in threads), "
                          f"got {d['speech']['processes']}")
    if media_problem(d["media"]):
        raise ConfigError(f"{src}: {media_problem(d['media'])}")


def dump_defaults() -> str:
    """The defaults as YAML, each key with its comment from the tables above (``callcenter config defaults``)."""
    from .config_doc import all_comments, commented_yaml
    return commented_yaml(DEFAULTS, all_comments())
