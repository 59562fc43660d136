"""SIPp callers for the live suite: a UAC that calls a DID on the private Asterisk, presses keys as SIP
INFO (``application/dtmf-relay``, as in the captures: SIPp's RFC 4733 was misread by Asterisk) and
hangs up after a while. No RTP is sent (the engine does not need the caller's audio for DTMF)."""
from __future__ import annotations

import asyncio
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .harness import free_udp_tcp_port

HEAD = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="callcenter live caller">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
"""

INFO = """  <pause milliseconds="{pause}"/>
  <send retrans="500">
    <![CDATA[
      INFO sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: {cseq} INFO
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal={digit}
      Duration=250
    ]]>
  </send>
  <recv response="200"/>
"""

TAIL = """  <pause milliseconds="{talk}"/>
  <send retrans="500">
    <![CDATA[
      BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: {cseq} BYE
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
"""


def scenario(digits: str = "", then: str = "", *, first_pause: float = 2.5, gap: float = 0.6,
             then_pause: float = 2.5, talk: float = 5.0) -> str:
    """INVITE, keys ``digits`` after ``first_pause`` s, keys ``then`` after ``then_pause`` s, BYE ``talk`` s later."""
    parts = [HEAD]
    cseq = 2
    for i, d in enumerate(digits):
        parts.append(INFO.format(pause=int((first_pause if i == 0 else gap) * 1000), cseq=cseq, digit=d))
        cseq += 1
    for i, d in enumerate(then):
        parts.append(INFO.format(pause=int((then_pause if i == 0 else gap) * 1000), cseq=cseq, digit=d))
        cseq += 1
    parts.append(TAIL.format(talk=int(talk * 1000), cseq=cseq))
    return "".join(parts)


@dataclass
class SippResult:
    returncode: int
    stdout: str


async def run_sipp(live, did: str, *, digits: str = "", then: str = "", talk: float = 5.0, count: int = 1,
                   rate: float = 1.0, limit: int = 50, timeout: float = 300.0, first_pause: float = 2.5,
                   then_pause: float = 2.5) -> SippResult:
    d: Path = live.tmp / "sipp"
    d.mkdir(exist_ok=True)
    xml = d / f"uac-{did}-{len(list(d.glob('*.xml')))}.xml"
    xml.write_text(scenario(digits, then, talk=talk, first_pause=first_pause, then_pause=then_pause))
    port = free_udp_tcp_port()
    media = free_udp_tcp_port(span=4)
    cmd = ["sipp", f"127.0.0.1:{live.ast.sip_port}", "-sf", str(xml), "-s", did, "-i", "127.0.0.1",
           "-p", str(port), "-mi", "127.0.0.1", "-mp", str(media), "-m", str(count), "-r", str(rate),
           "-l", str(limit), "-bg", "-nostdin", "-trace_err", "-timeout", f"{int(timeout)}s",
           "-timeout_error"]
    cmd.remove("-bg")
    proc = await asyncio.create_subprocess_exec(*cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=d)
    out, _ = await asyncio.wait_for(proc.communicate(), timeout + 30)
    return SippResult(proc.returncode or 0, out.decode(errors="replace"))
