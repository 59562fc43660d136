"""The async runner: executes the pure interpreter's actions on a :class:`Channel`.

``await run_flow(flow, channel, clock=clock, call_data=channel.info)`` returns an
:class:`~callcenter.ivr.outcome.IvrOutcome`. It never raises for caller behaviour or channel faults:
a hang-up ends with ``kind="hangup", hung_up_by="caller"``; a channel or engine failure ends on the
fallback queue with ``error`` set (the caller is not left in dead air). Only cancellation propagates.

Before the runner waits on the caller (a prompt, a menu, digits), it hands a channel that has
``prefetch(prompts)`` the static prompts the flow may play next (``Interpreter.upcoming_prompts``), so
that they are rendered while the caller listens and the next prompt is ready when the answer comes.

Queue outcomes are left to the caller of ``run_flow`` (the engine hands them to the ACD); transfer and
hang-up are performed on the channel unless ``perform_endings=False``.
"""
from __future__ import annotations

import asyncio
import inspect
import json
import logging
from typing import Any, Callable, Mapping

from ..clock import Clock
from .channel import CallerHungUp, CallInfo, Channel, ChannelError
from .flow import Flow
from .interpreter import (CollectDigits, Digits, Failed, Finish, Hangup, HttpDone, HttpRequest, HungUp,
                          Interpreter, LanguageSet, Play, PlayDone, Recognize, Record, Recorded, SetLanguage, Speech,
                          Transfer)
from .outcome import IvrOutcome, TraceEntry

log = logging.getLogger("callcenter.ivr")

MAX_HTTP_BODY = 1_000_000

TraceHook = Callable[[TraceEntry], Any]


async def http_call(req: HttpRequest, session: Any) -> HttpDone:
    """Perform one ``HttpRequest`` with aiohttp; every failure becomes ``HttpDone(error=...)``."""
    import aiohttp
    timeout = aiohttp.ClientTimeout(total=req.timeout)
    try:
        kwargs: dict[str, Any] = {"headers": req.headers or None, "params": req.params or None, "timeout": timeout}
        if req.json is not None and req.method != "GET":
            kwargs["json"] = req.json
        async with session.request(req.method, req.url, **kwargs) as resp:
            raw = await resp.content.read(MAX_HTTP_BODY + 1)
            if len(raw) > MAX_HTTP_BODY:
                return HttpDone(resp.status, None, f"response larger than {MAX_HTTP_BODY} bytes")
            text = raw.decode(resp.charset or "utf-8", errors="replace")
            try:
                body: Any = json.loads(text) if text.strip() else None
            except ValueError:
                body = text
            return HttpDone(resp.status, body, None)
    except asyncio.TimeoutError:
        return HttpDone(None, None, f"timed out after {req.timeout:g}s")
    except aiohttp.InvalidURL:
        return HttpDone(None, None, f"invalid URL {req.url!r}")
    except aiohttp.ClientError as exc:
        return HttpDone(None, None, f"{type(exc).__name__}: {exc}")
    except (ValueError, OSError) as exc:
        return HttpDone(None, None, f"{type(exc).__name__}: {exc}")


async def _emit(hook: TraceHook | None, entries: list[TraceEntry]) -> None:
    if hook is None:
        return
    for e in entries:
        try:
            r = hook(e)
            if inspect.isawaitable(r):
                await r
        except Exception:  # noqa: BLE001 - a trace consumer must not break the call
            log.exception("IVR trace hook failed")


def _prefetch(prefetch: Callable[[list], Any], interp: Interpreter, state: Any, now: float, call_id: Any) -> None:
    """Hand the channel what the flow may play after this node (it renders them while the caller
    listens: the next prompt is ready when the answer comes). A failure here never affects the call."""
    try:
        upcoming = interp.upcoming_prompts(state, now)
        if upcoming:
            prefetch(upcoming)
    except Exception:  # noqa: BLE001
        log.debug("prompt prefetch failed", exc_info=True, extra={"call_id": call_id})


