"""A private Asterisk with the project's ``asterisk_conf/`` deployed, and real SIP phones (baresip, SIPp).

Everything lives under one temporary directory with its own ports (AMI, SIP, RTP range, FastAGI), so
it never touches a system Asterisk nor another test run:

* :class:`PrivateAsterisk`: writes ``asterisk.conf`` (every directory under the tmp dir, modules and
  sounds from the installation), ``modules.conf``, ``logger.conf``, ``rtp.conf`` and the project's
  ``manager.conf`` / ``pjsip.conf`` / ``extensions.conf`` / ``musiconhold.conf`` with the ports, the AMI
  secret and ``CC_ENGINE`` set, plus ``pjsip_agents.conf`` from ``callcenter asterisk config`` and caller
  endpoints built on the ``cc-caller-endpoint`` template. ``start()`` / ``stop()`` / ``restart()``,
  ``cli(cmd)``, ``log_text()``.
* :class:`Baresip`: one baresip phone (own config dir, SIP port, ``ctrl_tcp`` port), registered to
  the private Asterisk; auto-answer; its microphone is a WAV file (``aufile``), what it hears is
  recorded by ``sndfile`` (``*-dec.wav``); ``dial()``, ``hangup()``, ``command()``.
* :func:`tone_wav` makes a tone WAV; :func:`tone_level` measures how much of a frequency a WAV holds
  (Goertzel), to check that each side heard the other.
"""
from __future__ import annotations

import asyncio
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "asterisk_conf"

NOLOAD = ["chan_iax2.so", "chan_mgcp.so", "chan_skinny.so", "chan_unistim.so", "chan_mobile.so", "pbx_dundi.so",
          "res_pktccops.so", "res_hep.so", "res_hep_pjsip.so", "res_hep_rtcp.so", "cdr_radius.so", "cel_radius.so",
          "res_config_ldap.so", "res_phoneprov.so", "res_pjsip_phoneprov_provider.so", "res_http_websocket.so",
          "res_ari.so", "res_stasis.so", "app_voicemail.so", "cdr_custom.so", "cel_custom.so"]


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_udp_tcp_port(span: int = 1) -> int:
    """A port free for UDP and TCP (SIP), and the ``span - 1`` ports after it (baresip's TLS takes
    the next TCP port)."""
    for _ in range(100):
        p = free_port(socket.SOCK_DGRAM)
        try:
            for q in range(p, p + span):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", q))
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.bind(("127.0.0.1", q))
            return p
        except OSError:
            continue
    raise RuntimeError("no free port")


