/**
 * A tiny authoritative DNS server for tests: one UDP socket on 127.0.0.1 answering A,
 * AAAA, SRV and NAPTR questions from an in-memory zone, encoded by hand per RFC 1035 §4
 * (header, question, answer RRs), RFC 2782 (SRV RDATA) and RFC 2915/3403 (NAPTR RDATA).
 * An unknown name gets NXDOMAIN, a known name without records of the asked type an empty
 * NOERROR (NODATA). Every question is logged so tests can assert which lookups happened.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';

export interface ZoneSrv {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export interface ZoneNaptr {
  order: number;
  preference: number;
  flags: string;
  service: string;
  regexp: string;
  replacement: string;
}

export interface ZoneEntry {
  a?: string[];
  aaaa?: string[];
  srv?: ZoneSrv[];
  naptr?: ZoneNaptr[];
}

const TYPE = { A: 1, AAAA: 28, SRV: 33, NAPTR: 35 } as const;
const TYPE_NAMES = new Map<number, string>(Object.entries(TYPE).map(([k, v]) => [v, k]));

function encodeName(name: string): Buffer {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l !== '');
  const parts = labels.map((l) => {
    const bytes = Buffer.from(l, 'ascii');
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function characterString(text: string): Buffer {
  const bytes = Buffer.from(text, 'ascii');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function u16(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  for (const [i, v] of values.entries()) b.writeUInt16BE(v, i * 2);
  return b;
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return u16(...groups.map((g) => Number.parseInt(g, 16)));
}

/** Read a (possibly compressed) name starting at `offset`; returns it and the end offset. */
function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let pos = offset;
  let end = -1;
  for (let guard = 0; guard < 128; guard++) {
    const len = msg[pos];
    if (len === undefined) throw new Error('truncated name');
    if (len === 0) {
      pos += 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (end < 0) end = pos + 2;
      pos = ((len & 0x3f) << 8) | (msg[pos + 1] ?? 0);
      continue;
    }
    labels.push(msg.subarray(pos + 1, pos + 1 + len).toString('ascii'));
    pos += 1 + len;
  }
  return { name: labels.join('.'), end: end < 0 ? pos : end };
}

export class TestDnsServer {
  readonly #socket: Socket;
  readonly zone = new Map<string, ZoneEntry>();
  /** "TYPE name" for every question received, in order. */
  readonly questions: string[] = [];
  /** Names whose questions are ignored (to simulate a dead server). */
  readonly silent = new Set<string>();

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (msg, rinfo) => this.#answer(msg, rinfo));
  }

  static start(): Promise<TestDnsServer> {
    const socket = createSocket('udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve(new TestDnsServer(socket));
      });
    });
  }

  /** "127.0.0.1:port", for Resolver.setServers. */
  get address(): string {
    return `127.0.0.1:${this.#socket.address().port}`;
  }

  set(name: string, entry: ZoneEntry): void {
    this.zone.set(name.toLowerCase().replace(/\.$/, ''), entry);
  }

  #answer(msg: Buffer, rinfo: RemoteInfo): void {
    if (msg.length < 12) return;
    const id = msg.readUInt16BE(0);
    const flags = msg.readUInt16BE(2);
    if ((flags & 0x8000) !== 0 || msg.readUInt16BE(4) !== 1) return; // responses, odd queries
    let question: { name: string; end: number };
    try {
      question = readName(msg, 12);
    } catch {
      return;
    }
    const qtype = msg.readUInt16BE(question.end);
    const name = question.name.toLowerCase();
    this.questions.push(`${TYPE_NAMES.get(qtype) ?? qtype} ${name}`);
    if (this.silent.has(name)) return;
    const entry = this.zone.get(name);
    const answers = entry === undefined ? [] : this.#records(entry, qtype);
    const header = Buffer.alloc(12);
    header.writeUInt16BE(id, 0);
    // QR=1, opcode 0, AA=1, RD copied; RCODE 3 (NXDOMAIN) for unknown names.
    header.writeUInt16BE(0x8400 | (flags & 0x0100) | (entry === undefined ? 3 : 0), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const questionBytes = msg.subarray(12, question.end + 4);
    const rrs = answers.map(({ type, rdata }) => {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt16BE(type, 0);
      fixed.writeUInt16BE(1, 2); // class IN
      fixed.writeUInt32BE(60, 4); // TTL
      fixed.writeUInt16BE(rdata.length, 8);
      return Buffer.concat([Buffer.from([0xc0, 0x0c]), fixed, rdata]); // name: pointer to the question
    });
    this.#socket.send(Buffer.concat([header, questionBytes, ...rrs]), rinfo.port, rinfo.address);
  }

  #records(entry: ZoneEntry, qtype: number): Array<{ type: number; rdata: Buffer }> {
    switch (qtype) {
      case TYPE.A:
        return (entry.a ?? []).map((a) => ({
          type: TYPE.A,
          rdata: Buffer.from(a.split('.').map(Number)),
        }));
      case TYPE.AAAA:
        return (entry.aaaa ?? [])
          .filter((a) => isIP(a) === 6)
          .map((a) => ({ type: TYPE.AAAA, rdata: ipv6Bytes(a) }));
      case TYPE.SRV:
        return (entry.srv ?? []).map((s) => ({
          type: TYPE.SRV,
          rdata: Buffer.concat([u16(s.priority, s.weight, s.port), encodeName(s.target)]),
        }));
      case TYPE.NAPTR:
        return (entry.naptr ?? []).map((n) => ({
          type: TYPE.NAPTR,
          rdata: Buffer.concat([
            u16(n.order, n.preference),
            characterString(n.flags),
            characterString(n.service),
            characterString(n.regexp),
            encodeName(n.replacement),
          ]),
        }));
      default:
        return [];
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}
