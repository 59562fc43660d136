"""The ACD: skill-based routing core (pure: no I/O, no asyncio, no clock; time is passed in).

Public API::

    from acd import Router, QueueConfig, AgentConfig
    r = Router([QueueConfig.from_dict({...})], [AgentConfig.from_dict({...})])
    decisions = r.call_arrived("c1", "support", now=0.0, priority=0, language="en")

See docs/acd.md.
"""
from .config import STRATEGIES, AgentConfig, ConfigError, QueueConfig
from .decisions import (OUTCOMES, AgentAutoPaused, AgentStateChanged, Announce, CallbackDue, CallFinished,
                        CancelOffer, Decision, Offer, Overflow, Queued, Refused, RequirementChanged)
from .erlang import erlang_a, erlang_b, erlang_c
from .router import Router
from .rules import RuleError, RuleSet, parse_expr, parse_rule, parse_rules

__all__ = ["Router", "QueueConfig", "AgentConfig", "ConfigError", "STRATEGIES", "RuleError", "RuleSet",
           "parse_rules", "parse_rule", "parse_expr", "Decision", "Offer", "CancelOffer", "Announce", "Queued",
           "Overflow", "CallbackDue", "AgentAutoPaused", "AgentStateChanged", "RequirementChanged",
           "CallFinished", "Refused", "OUTCOMES", "erlang_b", "erlang_c", "erlang_a"]