class PrivateAsterisk:
    def __init__(self, prefix: str | Path, base: Path, *, agi_port: int, agents: list[dict],
                 callers: list[str], rtp_base: int | None = None) -> None:
        self.prefix = Path(prefix)
        self.base = base
        self.etc = base / "etc"
        self.agi_port = agi_port
        self.agents = agents
        self.callers = callers
        self.ami_port = free_port()
        self.sip_port = free_udp_tcp_port()
        self.rtp_base = rtp_base or (20000 + (os.getpid() * 37) % 20000) // 2 * 2
        self.secret = secrets.token_hex(12)
        # the SIP port the `trunk` endpoint (CC_TRUNK: callbacks, external transfers) sends to: a phone
        # started on it (Live.phone(..., sip_port=ast.trunk_port)) is the "outside world"
        self.trunk_port = free_udp_tcp_port(span=2)
        self.proc: subprocess.Popen | None = None
        self.sip_passwords: dict[str, str] = {}

    @property
    def binary(self) -> Path:
        return self.prefix / "sbin" / "asterisk"

    @property
    def ami_url(self) -> str:
        return f"callcenter:{self.secret}@127.0.0.1:{self.ami_port}"

    def ami_server(self) -> dict:
        return {"name": "live", "host": "127.0.0.1", "port": self.ami_port, "username": "callcenter",
                "secret": self.secret, "enabled": True}

    # -- configuration ---------------------------------------------------------------------------------
    def write_config(self, passwords_file: Path) -> None:
        for d in ("etc", "run", "log", "spool", "db", "rec"):
            (self.base / d).mkdir(parents=True, exist_ok=True)
        datadir = self.prefix / "var" / "lib" / "asterisk"
        (self.etc / "asterisk.conf").write_text(f"""[directories]
astetcdir => {self.etc}
astmoddir => {self.prefix}/lib/asterisk/modules
astvarlibdir => {self.base}/db
astdbdir => {self.base}/db
astkeydir => {self.base}/db
astdatadir => {datadir}
astagidir => {datadir}/agi-bin
astspooldir => {self.base}/spool
astrundir => {self.base}/run
astlogdir => {self.base}/log
astsbindir => {self.prefix}/sbin
astcachedir => {self.base}/db
[options]
verbose = 3
timestamp = yes
defaultlanguage = en
transmit_silence = yes
""")
        (self.etc / "modules.conf").write_text("[modules]\nautoload = yes\n"
                                               + "".join(f"noload => {m}\n" for m in NOLOAD))
        (self.etc / "logger.conf").write_text("[general]\ndateformat = %F %T.%3q\n[logfiles]\n"
                                              "messages.log => notice,warning,error,verbose\n")
        (self.etc / "rtp.conf").write_text(f"[general]\nrtpstart = {self.rtp_base}\nrtpend = {self.rtp_base + 399}\n")
        for name in ("cdr.conf", "cel.conf", "features.conf", "acl.conf", "udptl.conf", "pjproject.conf",
                     "ccss.conf", "indications.conf"):
            (self.etc / name).write_text("[general]\n")
        indications = self.prefix / "etc" / "asterisk" / "indications.conf"
        if indications.exists():
            shutil.copy(indications, self.etc / "indications.conf")
        # the project's files, with this instance's ports and secret
        manager = (CONF / "manager.conf").read_text()
        manager = re.sub(r"(?m)^port = \d+", f"port = {self.ami_port}", manager)
        manager = re.sub(r"(?m)^secret = .*$", f"secret = {self.secret}", manager)
        (self.etc / "manager.conf").write_text(manager)
        pjsip = (CONF / "pjsip.conf").read_text()
        pjsip = re.sub(r"(?m)^bind = .*$", f"bind = 127.0.0.1:{self.sip_port}", pjsip, count=1)
        pjsip = pjsip[:pjsip.index("; ---- example trunk")]           # no provider here
        callers = []
        for ext in self.callers:
            pw = secrets.token_hex(8)
            self.sip_passwords[ext] = pw
            callers.append(f"[{ext}](cc-caller-endpoint)\nauth = {ext}\naors = {ext}\n"
                           f"[{ext}](cc-agent-auth)\nusername = {ext}\npassword = {pw}\n[{ext}](cc-agent-aor)\n")
        # SIPp callers: no auth, matched by their From user "sipp" (SIPp's default)
        callers.append("[sipp](cc-caller-endpoint)\naors = sipp\ndtmf_mode = auto_info\n[sipp](cc-agent-aor)\n")
        # the provider trunk of the dialplan (CC_TRUNK = trunk): Dial(PJSIP/<number>@trunk) reaches
        # sip:<number>@127.0.0.1:<trunk_port>
        callers.append(f"[trunk](cc-caller-endpoint)\naors = trunk\n[trunk]\ntype = aor\n"
                       f"contact = sip:127.0.0.1:{self.trunk_port}\n")
        (self.etc / "pjsip.conf").write_text(pjsip + "\n" + "\n".join(callers))
        ext = (CONF / "extensions.conf").read_text()
        ext = re.sub(r"(?m)^CC_ENGINE = .*$", f"CC_ENGINE = 127.0.0.1:{self.agi_port}", ext)
        ext = re.sub(r"(?m)^CC_AGENT_WAIT = .*$", "CC_AGENT_WAIT = 30", ext)
        (self.etc / "extensions.conf").write_text(ext)
        shutil.copy(CONF / "musiconhold.conf", self.etc / "musiconhold.conf")
        # pjsip_agents.conf exactly as an administrator makes it
        import yaml
        agents_yaml = self.base / "agents.yaml"
        agents_yaml.write_text(yaml.safe_dump({"agents": self.agents}))
        env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
        env["CALLCENTER_DATA_DIR"] = str(self.base / "cc-data")
        subprocess.run([os.environ.get("PYTHON", sys.executable), "-m", "callcenter.cli", "asterisk", "config",
                        "--agents", str(agents_yaml), "--passwords", str(passwords_file),
                        "-o", str(self.etc / "pjsip_agents.conf")], check=True, env=env,
                       capture_output=True, text=True)
        import yaml as _y
        self.sip_passwords.update({str(k): str(v) for k, v in (_y.safe_load(passwords_file.read_text()) or {}).items()})

    # -- life --------------------------------------------------------------------------------------------
    def cli(self, command: str, timeout: float = 20.0) -> str:
        r = subprocess.run([str(self.binary), "-C", str(self.etc / "asterisk.conf"), "-rx", command],
                           capture_output=True, text=True, timeout=timeout)
        return r.stdout + r.stderr

    def start(self, timeout: float = 60.0) -> None:
        out = open(self.base / "log" / "console.out", "ab")
        self.proc = subprocess.Popen([str(self.binary), "-C", str(self.etc / "asterisk.conf"), "-f", "-n"],
                                     stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"asterisk exited ({self.proc.returncode}): see {self.base}/log")
            if (self.base / "run" / "asterisk.ctl").exists():
                r = self.cli("core waitfullybooted", timeout=timeout)
                if "fully booted" in r.lower() or "Asterisk has fully booted" in r:
                    self.cli("agi set debug on")        # AGI Tx/Rx in messages.log
                    return
            time.sleep(0.2)
        raise RuntimeError("asterisk did not boot in time")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.cli("core stop now", timeout=10)
            except subprocess.TimeoutExpired:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.proc = None

    def kill(self) -> None:
        """Asterisk dies at once (no orderly shutdown): as a crash or `kill -9`."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        self.proc = None
        ctl = self.base / "run" / "asterisk.ctl"
        if ctl.exists():
            ctl.unlink()

    def restart(self) -> None:
        self.kill()
        self.start()

    def log_text(self) -> str:
        p = self.base / "log" / "messages.log"
        return p.read_text(errors="replace") if p.exists() else ""


# ------------------------------------------------------------------------------------------------------
class Baresip:
    """One baresip phone registered to the private Asterisk."""

    def __init__(self, base: Path, ext: str, password: str, asterisk: PrivateAsterisk, *, mic: Path,
                 auto_answer: bool = True, answer_delay: float = 0.0, sip_port: int | None = None) -> None:
        self.ext = ext
        self.dir = base / f"baresip-{ext}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.asterisk = asterisk
        self.password = password
        self.mic = mic
        self.auto_answer = auto_answer
        self.sip_port = sip_port or free_udp_tcp_port(span=2)
        self.ctrl_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.rec_dir = self.dir / "rec"
        self.rec_dir.mkdir(exist_ok=True)

    def write_config(self) -> None:
        rtp_lo = self.asterisk.rtp_base + 400 + (int(self.ext) % 50) * 20
        (self.dir / "config").write_text(f"""poll_method epoll
