/**
 * Ordered header fields of a message, kept raw (unfolded, trimmed values) until someone
 * asks for a parsed form. Lookups are case-insensitive and accept compact forms
 * (RFC 3261 §7.3.1, §7.3.3).
 */
import { SipErrorCode, SipStackError } from '../errors.ts';
import { isToken, trimWsp } from '../grammar/charsets.ts';
import { splitList } from '../grammar/split-list.ts';
import { headerKey, isListHeader, resolveName, wireName } from './header-names.ts';

export interface HeaderField {
  /** Lower-cased full name ("call-id" for "i"). */
  readonly key: string;
  /** Spelling written on the wire ("Call-ID"). */
  readonly name: string;
  readonly value: string;
}

export class SipHeaders implements Iterable<HeaderField> {
  #fields: HeaderField[];
  #revision = 0;
  /** Key → revision of its last change; created on the first change (most never change). */
  #changed: Map<string, number> | undefined;

  constructor(fields: HeaderField[] = []) {
    this.#fields = fields;
  }

  /** Build a field from any spelling of a name. */
  static field(name: string, value: string): HeaderField {
    const [key, wire] = resolveName(name);
    return { key, name: wire, value };
  }

  /** Increases on every change. */
  get revision(): number {
    return this.#revision;
  }

  /**
   * Revision of the last change to the fields of one header (lower-cased full name), 0
   * when they were never changed; parsed-value caches compare against it, so changing one
   * header (the transport stamping Via) leaves the others' parsed forms in place.
   */
  revisionOf(key: string): number {
    return this.#changed?.get(key) ?? 0;
  }

  #touch(key: string): void {
    this.#revision++;
    this.#changed ??= new Map();
    this.#changed.set(key, this.#revision);
  }

  get size(): number {
    return this.#fields.length;
  }

  [Symbol.iterator](): Iterator<HeaderField> {
    return this.#fields[Symbol.iterator]();
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.#fields.some((f) => f.key === key);
  }

  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const f of this.#fields) if (f.key === key) n++;
    return n;
  }

  /** First value of the header, raw. */
  get(name: string): string | undefined {
    return this.firstOfKey(headerKey(name));
  }

  /** First value of the header with lower-cased full name `key` ("call-id"), raw. */
  firstOfKey(key: string): string | undefined {
    for (const f of this.#fields) if (f.key === key) return f.value;
    return undefined;
  }

  /** How many fields have the lower-cased full name `key`. */
  countOfKey(key: string): number {
    let n = 0;
    for (const f of this.#fields) if (f.key === key) n++;
    return n;
  }

  /** Every field value of the header, raw, in order. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const f of this.#fields) if (f.key === key) out.push(f.value);
    return out;
  }

  /**
   * Every element of a list header across all its fields, split at commas outside quotes
   * and angle brackets (RFC 3261 §7.3.1). Non-list headers are returned field by field.
   */
  values(name: string): string[] {
    const key = headerKey(name);
    const raw = this.getAll(key);
    if (!isListHeader(key)) return raw;
    const out: string[] = [];
    for (const v of raw) {
      // Most fields hold one element: without a comma there is nothing to split.
      if (!v.includes(',')) out.push(trimWsp(v));
      else out.push(...splitList(v, wireName(name, key)));
    }
    return out;
  }

  /** A field from API input: the name must be a token and the value one line (no CR/LF). */
  static checkedField(name: string, value: string): HeaderField {
    if (!isToken(name) || value.includes('\r') || value.includes('\n')) {
      throw new SipStackError(
        SipErrorCode.InvalidArgument,
        `invalid header field ${JSON.stringify(name)}`,
      );
    }
    return SipHeaders.field(name, value);
  }

  append(name: string, value: string): this {
    const f = SipHeaders.checkedField(name, value);
    this.#fields.push(f);
    this.#touch(f.key);
    return this;
  }

  /** Insert before the first field of the same name (or at the top); used for Via. */
  prepend(name: string, value: string): this {
    const f = SipHeaders.checkedField(name, value);
    const at = this.#fields.findIndex((x) => x.key === f.key);
    this.#fields.splice(Math.max(at, 0), 0, f);
    this.#touch(f.key);
    return this;
  }

  /** Replace every field of the name by one (appended where the first one was). */
  set(name: string, value: string): this {
    const f = SipHeaders.checkedField(name, value);
    const at = this.#fields.findIndex((x) => x.key === f.key);
    if (at < 0) {
      this.#fields.push(f);
    } else {
      this.#fields[at] = f;
      this.#fields = this.#fields.filter((x, i) => i <= at || x.key !== f.key);
    }
    this.#touch(f.key);
    return this;
  }

  /** Remove every field of the name; returns how many were removed. */
  remove(name: string): number {
    const key = headerKey(name);
    const before = this.#fields.length;
    this.#fields = this.#fields.filter((f) => f.key !== key);
    this.#touch(key);
    return before - this.#fields.length;
  }

  /** Remove the first element of a list header (the top Via when a response goes up). */
  removeFirstValue(name: string): void {
    const key = headerKey(name);
    const at = this.#fields.findIndex((x) => x.key === key);
    if (at < 0) return;
    const field = this.#fields[at]!;
    const rest = splitList(field.value, field.name).slice(1);
    if (rest.length === 0) this.#fields.splice(at, 1);
    else this.#fields[at] = { ...field, value: rest.join(', ') };
    this.#touch(key);
  }

  /**
   * Replace the first element of a list header (the top Via once the transport stamped
   * it, §18.2.1). A field holding only that element is replaced where it stands; one with
   * more elements is split as `removeFirstValue` + `prepend` would.
   */
  replaceFirstValue(name: string, value: string): void {
    const f = SipHeaders.checkedField(name, value);
    const at = this.#fields.findIndex((x) => x.key === f.key);
    const current = at < 0 ? undefined : this.#fields[at];
    if (
      current === undefined ||
      (current.value.includes(',') && splitList(current.value, current.name).length > 1)
    ) {
      this.removeFirstValue(name);
      this.prepend(name, value);
      return;
    }
    this.#fields[at] = f;
    this.#touch(f.key);
  }

  clone(): SipHeaders {
    return new SipHeaders([...this.#fields]);
  }

  /**
   * A copy whose values are copied too. Values parsed from the wire are slices of the
   * message text and keep all of it alive; a message kept for 64*T1 (a completed
   * transaction's response) holds only its own fields with this.
   */
  detached(): SipHeaders {
    const fields = this.#fields;
    const copy = new Array<HeaderField>(fields.length);
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      // Slicing a concatenation flattens it into new storage of its own.
      copy[i] = { key: f.key, name: f.name, value: `${f.value} `.slice(0, -1) };
    }
    return new SipHeaders(copy);
  }
}
