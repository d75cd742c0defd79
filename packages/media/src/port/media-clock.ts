/**
 * One 20 ms clock for every call in the process (DESIGN.md: never a timer per call).
 *
 * Ticks are scheduled against absolute deadlines (start + n·20 ms), so timer lateness
 * does not accumulate as drift. When the event loop stalls, the clock runs the missed
 * ticks back to back, at most `maxCatchUpTicks`; older ones are skipped and counted (a
 * burst of late RTP is better than a permanently delayed stream). Skipped frames are
 * still announced (`onSkippedFrames`): what must keep time without sending — the jitter
 * buffers and recorders — replays them, so a stall neither loses nor delays a recording.
 *
 * With `phases` > 1 each 20 ms frame is delivered in that many sub-ticks, `frameMs /
 * phases` apart (listener gets the phase number): a worker sends a quarter of its streams
 * in each, instead of all of them in one burst, so the last stream of a tick is not N
 * sends behind the first and the event loop can read packets in between.
 *
 * The timer runs only while there are listeners.
 */
import { FRAME_MS } from './media-port.ts';
import {
  type ReusableTimer,
  realTimerScheduler,
  type TimerHandle,
  type TimerScheduler,
} from './timer-scheduler.ts';

/** How early (ms) a precisely slept sub-tick may run: futex wake-ups can be µs early. */
const EARLY_WAKE_SLACK_MS = 0.05;

export type MediaClockListener = (tick: number, phase: number) => void;

export interface MediaClockOptions {
  scheduler?: TimerScheduler;
  frameMs?: number;
  maxCatchUpTicks?: number;
  /** Sub-ticks per frame (default 1); phase 0 starts each frame. */
  phases?: number;
  /**
   * Wake this many ms before each deadline and sleep the rest precisely
   * (`TimerScheduler.sleepPrecisely`; default 0 = off). Event-loop timers fire on a 1 ms
   * grid, late by up to ~1 ms at random: that is send jitter. Waking early and blocking
   * for the remainder (at most this long, the thread sleeps, no CPU) hits the deadline
   * within the futex's precision; incoming packets wait that long at most.
   */
  earlyWakeMs?: number;
  /**
   * With `earlyWakeMs`: whether the sub-tick of `phase` needs the precise wake-up (default:
   * always). A worker answers no for a sub-tick that sends nothing from the clock (only
   * bridged legs, whose packets are relayed as they arrive): that sub-tick's timer is set
   * for the deadline itself and nothing is slept, so the event loop is not blocked for
   * timing nobody needs.
   */
  precisionWanted?: (phase: number) => boolean;
  /**
   * A throwing listener is reported here and does not stop the others (default:
   * `process.emitWarning`, so one broken call cannot take the process down).
   */
  onListenerError?: (error: unknown) => void;
  /**
   * Told how many whole frames a stall skipped, before the ticks that are still delivered
   * (the skipped frames come first in time).
   */
  onSkippedFrames?: (frames: number) => void;
}

export class MediaClock {
  private readonly scheduler: TimerScheduler;
  readonly frameMs: number;
  readonly phases: number;
  private readonly periodMs: number;
  private readonly maxCatchUpTicks: number;
  private readonly earlyWakeMs: number;
  private readonly precisionWanted: ((phase: number) => boolean) | undefined;
  /** The pending wake-up was set {@link earlyWakeMs} early: sleep the rest when it fires. */
  private wakingEarly = false;
  private readonly onListenerError: (error: unknown) => void;
  private readonly onSkippedFrames: ((frames: number) => void) | undefined;
  private readonly listeners = new Set<MediaClockListener>();
  /** {@link listeners} as an array, replaced on change: iterated without an iterator. */
  private listenerList: MediaClockListener[] = [];
  private timer: TimerHandle | undefined;
  /** The scheduler's re-armable timer, when it has one (no timer object per wake-up). */
  private readonly reusable: ReusableTimer | undefined;
  /** A wake-up is pending (through {@link timer} or {@link reusable}). */
  private armed = false;
  private startedAt = 0;
  /** Sub-ticks delivered (or skipped) since the clock (re)started. */
  private ticks = 0;
  /** Ticks dropped because the loop fell too far behind. */
  skippedTicks = 0;
  /** Time (ms) spent blocked in precise sleeps (earlyWakeMs): the loop could not run. */
  sleptMs = 0;
  private tickCounter = 0;

