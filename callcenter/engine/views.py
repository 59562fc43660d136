"""What the engine shows: agents, calls and queues now (API, wallboards, ``queue show``), the engine's
``status()``, the metrics snapshot, and the stored history (CDRs, event rows for reports)."""
from __future__ import annotations

from .agents import find_agent
from .core import EngineState, EventPublisher
from .errors import NotFound
from .model import ivr_summary
from .ports import EnginePorts
from .supervisor import find_call


class Views:
    def __init__(self, state: EngineState, events: EventPublisher, ports: EnginePorts) -> None:
        self.state = state
        self.events = events
        self.ports = ports

    def agents_status(self) -> list[dict]:
        now = self.events.now()
        return [a.to_dict(now) for a in sorted(self.state.agents.values(), key=lambda a: a.agent_id)]

    def agent_status(self, agent_id: str) -> dict:
        """One agent's live state; in wrap-up, ``wrapup_until`` is when it ends by itself (the desk's countdown)."""
        d = find_agent(self.state, agent_id).to_dict(self.events.now())
        view = self.state.router.agent_view(agent_id) if d["state"] == "wrap_up" else None
        d["wrapup_until"] = view.get("wrapup_until") if view else None
        return d

    def calls_status(self) -> list[dict]:
        now = self.events.now()
        out = []
        for c in sorted(self.state.calls.values(), key=lambda c: c.arrived_at):
            d = c.to_dict(now)
            if c.state in ("waiting", "ringing", "callback"):
                d["position"] = self.state.router.position(c.call_id)
            out.append(d)
        return out

    def call_status(self, call_id: str) -> dict:
        c = find_call(self.state, call_id)
        d = c.to_dict(self.events.now())
        d["position"] = self.state.router.position(call_id)
        d["ivr_summary"] = ivr_summary(c.ivr_trace)
        return d

    def queue_status(self, name: str) -> dict:
        if name not in self.state.queue_rows:
            raise NotFound(f"no queue {name!r}", "queue")
        now = self.events.now()
        snap = self.state.router.queue_snapshot(name, now)
        st = snap["stats"]
        row = self.state.queue_rows[name]
        members = []
        for v in snap["agents"]:
            a = self.state.agents.get(v["agent_id"])
            if a is None:
                continue
            d = a.to_dict(now)
            d["penalty"] = v.get("penalty", 0)
            d["calls_taken"] = a.calls_taken
            members.append(d)
        callers = []
        for v in snap["waiting"]:
            c = self.state.calls.get(str(v["call_id"]))
            callers.append({"position": v["position"], "call_id": str(v["call_id"]),
                            "channel": c.channel if c else "", "caller": c.caller if c else "",
                            # one definition: since the caller first queued (kept across moves,
                            # overflows and engine restarts), as in /api/calls and the record's hold_s
                            "wait": round(now - (c.queue_joined_at or now), 1) if c and c.queue_joined_at
                            else round(v.get("wait") or 0, 1), "priority": v.get("priority", 0),
                            "state": v.get("state"), "requirement": v.get("requirement"),
                            "callback": v.get("callback")})
        pct = lambda x: None if x is None else round(100.0 * x, 1)  # noqa: E731
        states: dict[str, int] = {}
        for m in members:
            states[m["state"]] = states.get(m["state"], 0) + 1
        answered = st["answered"] + st.get("called_back", 0)
        offered = st["entered"]
        return {
            "name": name, "strategy": snap["strategy"], "calls_waiting": st["waiting"],
            "max_waiting": row.get("max_length") or 0, "weight": row.get("priority") or 0,
            "holdtime": round(st["asa"] or 0.0, 1), "talktime": round((st["aht"] or 0.0), 1),
            "completed": answered, "abandoned": st["abandoned"], "overflowed": st["overflowed"],
            "offered": offered, "answered": answered,
            "service_level": pct(st["sl"]), "service_level2": pct(st["sl2"]), "sl_target": st["sl_threshold"],
            "sl_percent": row.get("sl_percent") or 80.0,
            "asa": None if st["asa"] is None else round(st["asa"], 1),
            "aht": None if st["aht"] is None else round(st["aht"], 1),
            "abandon_rate": pct(st["abandon_rate"]), "occupancy": pct(st["occupancy"]),
            "longest_wait": round(st["longest_wait"], 1), "ewt": st["ewt"], "staffed": st["staffed"],
            "agents_ready": st["agents_ready"], "agent_states": states,
            "members": members, "callers": callers,
        }

    def queues_status(self) -> list[dict]:
        return [self.queue_status(n) for n in sorted(self.state.queue_rows)]

    def snapshot(self) -> dict:
        states: dict[str, int] = {}
        for a in self.state.agents.values():
            states[a.state] = states.get(a.state, 0) + 1
        queues = []
        for q in self.queues_status():
            queues.append({**q, "service_level": None if q["service_level"] is None else q["service_level"] / 100.0,
                           "abandon_rate": None if q["abandon_rate"] is None else q["abandon_rate"] / 100.0})
        return {"queues": queues, "agent_states": states, "calls_active": len(self.state.calls)}

    def sl_targets(self) -> dict[str, float]:
        return {n: float(r.get("sl_target") or 20) for n, r in self.state.queue_rows.items()}

    async def event_rows(self, start: float, end: float) -> list:
        if self.ports.records is None:
            return []
        return await self.ports.records.report_events(start, end)

    async def cdrs(self, start: float, end: float, limit: int = 1000, *, caller: str | None = None,
                   agent: str | None = None) -> list[dict]:
        """Stored CDRs arrived in [start, end), newest first; optionally one caller's or one agent's."""
        if self.ports.records is None:
            return []
        return await self.ports.records.cdrs(start, end, limit, caller=caller, agent=agent)
