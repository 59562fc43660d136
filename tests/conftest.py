"""Fixtures shared by every area: the fixture root (``tests/fixtures/``) and its Asterisk captures, the
Asterisk double, and the real speech models, loaded once per run whichever areas use them (the e2e, web
and recordings servers share one speech service; the speech and media tests one pocketsphinx)."""
from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.config import load_config
from tests.asterisk_double import AsteriskDouble

#: The one root of the tests' data files.
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def wire_dir() -> Path:
    """Real Asterisk 22.10.1 captures shipped in the repository (copies from ``asterisk-wire``)."""
    return FIXTURES_DIR / "asterisk"


@pytest.fixture
async def double():
    """The Asterisk double on loopback (real time); a test fails when the double itself failed."""
    async with AsteriskDouble() as d:
        yield d
        assert not d.errors, f"the Asterisk double failed: {d.errors!r}"


@pytest.fixture(scope="session")
def speech_service(tmp_path_factory):
    """One speech service (recognizers and synthesis with the installed models) for the whole run."""
    from callcenter.speech.service import SpeechService
    cfg = load_config(env={}, overrides={"prompts.dir": str(tmp_path_factory.mktemp("prompts"))})
    svc = SpeechService.from_config(cfg)
    svc.start_sync()
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def sphinx():
    """pocketsphinx with its bundled English model, loaded once for the run."""
    pytest.importorskip("pocketsphinx")
    from callcenter.speech.recognizers import PocketsphinxRecognizer
    rec = PocketsphinxRecognizer(workers=2)
    rec.preload()
    return rec
