/**
 * The slice of STUN (RFC 5389) an ICE-lite agent needs: parse a Binding request, check
 * its FINGERPRINT (§15.5) and MESSAGE-INTEGRITY (§15.4, short-term credentials), and
 * build the success or error response.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { crc32 } from 'node:zlib';

export const STUN_MAGIC_COOKIE = 0x2112a442;
const HEADER = 20;
const FINGERPRINT_XOR = 0x5354554e;

export const StunType = {
  bindingRequest: 0x0001,
  bindingSuccess: 0x0101,
  bindingError: 0x0111,
  bindingIndication: 0x0011,
} as const;

export const StunAttr = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  xorMappedAddress: 0x0020,
  priority: 0x0024,
  useCandidate: 0x0025,
  fingerprint: 0x8028,
  iceControlled: 0x8029,
  iceControlling: 0x802a,
} as const;

export interface StunMessage {
  type: number;
  transactionId: Buffer;
  /** Attribute type → value (the first of each type). */
  attributes: Map<number, Buffer>;
  /** Offset of MESSAGE-INTEGRITY's header, if present. */
  integrityOffset: number | undefined;
  /** Offset of FINGERPRINT's header, if present. */
  fingerprintOffset: number | undefined;
  raw: Buffer;
}

/** RFC 7983 §7: first byte 0–3 is STUN. Also checks the magic cookie and length. */
export function looksLikeStun(b: Uint8Array, length = b.length): boolean {
  return (
    length >= HEADER &&
    b[0]! < 4 &&
    ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0 === STUN_MAGIC_COOKIE
  );
}

/** Parse a STUN message; undefined when malformed (RFC 5389 §7.3: silently discarded). */
export function parseStun(raw: Buffer): StunMessage | undefined {
  if (!looksLikeStun(raw)) return undefined;
  const length = raw.readUInt16BE(2);
  if (length % 4 !== 0 || HEADER + length !== raw.length) return undefined;
  const attributes = new Map<number, Buffer>();
  let integrityOffset: number | undefined;
  let fingerprintOffset: number | undefined;
  let o = HEADER;
  while (o + 4 <= raw.length) {
    const type = raw.readUInt16BE(o);
    const len = raw.readUInt16BE(o + 2);
    if (o + 4 + len > raw.length) return undefined;
    if (fingerprintOffset !== undefined) return undefined; // FINGERPRINT must be last
    if (type === StunAttr.messageIntegrity) integrityOffset = o;
    else if (type === StunAttr.fingerprint) fingerprintOffset = o;
    // §15.4: attributes after MESSAGE-INTEGRITY (other than FINGERPRINT) are ignored.
    if (
      (integrityOffset === undefined ||
        type === StunAttr.messageIntegrity ||
        type === StunAttr.fingerprint) &&
      !attributes.has(type)
    ) {
      attributes.set(type, raw.subarray(o + 4, o + 4 + len));
    }
    o += 4 + len + ((4 - (len % 4)) % 4);
  }
  if (o !== raw.length) return undefined;
  return {
    type: raw.readUInt16BE(0),
    transactionId: raw.subarray(8, 20),
    attributes,
    integrityOffset,
    fingerprintOffset,
    raw,
  };
}

/** §15.5: CRC-32 of the message up to FINGERPRINT, XOR 0x5354554e. */
export function fingerprintValid(m: StunMessage): boolean {
  const at = m.fingerprintOffset;
  if (at === undefined) return false;
  const value = m.attributes.get(StunAttr.fingerprint);
  if (value === undefined || value.length !== 4) return false;
  return (crc32(m.raw.subarray(0, at)) ^ FINGERPRINT_XOR) >>> 0 === value.readUInt32BE(0);
}

/**
 * §15.4: HMAC-SHA1 keyed with the password (short-term credentials, the ICE password)
 * over the message up to MESSAGE-INTEGRITY, with the header length covering it.
 */
export function integrityValid(m: StunMessage, password: string): boolean {
  const at = m.integrityOffset;
  const value = m.attributes.get(StunAttr.messageIntegrity);
  if (at === undefined || value === undefined || value.length !== 20) return false;
  const copy = Buffer.from(m.raw.subarray(0, at));
  copy.writeUInt16BE(at + 24 - HEADER, 2);
  const mac = createHmac('sha1', password).update(copy).digest();
  return timingSafeEqual(mac, value);
}

/** Builds a response with MESSAGE-INTEGRITY and FINGERPRINT appended. */
export class StunResponseBuilder {
  private readonly parts: Buffer[] = [];
  private readonly type: number;
  private readonly transactionId: Buffer;

  constructor(type: number, transactionId: Buffer) {
    this.type = type;
    this.transactionId = transactionId;
  }

  attribute(type: number, value: Buffer): this {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(type, 0);
    head.writeUInt16BE(value.length, 2);
    this.parts.push(head, value, Buffer.alloc((4 - (value.length % 4)) % 4));
    return this;
  }

  /** XOR-MAPPED-ADDRESS (§15.2): where the request came from. */
  xorMappedAddress(address: string, port: number): this {
    const v4 = isIPv4(address);
    const value = Buffer.alloc(v4 ? 8 : 20);
    value[1] = v4 ? 0x01 : 0x02;
    value.writeUInt16BE(port ^ (STUN_MAGIC_COOKIE >>> 16), 2);
    const bytes = v4 ? Buffer.from(address.split('.').map(Number)) : ipv6Bytes(address);
    const mask = Buffer.concat([Buffer.from([0x21, 0x12, 0xa4, 0x42]), this.transactionId]);
    for (let i = 0; i < bytes.length; i++) value[4 + i] = bytes[i]! ^ mask[i]!;
    return this.attribute(StunAttr.xorMappedAddress, value);
  }

  /** ERROR-CODE (§15.6). */
  errorCode(code: number, reason: string): this {
    const text = Buffer.from(reason, 'utf8');
    const value = Buffer.alloc(4 + text.length);
    value[2] = Math.floor(code / 100);
    value[3] = code % 100;
    text.copy(value, 4);
    return this.attribute(StunAttr.errorCode, value);
  }

  /** Serialize, with MESSAGE-INTEGRITY when `password` is given, and FINGERPRINT. */
  build(password: string | undefined): Buffer {
    const header = Buffer.alloc(HEADER);
    header.writeUInt16BE(this.type, 0);
    header.writeUInt32BE(STUN_MAGIC_COOKIE, 4);
    this.transactionId.copy(header, 8);
    let body = Buffer.concat(this.parts);
    if (password !== undefined) {
      header.writeUInt16BE(body.length + 24, 2);
      const mac = createHmac('sha1', password).update(header).update(body).digest();
      const head = Buffer.from([0x00, 0x08, 0x00, 0x14]);
      body = Buffer.concat([body, head, mac]);
    }
    header.writeUInt16BE(body.length + 8, 2);
    const crc = (crc32(Buffer.concat([header, body])) ^ FINGERPRINT_XOR) >>> 0;
    const fp = Buffer.alloc(8);
    fp.writeUInt16BE(StunAttr.fingerprint, 0);
    fp.writeUInt16BE(4, 2);
    fp.writeUInt32BE(crc, 4);
    return Buffer.concat([header, body, fp]);
  }
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
    : h;
  const out = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) out.writeUInt16BE(Number.parseInt(groups[i] ?? '0', 16) || 0, i * 2);
  return out;
}
