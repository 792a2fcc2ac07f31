/**
 * Sliding-window state kept per slide instead of per window. A sliding window of size N * slide
 * covers exactly N consecutive "buckets" [b, b + slide), so each event updates ONE partial state
 * (its bucket, per key) instead of N window states; a window's result is the merge of its N
 * buckets, computed only when the window is emitted. Needs `merge` on every aggregate.
 *
 * It gives the same rows as one state per window (engine.ts), because:
 * - a window is only ever emitted while it is open (end > the watermark its batch was judged
 *   against), and every event of its range that arrived while it was open is in its buckets;
 *   events that reached a bucket after the window closed can only go to later, still open windows.
 * - an open window exists (has received an event while open) exactly when one of its buckets holds
 *   an event: a window open now was also open when that event arrived (the watermark only grows).
 * Sums of floating-point values may differ in the last digits (they are added in another order).
 */
import type { Aggregates } from "./aggregates";
import type { OutputMode, WindowRow } from "./engine";
import type { WindowSpec } from "./windows";

type Key = string | number;
type Agg<T> = Aggregates<T>[string];

interface Bucket {
  start: number;
  key: Key;
  states: unknown[];
  /** Set once takeChanges() has reported the bucket (leaving state then needs a tombstone). */
  logged?: boolean;
}

/** A bucket changed since the last takeChanges(): its saved form, or null when it left state. */
export interface BucketChange {
  start: number;
  key: Key;
  saved: SavedBucket | null;
}

/** The saved form of a bucket: [start, key, states]. */
export type SavedBucket = [number, Key, unknown[]];

/** Why a query cannot keep bucket state, or undefined when it can. */
export function bucketsUnsupported<T>(window: WindowSpec, aggregates: Aggregates<T>, mode: OutputMode): string | undefined {
  if (window.kind !== "sliding") return "only sliding windows use buckets";
  if (window.sizeMs % window.slideMs !== 0) return `sizeMs=${window.sizeMs} is not a multiple of slideMs=${window.slideMs}`;
  if (mode === "complete") return "complete mode keeps one state per window";
  const missing = Object.entries(aggregates).filter(([, a]) => typeof a.merge !== "function").map(([name]) => name);
  if (missing.length > 0) return `aggregate(s) ${missing.join(", ")} have no merge`;
  return undefined;
}

export class BucketState<T> {
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;
  /** Buckets per window. */
  private readonly n: number;
  private readonly names: string[];
  private readonly aggs: Agg<T>[];
  private readonly byKey = new Map<Key, Map<number, Bucket>>();
  /** Buckets that received events in the current batch. */
  private readonly changed = new Set<Bucket>();
  private count = 0;
  /** With trackChanges(): buckets changed since the last takeChanges(), and logged buckets that left state. */
  private dirty?: Set<Bucket>;
  private removed?: Bucket[];

  constructor(window: WindowSpec, aggregates: Aggregates<T>) {
    this.size = window.sizeMs;
    this.slide = window.slideMs;
    this.offset = window.offsetMs;
    this.n = window.sizeMs / window.slideMs;
    this.names = Object.keys(aggregates);
    this.aggs = Object.values(aggregates);
  }

  /** Start of the bucket (= of the latest window) holding `time`. */
  bucketOf(time: number): number {
    return Math.floor((time - this.offset) / this.slide) * this.slide + this.offset;
  }

  /** End of the latest window containing `time`: the event is late when this is <= the watermark. */
  lastEnd(time: number): number {
    return this.bucketOf(time) + this.size;
  }

  /** Buckets held. */
  get held(): number {
    return this.count;
  }

  /** Folds one value into its bucket; the caller has checked it is not late (lastEnd > watermark). */
  add(time: number, key: Key, value: T): void {
    const start = this.bucketOf(time);
    let buckets = this.byKey.get(key);
    if (!buckets) {
      buckets = new Map();
      this.byKey.set(key, buckets);
    }
    let bucket = buckets.get(start);
    if (!bucket) {
      bucket = { start, key, states: this.aggs.map((a) => a.init()) };
      buckets.set(start, bucket);
      this.count++;
    }
    const states = bucket.states;
    for (let i = 0; i < this.aggs.length; i++) states[i] = this.aggs[i].add(states[i], value);
    this.changed.add(bucket);
    this.dirty?.add(bucket);
  }

  /** Starts recording changes for takeChanges(); the buckets held now count as logged. */
  trackChanges(): void {
    this.dirty ??= new Set();
    this.removed ??= [];
    for (const buckets of this.byKey.values()) for (const b of buckets.values()) b.logged = true;
  }

  /**
   * Buckets changed since the last call (saved now) and logged buckets that left state (saved: null).
   * A bucket that left state and came back (same start and key) is reported once, as its new state.
   */
  takeChanges(): BucketChange[] {
    if (!this.dirty) return [];
    const out: BucketChange[] = [];
    const live = new Set<string>();
    for (const b of this.dirty) live.add(`${b.start}|${typeof b.key}|${b.key}`);
    for (const b of this.removed!) if (!live.has(`${b.start}|${typeof b.key}|${b.key}`)) out.push({ start: b.start, key: b.key, saved: null });
    for (const b of this.dirty) {
      b.logged = true;
      out.push({ start: b.start, key: b.key, saved: [b.start, b.key, b.states.map((s, i) => saveState(this.aggs[i], s))] });
    }
    this.dirty.clear();
    this.removed = [];
    return out;
  }

