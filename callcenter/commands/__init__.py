"""CLI verbs: one module per verb, each with ``register(subparsers)``. See ``callcenter/cli.py``."""
from __future__ import annotations

import argparse


def add_command(sub, name: str, help: str, **kw) -> argparse.ArgumentParser:
    """Add a verb with a consistent description (the help text doubles as the description)."""
    return sub.add_parser(name, help=help, description=kw.pop("description", help), **kw)


def load_config_from(args):
    """Load the configuration named by ``--config`` (or the defaults + environment)."""
    from ..config import load_config
    return load_config(getattr(args, "config", None))