sip_listen 127.0.0.1:{self.sip_port}
call_local_timeout 120
call_max_calls 4
audio_player aufile,{self.dir}/speaker.wav
audio_source aufile,{self.mic}
audio_alert aufile,{self.dir}/alert.wav
ausrc_srate 8000
auplay_srate 8000
ausrc_channels 1
auplay_channels 1
rtp_ports {rtp_lo}-{rtp_lo + 19}
jitter_buffer_delay 5-10
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module sndfile.so
module ctrl_tcp.so
module_tmp account.so
module_app menu.so
ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}
snd_path {self.rec_dir}
""")
        answer = ";answermode=auto" if self.auto_answer else ";answermode=manual"
        (self.dir / "accounts").write_text(
            f"<sip:{self.ext}@127.0.0.1:{self.asterisk.sip_port}>;auth_pass={self.password}"
            f";regint=60;audio_codecs=PCMU{answer}\n")
        (self.dir / "contacts").write_text("")

    def start(self) -> None:
        self.write_config()
        log = open(self.dir / "baresip.log", "ab")
        self.proc = subprocess.Popen(["baresip", "-f", str(self.dir)], stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.command("quit", timeout=2)
            except OSError:
                pass
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(3)
        self.proc = None

    def command(self, cmd: str, params: str = "", timeout: float = 1.0) -> dict:
        """A ctrl_tcp command (netstring-framed JSON); returns the first message back (or {} after
        ``timeout``: the command is carried out whether or not we read the answer)."""
        body = json.dumps({"command": cmd, "params": params, "token": "t"}).encode()
        with socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=timeout) as s:
            s.sendall(str(len(body)).encode() + b":" + body + b",")
            data = b""
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                data += chunk
                m = re.match(rb"(\d+):", data)
                if m and len(data) >= m.end() + int(m.group(1)) + 1:
                    payload = data[m.end():m.end() + int(m.group(1))]
                    return json.loads(payload)
        return {}

    async def dial(self, number: str) -> dict:
        """Dial (in a thread: the server under test runs in this event loop)."""
        return await asyncio.to_thread(self.command, "dial", f"sip:{number}@127.0.0.1:{self.asterisk.sip_port}")

    async def hangup(self) -> dict:
        return await asyncio.to_thread(self.command, "hangup")

    def log_text(self) -> str:
        p = self.dir / "baresip.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def recordings(self) -> list[Path]:
        return sorted(self.rec_dir.glob("*-dec.wav"), key=lambda p: p.stat().st_mtime)

    async def wait_registered(self, timeout: float = 15.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if "200 OK" in self.log_text() or "registered successfully" in self.log_text().lower():
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"baresip {self.ext} did not register:\n{self.log_text()[-2000:]}")


# ------------------------------------------------------------------------------------------------------
def tone_wav(path: Path, freq: float, seconds: float = 60.0, rate: int = 8000, amp: float = 0.3) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = int(rate * seconds)
    frames = b"".join(struct.pack("<h", int(amp * 32767 * math.sin(2 * math.pi * freq * i / rate)))
                      for i in range(n))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return path


def tone_level(path: Path, freq: float, skip: float = 0.0, last: float | None = None) -> float:
    """Share of the recording's energy at ``freq`` (Goertzel over 100 ms blocks; median of the blocks
    with sound), over the whole file after ``skip`` s or only its ``last`` seconds (the conversation:
    a caller's recording starts with the IVR and the music). ~1.0 for a pure tone, ~0 when absent."""
    with wave.open(str(path), "rb") as w:
        rate, ch, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        raw = w.readframes(w.getnframes())
    if width != 2:
        return 0.0
    samples = struct.unpack(f"<{len(raw) // 2}h", raw)[::ch]
    samples = samples[int(skip * rate):]
    if last is not None:
        samples = samples[-int(last * rate):]
    block = rate // 10
    k = 2 * math.cos(2 * math.pi * freq / rate)
    shares = []
    for i in range(0, len(samples) - block, block):
        x = samples[i:i + block]
        energy = sum(v * v for v in x)
        if energy < block * 100 ** 2:          # silence
            continue
        s1 = s2 = 0.0
        for v in x:
            s1, s2 = v + k * s1 - s2, s1
        power = s1 * s1 + s2 * s2 - k * s1 * s2
        shares.append(min(1.0, 2 * power / (block * energy)))
    if not shares:
        return 0.0
    shares.sort()
    return shares[len(shares) // 2]
