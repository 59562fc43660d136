"""A small client of the server's REST API, and the CLI verbs that use it.

The CLI talks to a *running* server (``callcenter serve``) through its API:

* server URL: ``--url`` or ``$CALLCENTER_URL`` (default ``http://<http.host>:<http.port>`` from the
  configuration, i.e. ``http://127.0.0.1:8080``);
* token: ``--token`` or ``$CALLCENTER_TOKEN`` (a token from ``api.tokens`` or one issued to a stored user).

Verbs added here (wired into ``callcenter agent`` / ``callcenter queue`` by their modules, and used by
``callcenter calls`` / ``callcenter report``): ``queue show``, ``queue watch``, ``agent list``,
``agent login|logout|ready|pause|end-wrapup``.
"""
from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

DEFAULT_TIMEOUT = 10.0


class ClientError(Exception):
    """A request failed; ``str()`` is one line for the terminal. ``status`` is 0 when unreachable."""

    def __init__(self, message: str, status: int = 0, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


class ApiClient:
    def __init__(self, url: str, token: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(self, method: str, path: str, body: dict | None = None,
                params: dict[str, Any] | None = None, raw: bool = False) -> Any:
        url = self.url + path
        if params:
            clean = {k: v for k, v in params.items() if v is not None}
            if clean:
                url += "?" + urllib.parse.urlencode(clean)
        data = json.dumps(body).encode() if body is not None else (b"" if method != "GET" else None)
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                payload = resp.read()
        except urllib.error.HTTPError as exc:
            text = exc.read().decode("utf-8", "replace")
            try:
                err = json.loads(text)
                msg, field = err.get("error", text), err.get("field")
            except ValueError:
                msg, field = text.strip() or exc.reason, None
            hint = ""
            if exc.code == 401:
                hint = " (give a token with --token or CALLCENTER_TOKEN)"
            raise ClientError(f"{method} {path}: {exc.code} {msg}{hint}", exc.code, field) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ClientError(f"cannot reach the server at {self.url}: {reason} "
                              "(is `callcenter serve` running? set --url or CALLCENTER_URL)") from None
        if raw:
            return payload.decode("utf-8")
        try:
            return json.loads(payload.decode("utf-8")) if payload else None
        except ValueError:
            raise ClientError(f"{method} {path}: the server answered something that is not JSON") from None

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: dict | None = None) -> Any:
        return self.request("POST", path, body or {})


# --------------------------------------------------------------------------------------------------
# CLI plumbing

def add_client_args(p) -> None:
    p.add_argument("--url", help="server URL (default: $CALLCENTER_URL or http://<http.host>:<http.port>)")
    p.add_argument("--token", help="API token (default: $CALLCENTER_TOKEN)")


def client_from_args(args) -> ApiClient:
    url = getattr(args, "url", None) or os.environ.get("CALLCENTER_URL")
    if not url:
        from .commands import load_config_from
        cfg = load_config_from(args)
        host = cfg.http.host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        url = f"http://{host}:{cfg.http.port}"
    token = getattr(args, "token", None) or os.environ.get("CALLCENTER_TOKEN")
    return ApiClient(url, token)


def run(fn):
    """Wrap a verb so a :class:`ClientError` prints one line and exits 1."""
    def wrapper(args) -> int:
        try:
            return int(fn(args) or 0)
        except ClientError as exc:
            print(f"callcenter: {exc}", file=sys.stderr)
            return 1
    return wrapper


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _ago(now: float, ts: float | None) -> str:
    if not ts:
        return "-"
    s = max(0, int(now - ts))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------
# queue show / watch

def _queues(client: ApiClient, name: str | None) -> tuple[float, list[dict]]:
    if name:
        q = client.get(f"/api/queues/{urllib.parse.quote(name, safe='')}")
        return q.get("now", time.time()), [q]
    data = client.get("/api/queues")
    return data.get("now", time.time()), data["queues"]


@run
def cmd_queue_show(args) -> int:
    from .engine.queue_show import render_queues
    client = client_from_args(args)
    now, queues = _queues(client, args.queue)
    if args.json:
        _print_json(queues)
    else:
        sys.stdout.write(render_queues(queues, now))
    return 0


def render_dashboard(queues: list[dict], now: float) -> str:
    rows = []
    for q in queues:
        rows.append([q["name"], str(q.get("calls_waiting", 0)), _ago(now, now - (q.get("longest_wait") or 0)),
                     str(q.get("offered", 0)), str(q.get("answered", q.get("completed", 0))),
                     str(q.get("abandoned", 0)),
                     "-" if q.get("service_level") is None else f"{q['service_level']:.1f}%",
                     "-" if q.get("asa") is None else f"{q['asa']:.0f}s",
                     "-" if q.get("aht") is None else f"{q['aht']:.0f}s",
                     "-" if q.get("abandon_rate") is None else f"{q['abandon_rate']:.1f}%",
                     " ".join(f"{k}:{v}" for k, v in sorted((q.get("agent_states") or {}).items()))])
    head = ["QUEUE", "WAIT", "LONGEST", "OFFERED", "ANSWERED", "ABANDONED", "SL", "ASA", "AHT", "ABND%", "AGENTS"]
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now))
    out = [f"callcenter queues at {stamp} UTC  (Ctrl-C to quit)\n", table(rows, head)]
    for q in queues:
        callers = q.get("callers") or []
        if callers:
            out.append(f"\n{q['name']} waiting:\n")
            out.append(table([[str(c.get("position")), str(c.get("caller") or c.get("call_id")),
                               _ago(now, now - (c.get("wait") or 0)), str(c.get("priority", 0))]
                              for c in callers[:10]], ["#", "CALLER", "WAIT", "PRIO"]))
    return "".join(out)


