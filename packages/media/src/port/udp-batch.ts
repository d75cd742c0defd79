/**
 * Batch UDP sends through the optional native addon (native/udp-batch.c): a media
 * worker's sub-tick sends one RTP packet on each of hundreds of sockets (one per stream,
 * symmetric RTP), and node:dgram costs a JS → C++ → libuv round trip per packet. Here
 * each stream registers its socket's fd and destination once ({@link UdpBatch.register}),
 * senders copy their packets into one shared buffer while the batch is open
 * ({@link UdpBatch.begin}), and {@link UdpBatch.flush} hands the whole list to one native
 * call that loops over sendto(2) with MSG_DONTWAIT.
 *
 * Without the addon (not built, non-Linux, or `UKETSUKE_MEDIA_NATIVE=0`) {@link loadUdpBatch}
 * returns undefined once, with a single warning, and RtpSender keeps using node:dgram.
 *
 * A failed datagram (EAGAIN on a full socket buffer, an ICMP error pending on the socket)
 * is dropped and counted on its owner: RTP is lossy, and the clock loop must never throw.
 */
import type { Socket } from 'node:dgram';
import { createRequire } from 'node:module';

interface UdpBatchAddon {
  setDestination(
    table: Uint8Array,
    slot: number,
    fd: number,
    address: string,
    port: number,
  ): number;
  clearDestination(table: Uint8Array, slot: number): number;
  send(
    table: Uint8Array,
    packets: Uint8Array,
    batch: Int32Array,
    count: number,
    failures: Int32Array,
  ): number;
  readonly entrySize: number;
}

/** Who a registered slot sends for: told about datagrams the kernel refused. */
export interface UdpBatchOwner {
  onSendFailed(errno: number): void;
}

const ADDON_PATH = '../../native/build/udp-batch.node';
let addon: UdpBatchAddon | null | undefined;
let fallbackReason: string | undefined;

/** The addon, or undefined (reason in {@link udpBatchUnavailableReason}); loaded once. */
export function loadUdpBatch(): UdpBatchAddon | undefined {
  if (addon !== undefined) return addon ?? undefined;
  addon = null;
  if (process.env.UKETSUKE_MEDIA_NATIVE === '0') {
    fallbackReason = 'disabled by UKETSUKE_MEDIA_NATIVE=0';
    return undefined;
  }
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as UdpBatchAddon;
    return addon;
  } catch (error) {
    fallbackReason = `native/build/udp-batch.node not loaded (${(error as Error).message.split('\n')[0]}); run node scripts/build-native.ts`;
    process.emitWarning(`media: sending RTP with node:dgram: ${fallbackReason}`, {
      code: 'UKETSUKE_MEDIA_NO_NATIVE',
    });
    return undefined;
  }
}

/** Why {@link loadUdpBatch} returned undefined (undefined while the addon is loaded). */
export function udpBatchUnavailableReason(): string | undefined {
  loadUdpBatch();
  return fallbackReason;
}

let stateSymbol: symbol | undefined;

/**
 * The OS file descriptor of a bound dgram socket, or -1. `socket._handle` is deprecated
 * (DEP0112, printed once), so we read the same handle from the socket's internal state
 * (lib/dgram.js keeps it under a symbol described 'state symbol'); `fd` on the UDP
 * handle is the libuv socket's descriptor. Anything unexpected means "not batchable".
 */
