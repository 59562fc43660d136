"""What the flow may play next (pure): the prompts a channel can render while the caller still listens.

A real IVR does not synthesize the next prompt after the answer is decided: the prompts a node can
lead to are known from the flow. :func:`upcoming_prompts` walks from the node that waits now to the
nodes its transitions lead to (through nodes that play nothing: ``set``, ``branch``, ``schedule``,
``intent``..., at most :data:`DEPTH` steps), and returns the prompts those nodes play first, plus the
waiting node's own re-prompts (``no_match``, ``no_input``, ``invalid``). Only **static** text (no
``${...}``) is included: text with variables is known only once its variables are, when the node is
entered, and rendering it with today's values could synthesize a prompt nobody hears. Each prompt has
the language and voice the interpreter would give it (:meth:`Interpreter._prompts`), so a render ahead
is the very audio played later. A walk stops at a ``language`` node (the language changes there) and
at jumps into other flows.
"""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Mapping

from .channel import Prompt
from .expr import ExprError, parse_template
from .flow import is_language_map

if TYPE_CHECKING:                                    # pragma: no cover
    from .interpreter import Interpreter
    from .state import IvrState

#: transitions followed from the waiting node
DEPTH = 3
#: prompts returned at most
LIMIT = 12
#: fields a node plays when it is entered (``dtmf_prompt``: an ``ask`` node without speech)
ENTRY_FIELDS = ("prompt", "dtmf_prompt")
#: the waiting node's re-prompts (played before its prompt again after a bad or no answer)
REPROMPT_FIELDS = ("no_match", "no_input", "invalid")
#: nodes a walk does not go past
STOP_TYPES = {"language", "subflow", "goto", "return"}


def _static(v: Any) -> bool:
    if not isinstance(v, str):
        return v is None or isinstance(v, (int, float))
    try:
        return parse_template(v).is_static
    except ExprError:
        return False


def static_spec(spec: Any) -> Any:
    """``spec`` with only the prompt items whose values are static (no ``${...}``), same shape."""
    if spec is None:
        return None
    if is_language_map(spec):
        return {k: static_spec(v) for k, v in spec.items()}
    if isinstance(spec, list):
        return [x for x in (static_spec(i) for i in spec) if x is not None]
    if isinstance(spec, str):
        return spec if _static(spec) else None
    if isinstance(spec, Mapping):
        return spec if all(_static(spec.get(k)) for k in ("text", "file", "digits", "number")) else None
    return spec


def upcoming_prompts(interp: "Interpreter", state: "IvrState", now: float, depth: int = DEPTH,
                     limit: int = LIMIT) -> list[Prompt]:
    """The static prompts the flow may play after the node ``state`` waits in (see the module notes),
    nearest first, without duplicates. Never raises: a flow it cannot read gives fewer prompts."""
    out: list[Prompt] = []
    try:
        flow = interp.flows.get(state.flow)
        node = flow.nodes.get(state.node or "") if flow is not None else None
        if node is None or state.outcome is not None:
            return out
        s = copy.copy(state)
        s.trace = []                                 # rendering may note errors: not in the call's trace
        seen_prompts: set[Prompt] = set()

        def add(spec: Any) -> None:
            spec = static_spec(spec)
            if spec is None:
                return
            for p in interp._prompts(s, now, spec):
                if p.kind in ("text", "digits", "number") and p not in seen_prompts and len(out) < limit:
                    seen_prompts.add(p)
                    out.append(p)

        for f in REPROMPT_FIELDS:
            if node.spec.get(f) is not None:
                add(node.spec[f])
        seen = {node.id}
        frontier = [t for _lab, t in node.targets()]
        for _ in range(depth):
            nxt: list[str] = []
            for nid in frontier:
                n = flow.nodes.get(nid)
                if n is None or nid in seen or len(out) >= limit:
                    continue
                seen.add(nid)
                for f in ENTRY_FIELDS:
                    if n.spec.get(f) is not None:
                        add(n.spec[f])
                if n.type not in STOP_TYPES:
                    nxt += [t for _lab, t in n.targets()]
            frontier = nxt
    except Exception:  # noqa: BLE001 - a look ahead must never break the call
        return out
    return out