@run
def cmd_queue_watch(args) -> int:
    client = client_from_args(args)
    n = 0
    tty = sys.stdout.isatty()
    try:
        while True:
            now, queues = _queues(client, args.queue)
            screen = render_dashboard(queues, now)
            if tty or args.clear:
                sys.stdout.write("\x1b[H\x1b[2J")   # home + clear: refresh in place
            sys.stdout.write(screen)
            if not (tty or args.clear):
                sys.stdout.write("\n")
            sys.stdout.flush()
            n += 1
            if args.count and n >= args.count:
                return 0
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 0


def extend_queue(qsub) -> None:
    """Add ``show`` and ``watch`` to the ``callcenter queue`` sub-parsers."""
    from .commands import add_command
    p = add_command(qsub, "show", "live queue status from the running server, in the shape of Asterisk's `queue show`")
    p.add_argument("queue", nargs="?", help="one queue (default: all)")
    p.add_argument("--json", action="store_true", help="print the raw JSON snapshot")
    add_client_args(p)
    p.set_defaults(func=cmd_queue_show)
    p = add_command(qsub, "watch", "live dashboard of the queues, refreshed in place (Ctrl-C to quit)")
    p.add_argument("queue", nargs="?", help="one queue (default: all)")
    p.add_argument("-n", "--interval", type=float, default=1.0, help="seconds between refreshes (default 1)")
    p.add_argument("--count", type=int, default=0, help="stop after N refreshes (default: run until Ctrl-C)")
    p.add_argument("--clear", action="store_true", help="clear the screen even when not on a terminal")
    add_client_args(p)
    p.set_defaults(func=cmd_queue_watch)


# --------------------------------------------------------------------------------------------------
# agents

def _agent_path(agent: str, action: str = "") -> str:
    return f"/api/agents/{urllib.parse.quote(agent, safe='')}" + (f"/{action}" if action else "")


def _print_agent(a: dict, now: float | None = None) -> None:
    now = now or time.time()
    extra = f" ({a['pause_reason']})" if a.get("state") == "paused" and a.get("pause_reason") else ""
    print(f"{a['agent_id']}: {a.get('state')}{extra} for {_ago(now, a.get('state_since'))}"
          + (f" at {a['phone']}" if a.get("phone") else ""))


@run
def cmd_agent_list(args) -> int:
    client = client_from_args(args)
    data = client.get("/api/agents")
    agents = data["agents"]
    if args.json:
        _print_json(agents)
        return 0
    now = data.get("now") or time.time()
    rows = [[a["agent_id"], a.get("name") or "", a.get("state", ""), a.get("pause_reason") or "",
             _ago(now, a.get("state_since")), a.get("phone") or "-", a.get("call_id") or "-",
             str(a.get("calls_taken", 0)), ",".join(a.get("queues") or [])] for a in agents]
    sys.stdout.write(table(rows, ["AGENT", "NAME", "STATE", "REASON", "IN STATE", "PHONE", "CALL", "CALLS",
                                  "QUEUES"]))
    return 0


def _agent_action(action: str):
    @run
    def cmd(args) -> int:
        client = client_from_args(args)
        body: dict[str, Any] = {}
        if action == "login" and args.phone:
            body["phone"] = args.phone
        if action in ("pause", "logout") and args.reason:
            body["reason"] = args.reason
        a = client.post(_agent_path(args.agent, action), body)
        _print_agent(a)
        return 0
    return cmd


def extend_agent(asub, include_list: bool = True) -> None:
    """Add ``list`` (live, from the server), ``login``, ``logout``, ``ready``, ``pause``, ``end-wrapup``
    to the ``callcenter agent`` sub-parsers (``include_list=False`` when ``list`` is taken)."""
    from .commands import add_command
    if include_list:
        p = add_command(asub, "list", "agents with live state and time in state (from the running server)")
        p.add_argument("--json", action="store_true")
        add_client_args(p)
        p.set_defaults(func=cmd_agent_list)
    else:
        p = add_command(asub, "status", "agents with live state and time in state (from the running server)")
        p.add_argument("--json", action="store_true")
        add_client_args(p)
        p.set_defaults(func=cmd_agent_list)
    for name, help_text in (("login", "log an agent in at a phone (paused until ready)"),
                            ("logout", "log an agent out"),
                            ("ready", "make an agent ready for calls (ends a pause or wrap-up)"),
                            ("pause", "pause an agent with a reason code"),
                            ("end-wrapup", "end an agent's wrap-up early")):
        p = add_command(asub, name, help_text)
        p.add_argument("agent", help="agent name")
        if name == "login":
            p.add_argument("--phone", help="the phone the agent sits at, e.g. PJSIP/2001 (default: provisioned)")
        if name in ("pause", "logout"):
            p.add_argument("--reason", default="", help="reason code (e.g. lunch, break, training)")
        add_client_args(p)
        p.set_defaults(func=_agent_action(name))
