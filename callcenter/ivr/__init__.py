"""IVR: YAML flows, their validator, a pure interpreter, the async runner, hot reload, and tools.

Public API (other areas call these):

* ``load_flow_file(path) -> Flow`` (raises :class:`FlowValidationError`), ``check_flow_file(path)``,
  ``load_flows_dir(dir) -> (dict[name, Flow], list[FlowError])``, ``load_flow_text(text, source)``.
* ``iter_text_prompts(flow) -> Iterator[Prompt]``: every static text prompt in every language.
* ``FlowRegistry(flows_dir, dids=..., default_flow=..., store=hook)``: ``reload()``, ``start()``/``stop()``
  (polling watcher), ``errors``, ``for_did(did) -> FlowVersion`` (pinned: ``.flow``, ``.flows``).
* ``await run_flow(flow, channel, *, clock, call_data, http_client=None, on_trace=None, flows=None,
  fallback_queue="support") -> IvrOutcome``.
* ``Interpreter(flow, flows).start(call, now) / .step(state, event, now) -> (state, actions)``: the pure core.
"""
from __future__ import annotations

from .channel import CallerHungUp, CallInfo, Channel, ChannelError, Prompt
from .flow import Flow, Node, iter_text_prompts
from .interpreter import Interpreter, IvrState
from .loader import (FlowError, FlowValidationError, check_flow_file, check_flows, load_flow_file,
                     load_flow_text, load_flows_dir)
from .outcome import CallbackOffer, IvrOutcome, QueueRequest, TraceEntry
from .registry import FlowRegistry, FlowVersion
from .runner import run_flow

__all__ = [
    "CallerHungUp", "CallInfo", "Channel", "ChannelError", "Prompt",
    "Flow", "Node", "iter_text_prompts",
    "Interpreter", "IvrState",
    "FlowError", "FlowValidationError", "check_flow_file", "check_flows", "load_flow_file", "load_flow_text",
    "load_flows_dir",
    "CallbackOffer", "IvrOutcome", "QueueRequest", "TraceEntry",
    "FlowRegistry", "FlowVersion", "run_flow",
]
