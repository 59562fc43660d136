"""The environment side of the configuration: ``CALLCENTER_*`` variables -> (dotted key, value, variable)
overrides, and the help text listing them (``callcenter config env``). Validation of the values is
:mod:`callcenter.config`'s (this module only parses; a malformed ``CALLCENTER_AMI`` is a ValueError)."""
from __future__ import annotations

from typing import Any, Mapping

import yaml

__all__ = ["ENV_HELP", "env_overrides"]


def env_overrides(env: Mapping[str, str]) -> list[tuple[str, Any, str]]:
    """Return (dotted key, value, env var name) triples from the environment."""
    out: list[tuple[str, Any, str]] = []
    shortcuts = {
        "CALLCENTER_DATABASE_URL": "database.url",
        "CALLCENTER_DATA_DIR": "data_dir",
        "CALLCENTER_FLOWS_DIR": "ivr.flows_dir",
        "CALLCENTER_LOG_LEVEL": "log.level",
        "CALLCENTER_HTTP_PORT": "http.port",
        "CALLCENTER_AGI_PORT": "agi.port",
    }
    for name, value in sorted(env.items()):
        if not name.startswith("CALLCENTER_") or name in ("CALLCENTER_CONFIG", "CALLCENTER_TEST_AMI",
                                                           "CALLCENTER_TEST_PG_URL", "CALLCENTER_TOKEN",
                                                           "CALLCENTER_URL"):
            continue
        if name == "CALLCENTER_VOSK_MODEL":
            # a single model directory; its language is guessed from the folder name by the speech layer
            out.append(("speech.vosk_models.default", value, name))
            continue
        if name == "CALLCENTER_AMI":
            out.append(("ami.servers", _parse_ami_urls(value, name), name))
            continue
        if name in shortcuts:
            out.append((shortcuts[name], _yaml_scalar(value), name))
            continue
        if "__" in name:
            dotted = ".".join(p.lower() for p in name[len("CALLCENTER_"):].split("__"))
            out.append((dotted, _yaml_scalar(value), name))
    return out


def _yaml_scalar(text: str) -> Any:
    try:
        return yaml.safe_load(text) if text != "" else ""
    except yaml.YAMLError:
        return text


def _parse_ami_urls(text: str, name: str) -> list[dict]:
    servers = []
    for i, part in enumerate(p.strip() for p in text.split(",") if p.strip()):
        try:
            cred, _, hostport = part.rpartition("@")
            user, _, secret = cred.partition(":")
            host, _, port = hostport.partition(":")
            servers.append({"name": f"ami{i + 1}" if i else "default", "host": host or "127.0.0.1",
                            "port": int(port or 5038), "username": user or "callcenter", "secret": secret})
        except ValueError:
            raise ValueError(f"environment {name}: entry {part!r} is not user:secret@host:port") from None
    return servers


ENV_HELP = """
CALLCENTER_CONFIG=FILE              configuration file (default ./callcenter.yaml when present)
CALLCENTER_<SECTION>__<KEY>=VALUE   any key, e.g. CALLCENTER_HTTP__PORT=9000, CALLCENTER_AMI__PING_INTERVAL=5
                                    (double underscore between levels; values parsed as YAML scalars)
CALLCENTER_DATABASE_URL=URL         database.url (sqlite+aiosqlite:///... or postgresql+asyncpg://...)
CALLCENTER_DATA_DIR=DIR             data_dir
CALLCENTER_FLOWS_DIR=DIR            ivr.flows_dir
CALLCENTER_LOG_LEVEL=LEVEL          log.level
CALLCENTER_HTTP_PORT=PORT           http.port
CALLCENTER_AGI_PORT=PORT            agi.port
CALLCENTER_AMI=user:secret@host:port[,...]   replaces ami.servers
CALLCENTER_VOSK_MODEL=DIR           speech.vosk_models.default
"""