  /** Records that a bucket left state. */
  private left(b: Bucket): void {
    if (!this.dirty) return;
    this.dirty.delete(b);
    if (b.logged) this.removed!.push(b);
  }

  /**
   * The rows of one batch, then forgets what the watermark has passed. update: the windows open at
   * `before` that cover a bucket changed in the batch. append: the windows ending in (before, after].
   */
  emit(mode: "update" | "append", before: number, after: number): WindowRow[] {
    // Window starts to emit per key, as inclusive ranges.
    const ranges = new Map<Key, Array<[number, number]>>();
    if (mode === "update") {
      for (const b of this.changed) {
        let list = ranges.get(b.key);
        if (!list) ranges.set(b.key, (list = []));
        list.push([this.firstOpen(b.start, before), b.start]);
      }
    } else {
      const lowest = before - this.size; // exclusive
      const highest = after - this.size; // inclusive
      for (const [key, buckets] of this.byKey) {
        const list: Array<[number, number]> = [];
        for (const b of buckets.values()) {
          const from = b.start - (this.n - 1) * this.slide;
          const lo = from > lowest ? from : this.nextStart(lowest);
          const hi = b.start <= highest ? b.start : this.bucketOf(highest);
          if (lo <= hi) list.push([lo, hi]);
        }
        if (list.length > 0) ranges.set(key, list);
      }
    }
    // Keys in order, each key's windows in start order, grouped by start: rows sorted by (start, key).
    const byStart = new Map<number, WindowRow[]>();
    for (const key of [...ranges.keys()].sort(compareKeys)) this.windows(key, ranges.get(key)!, byStart);
    const rows: WindowRow[] = [];
    for (const start of [...byStart.keys()].sort((a, b) => a - b)) for (const row of byStart.get(start)!) rows.push(row);
    this.changed.clear();
    this.forget(after);
    return rows;
  }

  /** Drops every bucket (update mode at the end of input). */
  clear(): void {
    if (this.dirty) for (const buckets of this.byKey.values()) for (const b of buckets.values()) this.left(b);
    this.byKey.clear();
    this.changed.clear();
    this.count = 0;
  }

  save(): SavedBucket[] {
    const out: SavedBucket[] = [];
    for (const buckets of this.byKey.values()) {
      for (const b of buckets.values()) out.push([b.start, b.key, b.states.map((s, i) => saveState(this.aggs[i], s))]);
    }
    return out;
  }

  load(saved: SavedBucket[]): void {
    this.clear();
    this.dirty?.clear();
    if (this.removed) this.removed = [];
    for (const [start, key, states] of saved) {
      let buckets = this.byKey.get(key);
      if (!buckets) this.byKey.set(key, (buckets = new Map()));
      buckets.set(start, { start, key, states: states.map((s, i) => loadState(this.aggs[i], s)) });
      this.count++;
    }
  }

  /** Earliest start of a window covering bucket `start` that is open (end > watermark). */
  private firstOpen(start: number, watermark: number): number {
    const earliest = start - (this.n - 1) * this.slide;
    if (earliest + this.size > watermark) return earliest;
    return this.nextStart(watermark - this.size);
  }

  /** Smallest window start strictly greater than `t`. */
  private nextStart(t: number): number {
    return this.bucketOf(t) + this.slide;
  }

  /** Emits, for one key, the windows whose starts lie in the union of the inclusive ranges. */
  private windows(key: Key, ranges: Array<[number, number]>, byStart: Map<number, WindowRow[]>): void {
    const buckets = [...this.byKey.get(key)!.values()].sort((a, b) => a.start - b.start);
    ranges.sort((a, b) => a[0] - b[0]);
    let done = -Infinity; // last start emitted
    let lo = 0; // first bucket not before the current window
    const states: unknown[] = new Array(this.aggs.length);
    for (const [from, to] of ranges) {
      for (let s = Math.max(from, done + this.slide); s <= to; s += this.slide) {
        while (lo < buckets.length && buckets[lo].start < s) lo++;
        for (let i = 0; i < this.aggs.length; i++) states[i] = this.aggs[i].init();
        for (let j = lo; j < buckets.length && buckets[j].start < s + this.size; j++) {
          const bs = buckets[j].states;
          for (let i = 0; i < this.aggs.length; i++) states[i] = this.aggs[i].merge!(states[i], bs[i]);
        }
        const row: WindowRow = { windowStart: s, windowEnd: s + this.size, key };
        for (let i = 0; i < this.aggs.length; i++) row[this.names[i]] = this.aggs[i].result(states[i]);
        const rows = byStart.get(s);
        if (rows) rows.push(row);
        else byStart.set(s, [row]);
        done = s;
      }
    }
  }

  /** Forgets the buckets whose last window ended at or before the watermark. */
  private forget(watermark: number): void {
    for (const [key, buckets] of this.byKey) {
      for (const [start, b] of buckets) {
        if (b.start + this.size <= watermark) {
          buckets.delete(start);
          this.left(b);
          this.count--;
        }
      }
      if (buckets.size === 0) this.byKey.delete(key);
    }
  }
}

function saveState<T>(agg: Agg<T>, state: unknown): unknown {
  return agg.save ? agg.save(state) : state;
}

function loadState<T>(agg: Agg<T>, saved: unknown): unknown {
  return agg.load ? agg.load(saved) : saved;
}

function compareKeys(a: Key, b: Key): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
