// Shared WebRTC plumbing of the web caller (call.js) and the browser phone (phone.js).
// One offer with every ICE candidate in it (the server answers the same way); no STUN server:
// host candidates only, as the server does unless webrtc.ice_servers is configured.

export async function waitIceComplete(pc, timeoutMs = 3000) {
  if (pc.iceGatheringState === "complete") return;
  await new Promise((resolve) => {
    const done = () => { pc.removeEventListener("icegatheringstatechange", check); resolve(); };
    const check = () => { if (pc.iceGatheringState === "complete") done(); };
    pc.addEventListener("icegatheringstatechange", check);
    setTimeout(done, timeoutMs);
  });
}

// Open a session: microphone, peer connection, "control" data channel, offer -> POST url -> answer.
// Returns {pc, channel, stream, answer, audio}. `onMessage(msg)` gets the server's JSON messages.
export async function openSession({ url, token, extra = {}, onMessage, onClose, audioElement }) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  const pc = new RTCPeerConnection({ iceServers: [] });
  for (const track of stream.getAudioTracks()) pc.addTrack(track, stream);
  const channel = pc.createDataChannel("control");
  channel.onmessage = (ev) => {
    let msg;
    try { msg = JSON.parse(ev.data); } catch (e) { return; }
    if (onMessage) onMessage(msg);
  };
  let closed = false;
  const closeOnce = (why) => { if (!closed) { closed = true; if (onClose) onClose(why); } };
  channel.onclose = () => closeOnce("channel closed");
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === "failed" || pc.connectionState === "closed") closeOnce(pc.connectionState);
  };
  const audio = audioElement || new Audio();
  audio.autoplay = true;
  pc.ontrack = (ev) => { audio.srcObject = ev.streams[0] || new MediaStream([ev.track]); audio.play().catch(() => {}); };
  // A session that never opened ends by its error alone: closing its peer connection must not also report
  // "channel closed" through onClose (the channel's close event came after the 503 and turned the caller
  // page's "busy" into "ended").
  const abandon = () => { closed = true; pc.close(); stream.getTracks().forEach((t) => t.stop()); };
  let resp, answer;
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await waitIceComplete(pc);
    const headers = { "Content-Type": "application/json" };
    if (token) headers["Authorization"] = "Bearer " + token;
    resp = await fetch(url, { method: "POST", headers,
      body: JSON.stringify({ type: "offer", sdp: pc.localDescription.sdp, ...extra }) });
    answer = await resp.json().catch(() => ({ error: "bad answer from the server" }));
  } catch (e) { abandon(); throw e; }
  if (!resp.ok) {
    abandon();
    const err = new Error(answer.error || ("HTTP " + resp.status));
    err.busy = resp.status === 503 && !!answer.busy;      // the server is overloaded: try later
    err.retryAfter = answer.retry_after;
    throw err;
  }
  try { await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp }); } catch (e) { abandon(); throw e; }
  const send = (msg) => { if (channel.readyState === "open") channel.send(JSON.stringify(msg)); };
  const close = () => {
    send({ type: "hangup" });
    setTimeout(() => { pc.close(); stream.getTracks().forEach((t) => t.stop()); closeOnce("hung up"); }, 100);
  };
  return { pc, channel, stream, answer, audio, send, close };
}
