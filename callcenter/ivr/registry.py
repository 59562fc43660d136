"""Flow registry: which flow version answers which DID, with hot reload.

* ``reload()`` re-reads ``flows_dir``. A changed file that validates becomes the new current version
  of its flow; an invalid edit is rejected: the previous version keeps serving, and the errors are kept
  in :attr:`FlowRegistry.errors` (shown by the API) and logged.
* ``for_did(did)`` returns the current :class:`FlowVersion` for a dialled number (``ivr.dids``, else
  ``ivr.default_flow``). A call keeps the version object it was given (and the flows it may enter as
  subflows, :attr:`FlowVersion.flows`), so an edit never changes a call in progress.
* Every version is kept in memory with its content hash (:meth:`versions`). The first time a
  version serves a call, the optional ``store`` hook is called with it (sync or async): that is where
  the database keeps every version that served calls.
* ``watch()`` polls the directory every ``reload_interval`` seconds (``ivr.reload_interval``).
"""
from __future__ import annotations

import asyncio
import inspect
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from ..clock import Clock
from .flow import Flow
from .loader import FlowError, check_flow_file, check_flows, flow_files

log = logging.getLogger("callcenter.ivr")


@dataclass
class FlowVersion:
    name: str
    version: int                       # 1, 2, ... per flow name, in load order
    content_hash: str
    flow: Flow
    loaded_at: float
    source: str
    flows: Mapping[str, Flow] = field(default_factory=dict, repr=False)   # pinned flows for subflow/goto
    served_calls: int = 0
    first_served_at: float | None = None
    stored_version: int | None = None   # the database's version number, once stored (callcenter.engine.flow_store)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "hash": self.content_hash, "source": self.source,
                "loaded_at": self.loaded_at, "served_calls": self.served_calls,
                "first_served_at": self.first_served_at, "stored_version": self.stored_version}


StoreHook = Callable[[FlowVersion, str], Any]   # (version, yaml text) -> None | awaitable


