/**
 * The DTLS certificate of a media worker: one self-signed ECDSA P-256 certificate made
 * at first use (werift's generator) and shared by all its WebRTC legs. Browsers pin it
 * through the SDP a=fingerprint (RFC 8122 §5), so no CA is involved.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { CipherContext, HashAlgorithm, NamedCurveAlgorithm, SignatureAlgorithm } from 'werift';
import type { DtlsFingerprint } from './webrtc-sdp.ts';

export interface DtlsCertificate {
  certPem: string;
  keyPem: string;
  signatureHash: { hash: number; signature: number };
  fingerprint: DtlsFingerprint;
}

let shared: Promise<DtlsCertificate> | undefined;

export function dtlsCertificate(): Promise<DtlsCertificate> {
  shared ??= (async () => {
    const { certPem, keyPem, signatureHash } =
      await CipherContext.createSelfSignedCertificateWithKey(
        { signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 },
        NamedCurveAlgorithm.secp256r1_23,
      );
    const value = new X509Certificate(certPem).fingerprint256;
    return { certPem, keyPem, signatureHash, fingerprint: { algorithm: 'sha-256', value } };
  })();
  return shared;
}

/** Node's hash name for an SDP fingerprint algorithm (RFC 8122 §5: "sha-256" etc.). */
const HASHES: Record<string, string> = {
  'sha-1': 'sha1',
  'sha-224': 'sha224',
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
};

/** Does the peer's DER certificate match one of the fingerprints it signalled? */
export function certificateMatches(der: Uint8Array, fingerprints: DtlsFingerprint[]): boolean {
  for (const f of fingerprints) {
    const name = HASHES[f.algorithm];
    if (name === undefined) continue;
    const hex = createHash(name).update(der).digest('hex').toUpperCase();
    const formatted = hex.match(/../g)!.join(':');
    if (formatted === f.value.toUpperCase()) return true;
  }
  return false;
}
