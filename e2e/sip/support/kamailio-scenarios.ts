/**
 * SIPp scenarios for calls through a record-routing proxy. SIPp's built-in `uac` sends its
 * ACK and BYE to the Request-URI of the INVITE without Route headers and its built-in
 * `uas` does not echo Record-Route, so neither follows a proxy's route set (RFC 3261
 * §12.1.1, §12.2.1.1). These do:
 *
 *   uacRecordRoute  INVITE → (100) (180) 200 with Record-Route (checked) → ACK and BYE to
 *                   the 2xx Contact ([next_url]) carrying the route set ([routes]).
 *   uasRecordRoute  INVITE → 180, 200 echoing Record-Route → ACK → BYE, which must carry
 *                   the Via of the proxy on `viaPort` when one is given (checked; the
 *                   ACK is then required too, else optional as in the built-in `uas`).
 *
 * SIPp always sends to its remote address (the proxy), so an ACK/BYE that reaches the far
 * side went through the proxy's loose routing.
 */
import { writeFileSync } from 'node:fs';

export function uacRecordRoute(options: { checkRecordRoute: boolean }): string {
  const check = options.checkRecordRoute
    ? `
    <action>
      <ereg regexp=";lr" search_in="hdr" header="Record-Route:" check_it="true" assign_to="rr"/>
      <log message="record-route [$rr]"/>
    </action>`
    : '';
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="UAC following Record-Route">
  <send retrans="500">
    <![CDATA[

      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: [service] <sip:[service]@[remote_ip]:[remote_port]>
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
  <recv response="200" rtd="true" rrs="true">${check}
  </recv>
  <send>
    <![CDATA[

      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause/>
  <send retrans="500">
    <![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
`;
}

export function uasRecordRoute(options: { viaPort?: number }): string {
  const check =
    options.viaPort === undefined
      ? ''
      : `
    <action>
      <ereg regexp="Via: SIP/2.0/UDP 127.0.0.1:${options.viaPort};" search_in="msg" check_it="true" assign_to="via"/>
      <log message="proxy via [$via]"/>
    </action>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="UAS echoing Record-Route">
  <recv request="INVITE" crlf="true"/>
  <send>
    <![CDATA[

      SIP/2.0 180 Ringing
      [last_Via:]
      [last_Record-Route:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <send retrans="500">
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_Record-Route:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
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
  <recv request="ACK" optional="${options.viaPort === undefined}" rtd="true" crlf="true"/>
  <recv request="BYE">${check}
  </recv>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <timewait milliseconds="4000"/>
</scenario>
`;
}

/** Write a scenario to `path` and return the path (for SIPp's -sf). */
export function writeScenario(path: string, xml: string): string {
  writeFileSync(path, xml);
  return path;
}
