"""CLI verbs: one module per verb, each with ``register(subparsers)`` (see ``callcenter/cli.py``).

What verbs share lives in :mod:`.toolbox` (sub-parsers, configuration, JSON and table output, the
database runner, the API client); :mod:`.queue_show` renders ``queue show`` in Asterisk's shape. A verb
imports from those, never from another verb.
"""
