"""The ``callcenter`` command.

Each verb lives in its own module under ``callcenter/commands/`` with a ``register(subparsers)``
function that adds its sub-parser and sets ``func`` (a callable taking the parsed args and returning
an exit code). Add a verb by adding its module name to ``COMMAND_MODULES``.
"""
from __future__ import annotations

import argparse
import importlib
import io
import os
import sys

from . import __version__
from .config import ConfigError

COMMAND_MODULES = [
    "serve",
    "config",
    "login",
    "db",
    "agent",
    "skill",
    "queue",
    "provision",
    "calls",
    "recordings",
    "call",
    "report",
    "simulate",
    "asterisk",
    "ivr",
    "prompts",
    "speech",
    "qa",
    "transcripts",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callcenter",
        description="Call-center server: ACD and IVR engine on Asterisk (AMI + FastAGI).",
    )
    parser.add_argument("--version", action="version", version=f"callcenter {__version__}")
    parser.add_argument("-c", "--config", help="configuration file (default: $CALLCENTER_CONFIG or ./callcenter.yaml)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        mod = importlib.import_module(f"callcenter.commands.{name}")
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        rc = args.func(args)
        sys.stdout.flush()
    except ConfigError as exc:
        print(f"callcenter: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_went_away()
    return int(rc or 0)


def _reader_went_away() -> int:
    """The output went to a reader that stopped early (``callcenter calls | head``): end quietly with
    status 141 (128 + SIGPIPE, what the shell reports for tools killed by the broken pipe). Standard
    output is pointed at /dev/null so that Python's own final flush finds no pipe to fail on."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):   # stdout replaced by something without a file
        pass
    return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