async def run_flow(flow: Flow, channel: Channel, *, clock: Clock, call_data: CallInfo | Mapping[str, Any] | None = None,
                   http_client: Any = None, on_trace: TraceHook | None = None,
                   flows: Mapping[str, Flow] | None = None, fallback_queue: str = "support",
                   perform_endings: bool = True, answer: bool = True,
                   interpreter: Interpreter | None = None,
                   variables: Mapping[str, Any] | None = None) -> IvrOutcome:
    """Run ``flow`` for one call on ``channel`` until it ends; return how it ended.

    ``flows``: other flows (by name) that ``subflow``/``goto`` nodes may enter (pin them with the
    registry). ``http_client``: an ``aiohttp.ClientSession`` for ``http`` nodes (one is created and
    closed here when needed and not given). ``on_trace`` is called (sync or async) with each
    :class:`TraceEntry` as it happens. ``variables`` override the flow's initial variables.
    """
    interp = interpreter or Interpreter(flow, flows, fallback_queue=fallback_queue)
    info = call_data if call_data is not None else getattr(channel, "info", None)
    call_id = info.call_id if isinstance(info, CallInfo) else (dict(info or {}).get("call_id"))
    own_session = None
    emitted = 0
    try:
        if answer:
            try:
                await channel.answer()
            except CallerHungUp:
                state, actions = interp.start(info, clock.now(), False, variables)
                state, actions = interp.step(state, HungUp(), clock.now())
                await _emit(on_trace, state.trace)
                return state.outcome  # type: ignore[return-value]
            except ChannelError as exc:
                log.warning("answer failed: %s", exc, extra={"call_id": call_id})
        try:
            speech = bool(channel.speech_available)
        except Exception:  # noqa: BLE001
            speech = False
        state, actions = interp.start(info, clock.now(), speech, variables)
        prefetch = getattr(channel, "prefetch", None)
        while True:
            await _emit(on_trace, state.trace[emitted:])
            emitted = len(state.trace)
            event: Any = None
            if prefetch is not None and actions and isinstance(actions[-1], (Play, CollectDigits, Recognize)):
                _prefetch(prefetch, interp, state, clock.now(), call_id)
            for action in actions:
                if isinstance(action, Finish):
                    return action.outcome
                try:
                    if isinstance(action, Play):
                        event = PlayDone(await channel.play(list(action.prompts), action.escape_digits))
                    elif isinstance(action, CollectDigits):
                        r = await channel.collect_digits(list(action.prompts), action.max_digits, action.timeout,
                                                         action.terminator, action.inter_digit_timeout)
                        event = Digits(r.digits, r.timed_out)
                    elif isinstance(action, Recognize):
                        rec = await channel.recognize(list(action.prompts),
                                                      list(action.phrases) if action.phrases is not None else None,
                                                      action.timeout, action.language,
                                                      barge_in=action.barge_in)
                        event = Speech(rec)
                    elif isinstance(action, Record):
                        event = Recorded(await channel.record(action.name, action.max_seconds, action.silence_seconds,
                                                              action.escape_digits, action.beep))
                    elif isinstance(action, HttpRequest):
                        session = http_client
                        if session is None:
                            if own_session is None:
                                import aiohttp
                                own_session = aiohttp.ClientSession()
                            session = own_session
                        event = await http_call(action, session)
                    elif isinstance(action, SetLanguage):
                        await channel.set_language(action.language)
                        try:
                            available = bool(channel.speech_available)
                        except Exception:  # noqa: BLE001
                            available = False
                        event = LanguageSet(available)
                    elif isinstance(action, Transfer):
                        if perform_endings:
                            await channel.transfer(action.destination)
                    elif isinstance(action, Hangup):
                        if perform_endings:
                            await channel.hangup()
                except CallerHungUp:
                    if isinstance(action, Hangup):
                        continue
                    event = HungUp()
                    break
                except asyncio.CancelledError:
                    raise
                except ChannelError as exc:
                    log.warning("channel error during %s: %s", type(action).__name__, exc, extra={"call_id": call_id})
                    event = Failed(f"{type(action).__name__}: {exc}")
                    break
                except Exception as exc:  # noqa: BLE001 - a channel bug must not drop the call silently
                    log.exception("channel failed during %s", type(action).__name__, extra={"call_id": call_id})
                    event = Failed(f"{type(action).__name__}: {type(exc).__name__}: {exc}")
                    break
            if event is None:
                event = Failed("the interpreter asked for nothing to wait on")
            state, actions = interp.step(state, event, clock.now())
    finally:
        if own_session is not None:
            await own_session.close()
