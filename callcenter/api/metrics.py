"""Prometheus metrics (``GET /metrics``, text exposition format, no token needed).

Counters follow the domain events on the bus; gauges are read from the engine's live snapshot at
scrape time (so they are never stale):

* ``callcenter_events_total{kind}``: every domain event published.
* ``callcenter_calls_total{queue,outcome}``: finished queue calls by outcome (answered, abandoned,
  overflowed, transferred, failed ...).
* ``callcenter_queue_wait_seconds{queue}``: histogram of the time callers waited before an agent answered.
* ``callcenter_queue_calls_waiting{queue}``, ``callcenter_queue_longest_wait_seconds{queue}``,
  ``callcenter_queue_service_level_ratio{queue}``, ``callcenter_queue_abandon_ratio{queue}``,
  ``callcenter_queue_asa_seconds{queue}``, ``callcenter_queue_aht_seconds{queue}``.
* ``callcenter_agents{state}``: agents per state; ``callcenter_calls_active``: calls in progress.
* ``callcenter_websocket_clients``.
* ``callcenter_web_calls_refused_total{reason}``: new web callers refused as busy (``calls``: the
  ``webrtc.max_calls_per_core`` limit; ``lag``: the event loop late, ``webrtc.overload_*``).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from ..events import DomainEvent, EventBus

WAIT_BUCKETS = (1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600)


class _LiveCollector:
    def __init__(self, snapshot: Callable[[], dict[str, Any]]) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterable[GaugeMetricFamily]:
        snap = self._snapshot() or {}
        queues = snap.get("queues", [])
        gauges = {
            "calls_waiting": ("callcenter_queue_calls_waiting", "callers waiting in the queue"),
            "longest_wait": ("callcenter_queue_longest_wait_seconds", "wait of the longest-waiting caller"),
            "service_level": ("callcenter_queue_service_level_ratio", "answered within the SL target / answered+abandoned"),
            "abandon_rate": ("callcenter_queue_abandon_ratio", "abandoned / offered"),
            "asa": ("callcenter_queue_asa_seconds", "average speed of answer"),
            "aht": ("callcenter_queue_aht_seconds", "average handle time (talk + wrap-up)"),
        }
        for key, (name, doc) in gauges.items():
            g = GaugeMetricFamily(name, doc, labels=["queue"])
            for q in queues:
                v = q.get(key)
                if v is not None:
                    g.add_metric([q["name"]], float(v))
            yield g
        g = GaugeMetricFamily("callcenter_agents", "agents by state", labels=["state"])
        for state, n in sorted((snap.get("agent_states") or {}).items()):
            g.add_metric([state], float(n))
        yield g
        yield GaugeMetricFamily("callcenter_calls_active", "calls in progress (IVR, waiting, ringing, talking)",
                                value=float(snap.get("calls_active", 0)))
        if snap.get("cpu_seconds") is not None:
            yield CounterMetricFamily("callcenter_engine_cpu_seconds", "the engine process's CPU time since it "
                                      "started (the same figure as the engine status)", value=float(snap["cpu_seconds"]))
        yield GaugeMetricFamily("callcenter_websocket_clients", "connected WebSocket clients",
                                value=float(snap.get("websocket_clients", 0)))


class Metrics:
    def __init__(self, bus: EventBus, snapshot: Callable[[], dict[str, Any]]) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.events = Counter("callcenter_events_total", "domain events published", ["kind"],
                              registry=self.registry)
        self.calls = Counter("callcenter_calls_total", "finished queue calls by outcome",
                             ["queue", "outcome"], registry=self.registry)
        self.wait = Histogram("callcenter_queue_wait_seconds", "time to answer", ["queue"],
                              buckets=WAIT_BUCKETS, registry=self.registry)
        self.refused = Counter("callcenter_web_calls_refused", "new web callers refused as busy (the server "
                               "overloaded)", ["reason"], registry=self.registry)
        self.registry.register(_LiveCollector(snapshot))
        self._unsub = bus.subscribe(self._on_event)

    def _on_event(self, e: DomainEvent) -> None:
        self.events.labels(e.kind).inc()
        if e.kind == "CallAnswered" and e.queue and e.data.get("wait") is not None:
            self.wait.labels(e.queue).observe(float(e.data["wait"]))
        elif e.kind == "WebCallRefused":
            self.refused.labels(str(e.data.get("reason", "unknown"))).inc()
        elif e.kind == "CallEnded" and e.queue:
            self.calls.labels(e.queue, str(e.data.get("outcome", "unknown"))).inc()

    def close(self) -> None:
        self._unsub()

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
