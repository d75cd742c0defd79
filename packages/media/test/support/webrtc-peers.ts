/**
 * Test peers for the WebRTC leg: a browser-like offer that nobody will ever complete
 * (ICE credentials and a fingerprint that match no certificate), and a werift
 * RTCPeerConnection offering PCMU on loopback only.
 */
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpTransceiver,
} from 'werift';

/** A browser's offer (PCMU, rtcp-mux, actpass) with ICE ufrag `ufrag`. */
export function unreachableBrowserOffer(ufrag: string): string {
  return [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 0',
    'c=IN IP4 0.0.0.0',
    `a=ice-ufrag:${ufrag}`,
    'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    'a=fingerprint:sha-256 AA:BB',
    'a=setup:actpass',
    'a=mid:0',
    'a=sendrecv',
    'a=rtcp-mux',
    'a=rtpmap:0 PCMU/8000',
    '',
  ].join('\r\n');
}

/** A werift peer with one sendrecv PCMU transceiver; the caller closes `pc`. */
export function weriftPcmuPeer(): {
  pc: RTCPeerConnection;
  track: MediaStreamTrack;
  transceiver: RTCRtpTransceiver;
} {
  const pc = new RTCPeerConnection({
    codecs: {
      audio: [
        new RTCRtpCodecParameters({
          mimeType: 'audio/PCMU',
          clockRate: 8000,
          channels: 1,
          payloadType: 0,
        }),
      ],
    },
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' }, // loopback only
  });
  const track = new MediaStreamTrack({ kind: 'audio' });
  const transceiver = pc.addTransceiver(track, { direction: 'sendrecv' });
  return { pc, track, transceiver };
}
