/**
 * The page of the WebRTC e2e test: microphone (Chromium's fake capture, a WAV file)
 * → RTCPeerConnection → POST /offer → answer. It measures what it hears on the remote
 * track with a WebAudio AnalyserNode and exposes getStats() for the test.
 */
export const WEBRTC_CALL_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Uketsuke WebRTC test</title></head>
<body><audio id="remote" autoplay></audio><pre id="log"></pre>
<script type="module">
const log = (s) => { document.getElementById('log').textContent += s + '\\n'; };
window.callState = { energy: 0, peak: 0, samples: 0, error: undefined };
async function start() {
  const pc = new RTCPeerConnection();
  window.pc = pc;
  // No echo cancellation, noise suppression or gain control: the fake microphone's
  // speech must reach the leg as recorded (with them on, Chromium's echo canceller
  // attenuated it by up to 14× while SIPp's audio played, and the test's RMS check flaked).
  const mic = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  for (const t of mic.getTracks()) pc.addTrack(t, mic);
  pc.ontrack = (e) => {
    const stream = e.streams[0] ?? new MediaStream([e.track]);
    // Chromium only feeds a remote WebRTC track to WebAudio while a media element plays it.
    document.getElementById('remote').srcObject = stream;
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 2048;
    ctx.createMediaStreamSource(stream).connect(analyser);
    const buf = new Float32Array(analyser.fftSize);
    setInterval(() => {
      analyser.getFloatTimeDomainData(buf);
      let sum = 0, peak = 0;
      for (const x of buf) { sum += x * x; peak = Math.max(peak, Math.abs(x)); }
      window.callState.energy += sum / buf.length;
      window.callState.peak = Math.max(window.callState.peak, peak);
      window.callState.samples++;
    }, 50);
  };
  pc.onconnectionstatechange = () => log('connection ' + pc.connectionState);
  await pc.setLocalDescription(await pc.createOffer());
  const res = await fetch('/offer', { method: 'POST', body: pc.localDescription.sdp });
  if (!res.ok) throw new Error('offer refused: ' + res.status + ' ' + (await res.text()));
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
}
window.rtpStats = async () => {
  const out = {};
  (await window.pc.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp' || s.type === 'outbound-rtp') out[s.type] = s;
    if (s.type === 'codec' && s.mimeType) out['codec:' + s.id] = s.mimeType;
  });
  return out;
};
start().catch((e) => { window.callState.error = String(e); log(String(e)); });
</script></body></html>
`;