class FlowRegistry:
    def __init__(self, flows_dir: str | Path, *, dids: Mapping[str, str] | None = None,
                 default_flow: str = "support_en", reload_interval: float = 2.0, clock: Clock | None = None,
                 store: StoreHook | None = None, validate_kw: Mapping[str, Any] | None = None) -> None:
        self.flows_dir = Path(flows_dir)
        self.dids = dict(dids or {})
        self.default_flow = default_flow
        self.reload_interval = reload_interval
        self.clock = clock or Clock()
        self.store = store
        self.validate_kw = dict(validate_kw or {})
        self._current: dict[str, FlowVersion] = {}
        self._history: dict[str, list[FlowVersion]] = {}
        self._texts: dict[tuple[str, str], str] = {}
        self._file_errors: dict[str, list[FlowError]] = {}
        self._cross_errors: list[FlowError] = []
        self._stamp: dict[str, tuple[float, int]] = {}
        self._task: asyncio.Task | None = None
        self._pending: set[asyncio.Task] = set()
        self.reloads = 0

    @classmethod
    def from_config(cls, cfg: Any, **kw: Any) -> "FlowRegistry":
        return cls(cfg.flows_dir, dids=cfg.ivr.dids, default_flow=cfg.ivr.default_flow,
                   reload_interval=cfg.ivr.reload_interval, **kw)

    # -- queries ----------------------------------------------------------------------------------
    @property
    def errors(self) -> list[FlowError]:
        """Current problems (errors and warnings) of every file, including rejected edits."""
        out = [e for errs in self._file_errors.values() for e in errs]
        return out + list(self._cross_errors)

    @property
    def flows(self) -> dict[str, Flow]:
        return {n: v.flow for n, v in self._current.items()}

    def current(self, name: str) -> FlowVersion | None:
        return self._current.get(name)

    def versions(self, name: str | None = None) -> list[FlowVersion]:
        if name is not None:
            return list(self._history.get(name, []))
        return [v for vs in self._history.values() for v in vs]

    def version_text(self, name: str, content_hash: str) -> str | None:
        return self._texts.get((name, content_hash))

    def flow_name_for(self, did: str | None) -> str:
        """The flow name for a dialled number: exact match in ``ivr.dids``, then the same digits
        (``+1 555-123-0000`` matches ``15551230000``), else ``ivr.default_flow``."""
        if did and did in self.dids:
            return self.dids[did]
        digits = "".join(c for c in str(did or "") if c.isdigit())
        if digits:
            for k, v in self.dids.items():
                if "".join(c for c in k if c.isdigit()) == digits:
                    return v
        return self.default_flow

    def for_did(self, did: str | None) -> FlowVersion:
        """The flow version to run for a call to ``did`` (marked as having served a call).
        Raises ``LookupError`` when neither the DID's flow nor the default flow is loaded."""
        name = self.flow_name_for(did)
        v = self._current.get(name)
        if v is None and name != self.default_flow:
            log.warning("flow for DID not loaded; using the default flow", extra={"did": did, "flow": name})
            v = self._current.get(self.default_flow)
        if v is None:
            raise LookupError(f"no IVR flow loaded for DID {did!r} (flow '{name}', default '{self.default_flow}') "
                              f"in {self.flows_dir}")
        self.mark_served(v)
        return v

    def mark_served(self, v: FlowVersion) -> None:
        v.served_calls += 1
        if v.first_served_at is None:
            v.first_served_at = self.clock.now()
            self._call_store(v)

    def _call_store(self, v: FlowVersion) -> None:
        if self.store is None:
            return
        try:
            r = self.store(v, self._texts.get((v.name, v.content_hash), ""))
            if inspect.isawaitable(r):
                t = asyncio.ensure_future(r)
                self._pending.add(t)
                t.add_done_callback(self._store_done)
        except Exception:  # noqa: BLE001 - storage trouble must not stop calls
            log.exception("storing flow version failed", extra={"flow": v.name, "version": v.version})

    def _store_done(self, t: asyncio.Task) -> None:
        self._pending.discard(t)
        if not t.cancelled() and t.exception() is not None:
            log.error("storing flow version failed: %r", t.exception())

    # -- loading ----------------------------------------------------------------------------------
    def _scan(self) -> dict[str, tuple[float, int]]:
        out = {}
        for p in flow_files(self.flows_dir):
            try:
                st = p.stat()
                out[str(p)] = (st.st_mtime, st.st_size)
            except OSError:
                continue
        return out

    def changed(self) -> bool:
        return self._scan() != self._stamp

    def reload(self) -> list[str]:
        """Re-read the flows directory. Returns the names of flows that got a new version."""
        self.reloads += 1
        stamp = self._scan()
        updated: list[str] = []
        seen_files = set()
        candidates: dict[str, tuple[Flow, str]] = {}
        if not self.flows_dir.is_dir():
            self._file_errors = {str(self.flows_dir): [FlowError(str(self.flows_dir), 1, 1, "flows directory not found")]}
            self._stamp = stamp
            return []
        self._file_errors.pop(str(self.flows_dir), None)
        for path_s in stamp:
            seen_files.add(path_s)
            path = Path(path_s)
            flow, problems = check_flow_file(path, **self.validate_kw)
            self._file_errors[path_s] = problems
            if flow is None:
                old = [v for v in self._current.values() if v.source == path_s]
                keep = f"; still serving version {old[0].version} ({old[0].content_hash})" if old else ""
                for e in problems:
                    if e.severity == "error":
                        log.error("flow rejected: %s%s", e, keep, extra={"file": path_s})
                continue
            if flow.name in candidates:
                self._file_errors[path_s] = problems + [FlowError(path_s, 1, 1, f"flow name '{flow.name}' is already "
                                                                              f"used by {candidates[flow.name][1]}")]
                continue
            candidates[flow.name] = (flow, path_s)
        # files that disappeared: their flows keep serving (deleting a file is not a way to drop calls)
        for path_s in list(self._file_errors):
            if path_s not in seen_files and path_s != str(self.flows_dir):
                del self._file_errors[path_s]
        for name, (flow, path_s) in candidates.items():
            cur = self._current.get(name)
            if cur is not None and cur.content_hash == flow.content_hash:
                continue
            history = self._history.setdefault(name, [])
            try:
                text = Path(path_s).read_text(encoding="utf-8")
            except OSError:
                text = ""
            v = FlowVersion(name, len(history) + 1, flow.content_hash, flow, self.clock.now(), path_s)
            history.append(v)
            self._texts[(name, flow.content_hash)] = text
            self._current[name] = v
            updated.append(name)
            log.info("flow loaded", extra={"flow": name, "version": v.version, "hash": v.content_hash})
        # pin the set of flows each current version may jump into
        flows = self.flows
        self._cross_errors = check_flows(flows)
        for e in self._cross_errors:
            log.error("flow problem: %s", e)
        if updated:
            for v in self._current.values():
                v.flows = flows
        self._stamp = stamp
        return updated

    # -- watching -------------------------------------------------------------------------------
    async def watch(self, interval: float | None = None) -> None:
        """Poll for edits forever (cancel the task to stop)."""
        period = interval if interval is not None else self.reload_interval
        while True:
            await asyncio.sleep(max(0.05, period))
            try:
                if self.changed():
                    self.reload()
            except Exception:  # noqa: BLE001 - the watcher must survive anything
                log.exception("flow reload failed")

    def start(self) -> asyncio.Task | None:
        """Load now and start the polling watcher; returns its task (None, with a warning, when
        called outside a running event loop: flows are loaded but not watched)."""
        if not self._current and not self._file_errors:
            self.reload()
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            log.warning("no running event loop: IVR flows loaded but not watched for edits")
            return None
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.watch(), name="ivr-flow-watcher")
        return self._task

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
