"""`callcenter login` / `callcenter logout`: get an API token for a stored user and keep it for the CLI.

``login`` sends the user name and password to the server (``POST /auth/login``) and stores the token it
answers in the per-user token file (``client.TokenFile``: ``$XDG_CONFIG_HOME/callcenter/tokens.json``,
mode 0600), keyed by the server URL. The verbs that talk to that server then use it when neither
``--token`` nor ``$CALLCENTER_TOKEN`` is given. ``logout`` revokes the token on the server and forgets it.
"""
from __future__ import annotations

import getpass
import sys
import time

from .toolbox import add_command, api_verb, fail, server_url


def register(sub) -> None:
    p = add_command(sub, "login", "log in to the running server as a stored user; the CLI keeps the token "
                                  "(per user, mode 0600) and uses it for that server",
                    epilog="example: callcenter login supervisor   (demo password: supervisor). The password "
                           "is asked on the terminal, or read from the first line of stdin.")
    p.add_argument("username", nargs="?", help="the user (asked on the terminal when left out)")
    p.add_argument("--url", help="server URL (default: $CALLCENTER_URL or http://<http.host>:<http.port>)")
    p.set_defaults(func=cmd_login)
    p = add_command(sub, "logout", "revoke the token `callcenter login` stored for the server and forget it")
    p.add_argument("--url", help="server URL (default: $CALLCENTER_URL or http://<http.host>:<http.port>)")
    p.set_defaults(func=cmd_logout)


def _ask(prompt: str, secret: bool) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt) if secret else input(prompt)
    return sys.stdin.readline().rstrip("\r\n")


@api_verb
def cmd_login(args) -> int:
    from ..client import ApiClient, TokenFile
    url = server_url(args)
    username = args.username or (_ask("user: ", secret=False) if sys.stdin.isatty() else "")
    if not username:
        return fail("login: name the user: callcenter login USER")
    password = _ask(f"password for {username} at {url}: ", secret=True)
    if not password:
        return fail("login: no password given (type it, or pipe it on stdin)")
    r = ApiClient(url).post("/auth/login", {"username": username, "password": password})
    tokens = TokenFile()
    tokens.put(url, {"token": r["token"], "user": r.get("user", username), "role": r.get("role"),
                     "agent": r.get("agent"), "expires_at": r.get("expires_at")})
    until = (f", valid until {time.strftime('%Y-%m-%d %H:%M', time.gmtime(r['expires_at']))} UTC"
             if r.get("expires_at") else "")
    print(f"logged in to {url} as {r.get('user', username)} (role {r.get('role')}{until}); "
          f"token saved in {tokens.path}")
    return 0


@api_verb
def cmd_logout(args) -> int:
    from ..client import ApiClient, ClientError, TokenFile
    url = server_url(args)
    tokens = TokenFile()
    token = tokens.get(url)
    if token is None:
        print(f"not logged in to {url}")
        return 0
    try:
        revoked = (ApiClient(url, token).post("/auth/logout") or {}).get("revoked")
    except ClientError as exc:
        tokens.remove(url)
        return fail(f"token forgotten, but the server could not revoke it ({exc}); it stays valid until "
                    "it expires")
    tokens.remove(url)
    print(f"logged out of {url}" + ("" if revoked else " (the server no longer knew the token)"))
    return 0
