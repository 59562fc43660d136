"""The people and flows the flows / reports / admin page tests need: a server (the e2e Center against
the Asterisk double) whose flows directory is a copy the test may edit, and stored login users of each
role (admin ``root``/``root-pw``, supervisor ``boss``/``boss-pw`` from the Center, agent ``a00``/``a00-pw``)."""
from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import AsyncIterator

from callcenter.store import repo
from tests.e2e.center import FLOWS, Center, running_center
from tests.web.browser import log_in, need_chromium

USERS = {"root": ("root-pw", "admin", None), "a00": ("a00-pw", "agent", "a00")}


@contextlib.asynccontextmanager
async def workplace(tmp_path: Path, double, speech) -> AsyncIterator[Center]:
    need_chromium()
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    async with running_center(tmp_path, double, speech, agents=4, overrides={"ivr.flows_dir": str(flows)}) as c:
        async with c.app.db.session() as s:
            for name, (pw, role, agent) in USERS.items():
                await repo.upsert_user(s, name, password=pw, role=role, agent=agent)
        yield c


async def logged_in(page, user: str, password: str) -> None:
    await log_in(page, user, password)
    await page.wait_for_selector(".topbar")


async def token_of(page) -> str:
    return await page.evaluate("JSON.parse(localStorage.getItem('callcenter.session')).token")
