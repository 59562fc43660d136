"""The test suite. Layout (the same in every area):

* ``tests/<area>/`` is a package (``__init__.py``) named for the code it tests (acd, api, asterisk, e2e,
  engine, foundation, ivr, speech, store); test modules are ``test_*.py``.
* ``conftest.py`` holds fixtures only; what tests import (helper functions, constants, doubles) lives in
  an ordinary module of the area (``helpers.py``, or a module named for what it holds, such as
  ``engine/harness.py`` or ``asterisk/wire.py``) and is imported relatively (``from .helpers import``).
* Data files live under the one fixture root ``tests/fixtures/<kind>/`` (Asterisk captures in
  ``fixtures/asterisk/``, flows in ``fixtures/flows/``), so a fresh clone runs every test that has its data.
* Doubles shared by several areas are packages here: ``tests.asterisk_double``.
"""