  constructor(options: MediaClockOptions = {}) {
    this.scheduler = options.scheduler ?? realTimerScheduler;
    this.frameMs = options.frameMs ?? FRAME_MS;
    this.phases = Math.max(1, Math.floor(options.phases ?? 1));
    this.periodMs = this.frameMs / this.phases;
    this.maxCatchUpTicks = options.maxCatchUpTicks ?? 5;
    this.earlyWakeMs =
      this.scheduler.sleepPrecisely === undefined ? 0 : Math.max(0, options.earlyWakeMs ?? 0);
    this.precisionWanted = options.precisionWanted;
    this.onSkippedFrames = options.onSkippedFrames;
    this.reusable = this.scheduler.createTimer?.(this.fire);
    // Default: report loudly but keep every other call's media running.
    this.onListenerError =
      options.onListenerError ??
      ((error) => process.emitWarning(error instanceof Error ? error : String(error)));
  }

  now(): number {
    return this.scheduler.now();
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /**
   * The ideal time (scheduler ms) of the (sub-)tick being delivered: listeners compare it
   * with `now()` to see how late their work runs.
   */
  get tickDeadline(): number {
    return this.startedAt + this.ticks * this.periodMs;
  }

  /** Total ticks delivered over the clock's life. */
  get tickCount(): number {
    return this.tickCounter;
  }

  /** Subscribe; returns the unsubscribe function (safe to call twice). */
  add(listener: MediaClockListener): () => void {
    this.listeners.add(listener);
    this.listenerList = [...this.listeners];
    if (!this.armed) this.start();
    return () => this.remove(listener);
  }

  remove(listener: MediaClockListener): void {
    this.listeners.delete(listener);
    this.listenerList = [...this.listeners];
    if (this.listeners.size === 0) this.stop();
  }

  /** Stop ticking and drop every listener. Safe to call twice. */
  close(): void {
    this.listeners.clear();
    this.listenerList = [];
    this.stop();
  }

  private start(): void {
    this.startedAt = this.scheduler.now();
    this.ticks = 0;
    this.schedule();
  }

  private stop(): void {
    if (this.timer !== undefined) this.scheduler.clearTimer(this.timer);
    this.reusable?.stop();
    this.timer = undefined;
    this.armed = false;
  }

  private schedule(): void {
    this.wakingEarly =
      this.earlyWakeMs > 0 && (this.precisionWanted?.(this.ticks % this.phases) ?? true);
    const early = this.wakingEarly ? this.earlyWakeMs : 0;
    const deadline = this.startedAt + (this.ticks + 1) * this.periodMs - early;
    const delay = Math.max(0, deadline - this.scheduler.now());
    this.armed = true;
    if (this.reusable !== undefined) this.reusable.start(delay);
    else this.timer = this.scheduler.setTimer(this.fire, delay);
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armed = false;
    if (this.wakingEarly) {
      // Woken early on purpose: sleep the last fraction of a ms precisely.
      const deadline = this.startedAt + (this.ticks + 1) * this.periodMs;
      const early = deadline - this.scheduler.now();
      if (early > 0 && early <= this.earlyWakeMs + 1) {
        this.scheduler.sleepPrecisely?.(early);
        this.sleptMs += early;
      }
    }
    const p = this.phases;
    // With early wake-ups, a sleep that ends a few µs short still counts as on time.
    const slack = this.earlyWakeMs > 0 ? EARLY_WAKE_SLACK_MS : 0;
    const due = Math.floor((this.scheduler.now() + slack - this.startedAt) / this.periodMs);
    let behind = due - this.ticks;
    const cap = this.maxCatchUpTicks * p;
    if (behind > cap) {
      // Skip whole frames only, so every delivered frame still starts at phase 0.
      const skip = Math.ceil((behind - cap) / p) * p;
      this.skippedTicks += skip / p;
      this.ticks += skip;
      behind -= skip;
      try {
        this.onSkippedFrames?.(skip / p);
      } catch (error) {
        this.onListenerError(error);
      }
    }
    for (let i = 0; i < behind && this.listeners.size > 0; i++) {
      const phase = this.ticks % p;
      this.ticks++;
      if (phase === 0) this.tickCounter++;
      // A snapshot: a listener added meanwhile starts next tick, one removed is skipped.
      const list = this.listenerList;
      for (let j = 0; j < list.length; j++) {
        const listener = list[j]!;
        if (!this.listeners.has(listener)) continue;
        try {
          listener(this.tickCounter, phase);
        } catch (error) {
          this.onListenerError(error);
        }
      }
    }
    if (this.listeners.size > 0 && !this.armed) this.schedule();
  };
}
