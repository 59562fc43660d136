"""A small client of the server's REST API (standard library only), and the per-user file of the
tokens ``callcenter login`` obtained.

The CLI verbs that use it live in ``callcenter/commands/`` (``toolbox.client_from_args`` builds the
client from ``--url``/``--token``, the environment, the configuration and the token file).
"""
from __future__ import annotations

import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
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
            if exc.code == 401 and path.startswith("/api/"):
                hint = (" (the token was refused: expired or revoked? run `callcenter login` again, or give "
                        "another with --token or CALLCENTER_TOKEN)" if self.token
                        else " (run `callcenter login`, or give a token with --token or CALLCENTER_TOKEN)")
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


class TokenFile:
    """The tokens ``callcenter login`` obtained, one per server URL, in a file only its owner can read
    (mode 0600 in a 0700 folder): ``$XDG_CONFIG_HOME/callcenter/tokens.json``, by default
    ``~/.config/callcenter/tokens.json``. JSON ``{URL: {"token", "user", "role", "expires_at"}}``."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else self.default_path()

    @staticmethod
    def default_path() -> Path:
        base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        return Path(base) / "callcenter" / "tokens.json"

    def read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ClientError(f"cannot read the token file {self.path}: {exc} (delete it and log in again)") from None
        return data if isinstance(data, dict) else {}

    def get(self, url: str) -> str | None:
        entry = self.read().get(url.rstrip("/"))
        return entry.get("token") if isinstance(entry, dict) else None

    def put(self, url: str, entry: dict[str, Any]) -> None:
        data = self.read()
        data[url.rstrip("/")] = entry
        self._write(data)

    def remove(self, url: str) -> dict[str, Any] | None:
        data = self.read()
        entry = data.pop(url.rstrip("/"), None)
        if entry is not None:
            self._write(data)
        return entry

    def _write(self, data: dict[str, Any]) -> None:
        folder = self.path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tokens-", dir=folder)   # created with mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=2)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