export function udpSocketFd(socket: Socket): number {
  if (stateSymbol === undefined) {
    stateSymbol = Object.getOwnPropertySymbols(socket).find(
      (s) => s.description === 'state symbol',
    );
    if (stateSymbol === undefined) return -1;
  }
  const state = (socket as unknown as Record<symbol, { handle?: { fd?: unknown } } | undefined>)[
    stateSymbol
  ];
  const fd = state?.handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

/** Buffer#copy works on any Uint8Array: a native copy without a subarray per packet. */
const copyBytes = Buffer.prototype.copy;

const INITIAL_SLOTS = 64;
const INITIAL_PACKET_BYTES = 64 * 1024;
const INITIAL_ENTRIES = 256;
/** Packets start 8-byte aligned in the shared buffer. */
const ALIGN = 8;

export interface UdpBatchStats {
  /** Datagrams handed to the kernel by flush(). */
  sent: number;
  /** Datagrams the kernel refused (dropped). */
  failed: number;
  /** flush() calls that sent something. */
  flushes: number;
}

/** The streams of one worker (one clock): destination table plus the open batch. */
export class UdpBatch {
  private readonly native: UdpBatchAddon;
  private table: Uint8Array;
  private owners: (UdpBatchOwner | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private nextFresh = 0;
  private packets: Uint8Array;
  private used = 0;
  private entries: Int32Array;
  private entryOwners: (UdpBatchOwner | undefined)[] = [];
  private count = 0;
  private readonly failures = new Int32Array(64);
  /** True between begin() and flush(): senders add packets instead of sending. */
  collecting = false;
  readonly stats: UdpBatchStats = { sent: 0, failed: 0, flushes: 0 };

  constructor(native: UdpBatchAddon) {
    this.native = native;
    this.table = new Uint8Array(native.entrySize * INITIAL_SLOTS).fill(0xff); // fd -1: unused
    this.packets = new Uint8Array(INITIAL_PACKET_BYTES);
    this.entries = new Int32Array(3 * INITIAL_ENTRIES);
  }

  /** A batch over the addon, or undefined when the addon is not available. */
  static create(): UdpBatch | undefined {
    const native = loadUdpBatch();
    return native ? new UdpBatch(native) : undefined;
  }

  /**
   * Register a socket and its destination; returns the slot, or -1 when this socket or
   * address cannot be sent natively (no fd, host name, family mismatch): use dgram then.
   */
  register(socket: Socket, address: string, port: number, owner: UdpBatchOwner): number {
    const fd = udpSocketFd(socket);
    if (fd < 0) return -1;
    const slot = this.freeSlots.pop() ?? this.nextFresh++;
    if ((slot + 1) * this.native.entrySize > this.table.length) this.growTable();
    this.owners[slot] = owner;
    if (this.native.setDestination(this.table, slot, fd, address, port) !== 0) {
      this.release(slot);
      return -1;
    }
    return slot;
  }

  /**
   * New destination for a slot (latching, re-INVITE). False when the new address cannot
   * be sent natively: the slot is released and the caller falls back to dgram.
   */
  update(slot: number, socket: Socket, address: string, port: number): boolean {
    const fd = udpSocketFd(socket);
    if (fd >= 0 && this.native.setDestination(this.table, slot, fd, address, port) === 0) {
      return true;
    }
    this.release(slot);
    return false;
  }

  /** Forget a slot. Must happen before its socket closes (the fd could be reused). */
  release(slot: number): void {
    if (slot < 0 || this.owners[slot] === undefined) return;
    this.native.clearDestination(this.table, slot);
    this.owners[slot] = undefined;
    // A packet of this slot still in the open batch would go nowhere: drop it.
    for (let i = 0; i < this.count; i++) if (this.entries[3 * i] === slot) this.entries[3 * i] = -1;
    this.freeSlots.push(slot);
  }

  /** Open the batch: until flush(), registered senders add() instead of sending. */
  begin(): void {
    this.collecting = true;
  }

  /**
   * For sends outside a clock tick (a bridged call relaying packets as they arrive): open
   * the batch if needed and flush it in this event-loop turn's check phase
   * (setImmediate), so every packet relayed while the poll phase handed us datagrams
   * leaves in one native call, microseconds later. A tick's own flush() may come first.
   */
  collectUntilCheckPhase(): void {
    if (!this.collecting) this.collecting = true;
    if (!this.immediatePending) {
      this.immediatePending = true;
      setImmediate(this.flushFromCheckPhase);
    }
  }

  private immediatePending = false;

  private readonly flushFromCheckPhase = (): void => {
    this.immediatePending = false;
    this.flush();
  };

  /**
   * Room for a datagram of up to `maxLength` bytes: returns its offset in {@link packets}
   * (read `packets` after this call: it may have grown). Write it there, then
   * {@link commit}. Saves the copy of {@link add} for senders that build packets in place.
   */
  reserve(maxLength: number): number {
    if (this.used + maxLength > this.packets.length) this.growPackets(this.used + maxLength);
    return this.used;
  }

  /** The shared packet buffer (for {@link reserve}). */
  get buffer(): Uint8Array {
    return this.packets;
  }

  /** Queue the datagram written at `at` (from {@link reserve}) for `slot`. */
  commit(slot: number, at: number, length: number): void {
    this.used = (at + length + ALIGN - 1) & ~(ALIGN - 1);
    const n = this.count;
    if (3 * (n + 1) > this.entries.length) this.growEntries();
    const e = this.entries;
    e[3 * n] = slot;
    e[3 * n + 1] = at;
    e[3 * n + 2] = length;
    this.entryOwners[n] = this.owners[slot];
    this.count = n + 1;
  }

  /** Copy one datagram (`length` bytes of `data`) into the batch for `slot`. */
  add(slot: number, data: Uint8Array, length: number): void {
    const at = this.reserve(length);
    copyBytes.call(data, this.packets, at, 0, length); // native memcpy, no subarray
    this.commit(slot, at, length);
  }

  /** Send everything added since begin() in one native call and close the batch. */
  flush(): void {
    this.collecting = false;
    const n = this.count;
    if (n === 0) return;
    const failed = this.native.send(this.table, this.packets, this.entries, n, this.failures);
    this.stats.flushes++;
    this.stats.sent += n - failed;
    if (failed > 0) {
      let refused = failed;
      const reported = Math.min(failed, this.failures.length >> 1);
      for (let k = 0; k < reported; k++) {
        const index = this.failures[2 * k]!;
        if (this.entries[3 * index]! < 0) {
          refused--; // released mid-batch (see release): dropped on purpose, nobody to tell
        } else {
          this.entryOwners[index]?.onSendFailed(this.failures[2 * k + 1]!);
        }
      }
      this.stats.failed += refused;
    }
    this.entryOwners.fill(undefined, 0, n);
    this.count = 0;
    this.used = 0;
  }

  /** Packets waiting in the open batch (for tests). */
  get pending(): number {
    return this.count;
  }

  private growTable(): void {
    const next = new Uint8Array(this.table.length * 2);
    next.set(this.table);
    next.fill(0xff, this.table.length); // fd -1 in every new entry
    this.table = next;
  }

  private growPackets(needed: number): void {
    let size = this.packets.length * 2;
    while (size < needed) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.packets.subarray(0, this.used));
    this.packets = next;
  }

  private growEntries(): void {
    const next = new Int32Array(this.entries.length * 2);
    next.set(this.entries);
    this.entries = next;
  }
}
