/**
 * Minimal bencode for rtpengine's ng control protocol (a cookie, a space, then one
 * bencoded dictionary, over UDP). Strings are byte strings; we use UTF-8 JS strings.
 */
export type BValue = string | number | BValue[] | { [key: string]: BValue };

export function bencode(value: BValue): Buffer {
  if (typeof value === 'number') return Buffer.from(`i${Math.trunc(value)}e`);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([Buffer.from(`${bytes.length}:`), bytes]);
  }
  if (Array.isArray(value)) {
    return Buffer.concat([Buffer.from('l'), ...value.map(bencode), Buffer.from('e')]);
  }
  const keys = Object.keys(value).sort();
  const parts = keys.flatMap((k) => [bencode(k), bencode(value[k]!)]);
  return Buffer.concat([Buffer.from('d'), ...parts, Buffer.from('e')]);
}

export function bdecode(bytes: Buffer): BValue {
  let at = 0;
  const parse = (): BValue => {
    const c = String.fromCharCode(bytes[at]!);
    if (c === 'i') {
      const end = bytes.indexOf(0x65, at);
      const n = Number(bytes.subarray(at + 1, end).toString());
      at = end + 1;
      return n;
    }
    if (c === 'l') {
      at++;
      const list: BValue[] = [];
      while (bytes[at] !== 0x65) list.push(parse());
      at++;
      return list;
    }
    if (c === 'd') {
      at++;
      const dict: { [key: string]: BValue } = {};
      while (bytes[at] !== 0x65) {
        const key = parse() as string;
        dict[key] = parse();
      }
      at++;
      return dict;
    }
    const colon = bytes.indexOf(0x3a, at);
    const length = Number(bytes.subarray(at, colon).toString());
    const s = bytes.subarray(colon + 1, colon + 1 + length).toString('utf8');
    at = colon + 1 + length;
    return s;
  };
  return parse();
}
