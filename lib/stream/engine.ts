/**
 * The micro-batch engine, without any I/O: parse and validate each record, assign event-time
 * windows, fold values into per-window aggregates, track the watermark and decide what each
 * output mode emits. The Kafka processor (processor.ts) feeds it batches and writes what it
 * returns; tests drive it directly.
 *
 * Semantics (the notebook and README describe the same):
 * - watermark = (largest valid event time seen) - watermarkDelayMs, where "largest" is taken per
 *   input partition and the SMALLEST of those counts (as in Flink): a partition that is behind holds
 *   the watermark back, so results do not depend on which partition the consumer happened to fetch
 *   first. It only moves forward and is updated at the END of each batch, so every record of a
 *   batch is judged against the watermark of the batch before it (as in Spark). A replayed batch
 *   therefore gives the same result. A partition without data does not count until its first record
 *   (or until expectPartitions() names it).
 * - A record is late for a query when every window it falls in has ended at or before the
 *   watermark (window.end <= watermark). Late records are not aggregated; they are counted per
 *   query and returned (the processor sends them to the dead-letter topic with the reason).
 *   Out-of-order records whose window is still open are aggregated normally.
 * - With `lateness: "record"` a record is also judged against the watermark of its own partition
 *   as of the record before it (the largest event time before it in that partition, less the
 *   delay; Kafka Streams' "stream time", kept per partition). That mark is never behind the batch
 *   watermark, and it depends only on the order of the records within the partition, not on where
 *   batches begin and end: which records are late is then the same for every batching, so a batch
 *   recomputation over the same input can tell them apart. (A sliding-window record whose last
 *   window is still open is aggregated as before, into the windows still open for the batch.)
 * - update: after a batch, emit the windows that changed in it. append: emit a window once, when the
 *   watermark passes its end, and then forget it. complete: emit every window after every batch
 *   (nothing is late, nothing is forgotten). update also forgets windows once the watermark passes
 *   their end (their result was already emitted).
 * - flush() marks the end of the input: append queries emit every remaining window.
 * - State: one entry per (window, key), except for sliding windows whose size is a multiple of the
 *   slide (and whose aggregates all have `merge`, in update or append mode): those keep one partial
 *   state per (slide, key) and merge a window's partials when it is emitted (buckets.ts), so an event
 *   costs one update instead of size/slide. Both give the same rows.
 */
import type { Aggregates } from "./aggregates";
import { BucketState, bucketsUnsupported, type SavedBucket } from "./buckets";
import type { TimeWindow, WindowSpec } from "./windows";
import { WorkbookError } from "../errors";

/** One input record, as kafkajs delivers it (only the fields the engine reads). */
export interface InputRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp?: string;
}

/** What a parser returns: a value, or the reason the record is rejected. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export type OutputMode = "update" | "append" | "complete";

export interface StreamQuery<T> {
  /** Names the query in outputs, statistics and checkpoints. */
  name: string;
  window: WindowSpec;
  /** The grouping key within a window (e.g. the movie id). */
  key: (value: T) => string | number;
  /** Output columns and how each is computed. */
  aggregates: Aggregates<T>;
  mode: OutputMode;
  /**
   * How a sliding-window query keeps state: "buckets" (one partial state per slide and key, merged
   * when a window is emitted; needs size a multiple of the slide, `merge` on every aggregate, and
   * update or append mode) or "windows" (one state per window). Default: "buckets" when possible.
   */
  slidingState?: "buckets" | "windows";
}

export interface EngineOptions<T> {
  /** Turns a record's value (UTF-8 text) into a value, or rejects it with a reason. */
  parse(text: string, record: InputRecord): Parsed<T>;
  /** Event time of a value in epoch ms. */
  eventTime(value: T): number;
  /** How far behind the largest event time the watermark trails, in ms. */
  watermarkDelayMs: number;
  queries: StreamQuery<T>[];
  /** Return each valid record with its parsed value in `BatchResult.valid` (for record sinks). Default false. */
  keepValid?: boolean;
  /**
   * "batch" (default, as in Spark): a record is late when its windows ended at or before the watermark
   * of the batch before it. "record": also when they ended at or before its partition's watermark as
   * of the record before it, so lateness does not depend on batch boundaries (see the notes above).
   */
  lateness?: "batch" | "record";
}

/** A valid record of a batch: the input record, its parsed value and its event time (epoch ms). */
export interface ValidRecord<T> {
  record: InputRecord;
  value: T;
  time: number;
}

/** One emitted window: its bounds, the key and one column per aggregate. */
export interface WindowRow {
  windowStart: number;
  windowEnd: number;
  key: string | number;
  [column: string]: unknown;
}

/** A record that was not aggregated: rejected by the parser, or late for a query. */
export interface DeadRecord {
  record: InputRecord;
  kind: "rejected" | "late";
  reason: string;
  query?: string;
}

export interface EngineStats {
  batches: number;
  /** Records read. */
  in: number;
  /** Records parsed and valid. in = ok + rejected. */
  ok: number;
  rejected: number;
  /** Per query: valid records not aggregated because all their windows had closed. */
  late: Record<string, number>;
  /** Per query: windows emitted so far (an update-mode window counts once per emission). */
  emitted: Record<string, number>;
  /** Current watermark (epoch ms; null before the first record). */
  watermark: number | null;
  maxEventTime: number | null;
  /** Largest valid event time per input partition (the watermark follows the smallest). */
  maxByPartition: Record<number, number | null>;
  /** True once flush() has run. */
  flushed: boolean;
}

export interface BatchResult {
  batchId: number;
  /** The watermark the batch was judged against, and the one after it. */
  watermarkBefore: number;
  watermarkAfter: number;
  /** Rows to write, per query name. */
  outputs: Record<string, WindowRow[]>;
  dead: DeadRecord[];
  counts: { in: number; ok: number; rejected: number; late: number };
  /** The valid records of the batch, in input order (only with `keepValid`). */
  valid?: ValidRecord<unknown>[];
}

interface Entry {
  start: number;
  end: number;
  key: string | number;
  states: unknown[];
  /** Set once takeChanges() has reported the entry (it is then in the changelog: leaving state needs a tombstone). */
  logged?: boolean;
}

/**
 * One change of the state since the last takeChanges(): `key` names the entry (JSON text of
 * [query, window or bucket start, group key]); `value` is its saved state as JSON text
 * ([start, end, key, states] for a window, [start, key, states] for a bucket), or null when the
 * entry left state (emitted and forgotten, evicted, cleared at flush).
 */
export interface StateChange {
  key: string;
  value: string | null;
}

/** The engine's state apart from its entries: what a changelog's metadata record carries. */
export interface EngineMeta {
  batchId: number;
  stats: EngineStats;
}

interface QueryState<T> {
  options: StreamQuery<T>;
  names: string[];
  aggs: Aggregates<T>[string][];
  entries: Map<string, Entry>;
  /** Set when the query keeps its state in buckets instead of entries. */
  buckets?: BucketState<T>;
  /** With trackChanges(): entries changed since the last takeChanges(), and ids of logged entries that left state. */
  dirty?: Map<string, Entry>;
  removed?: Set<string>;
}

/** The JSON form of the engine's state, stored in checkpoints. */
export interface EngineSnapshot {
  version: 1;
  batchId: number;
  stats: EngineStats;
  queries: Record<string, Array<[number, number, string | number, unknown[]]>>;
  /** State of the queries kept in buckets: [bucket start, key, states]. */
  buckets?: Record<string, SavedBucket[]>;
}

export class StreamEngine<T> {
  private readonly options: EngineOptions<T>;
  private readonly queries: QueryState<T>[];
  private batchId = 0;
  private watermark = -Infinity;
  private maxEventTime = -Infinity;
  private stats: EngineStats;

  constructor(options: EngineOptions<T>) {
    if (!(options.watermarkDelayMs >= 0)) {
      throw new WorkbookError("STREAM_OPTIONS_INVALID", `watermarkDelayMs=${options.watermarkDelayMs} must be 0 or more milliseconds.`);
    }
    const seen = new Set<string>();
    for (const q of options.queries) {
      if (seen.has(q.name)) throw new WorkbookError("STREAM_OPTIONS_INVALID", `two queries are named ${JSON.stringify(q.name)}; give each query its own name.`);
      seen.add(q.name);
    }
    this.options = options;
    this.queries = options.queries.map((q) => ({ options: q, names: Object.keys(q.aggregates), aggs: Object.values(q.aggregates), entries: new Map(), buckets: bucketState(q) }));
    this.stats = {
      batches: 0,
      in: 0,
      ok: 0,
      rejected: 0,
      late: Object.fromEntries(options.queries.map((q) => [q.name, 0])),
      emitted: Object.fromEntries(options.queries.map((q) => [q.name, 0])),
      watermark: null,
      maxEventTime: null,
      maxByPartition: {},
      flushed: false,
    };
  }

  /** The number of the next batch (1 for the first). */
  get nextBatchId(): number {
    return this.batchId + 1;
  }

  get currentWatermark(): number {
    return this.watermark;
  }

  /** Cumulative statistics (a copy). */
  getStats(): EngineStats {
    return structuredClone(this.stats);
  }

  /** Windows (for queries kept in buckets: buckets) currently held in state, per query. */
  stateSize(): Record<string, number> {
    return Object.fromEntries(this.queries.map((q) => [q.options.name, q.buckets ? q.buckets.held : q.entries.size]));
  }

  /**
   * Names the input partitions that hold data: each holds the watermark back until its first record
   * is processed (so a partition fetched late cannot find its records judged late).
   */
  expectPartitions(partitions: number[]): void {
    for (const p of partitions) if (!(p in this.stats.maxByPartition)) this.stats.maxByPartition[p] = null;
  }

  /** Processes one batch of records and returns what to write. */
  process(records: readonly InputRecord[]): BatchResult {
    const before = this.watermark;
    const dead: DeadRecord[] = [];
    const changed = this.queries.map(() => new Set<Entry>());
    let ok = 0;
    let rejected = 0;
    let late = 0;
    let maxTime = this.maxEventTime;
    const valid: ValidRecord<T>[] | undefined = this.options.keepValid ? [] : undefined;
    const byRecord = this.options.lateness === "record";
    for (const record of records) {
      const parsed = this.parseRecord(record);
      if (!parsed.ok) {
        rejected++;
        dead.push({ record, kind: "rejected", reason: parsed.reason });
        continue;
      }
      ok++;
      const value = parsed.value;
      const time = parsed.time;
      valid?.push({ record, value, time });
      if (time > maxTime) maxTime = time;
      const partitionMax = this.stats.maxByPartition[record.partition];
      // The partition's watermark as of the record before this one ("record" lateness only).
      const partitionMark = byRecord && partitionMax !== undefined && partitionMax !== null ? partitionMax - this.options.watermarkDelayMs : -Infinity;
      if (partitionMax === undefined || partitionMax === null || time > partitionMax) this.stats.maxByPartition[record.partition] = time;
      for (let qi = 0; qi < this.queries.length; qi++) {
        const q = this.queries[qi];
        const buckets = q.buckets;
        const windows = buckets ? undefined : q.options.window.assign(time);
        const end = windows ? windows[windows.length - 1].end : buckets!.lastEnd(time);
        // Complete mode keeps every window: nothing is late.
        const lateMark = q.options.mode === "complete" ? undefined : end <= partitionMark ? partitionMark : end <= before ? before : undefined;
        if (lateMark !== undefined) {
          late++;
          this.stats.late[q.options.name]++;
          dead.push({ record, kind: "late", query: q.options.name, reason: lateReason(q.options.name, time, end, lateMark, lateMark === partitionMark) });
          continue;
        }
        if (buckets) {
          buckets.add(time, q.options.key(value), value);
          continue;
        }
        const open = q.options.mode === "complete" ? windows! : windows!.filter((w) => w.end > before);
        const key = q.options.key(value);
        for (const w of open) changed[qi].add(this.fold(q, w, key, value));
      }
    }
    this.maxEventTime = maxTime;
    const maxima = Object.values(this.stats.maxByPartition);
    const slowest = maxima.length === 0 ? -Infinity : Math.min(...maxima.map((m) => m ?? -Infinity));
    const after = Math.max(before, slowest - this.options.watermarkDelayMs);
    this.watermark = after;
    this.batchId++;
    const outputs: Record<string, WindowRow[]> = {};
    this.queries.forEach((q, qi) => {
      outputs[q.options.name] = q.buckets ? this.emitBuckets(q, q.buckets, before, after) : this.emit(q, changed[qi], after);
    });
    this.stats.batches++;
    this.stats.in += records.length;
    this.stats.ok += ok;
    this.stats.rejected += rejected;
    this.stats.watermark = Number.isFinite(after) ? after : null;
    this.stats.maxEventTime = Number.isFinite(maxTime) ? maxTime : null;
    return { batchId: this.batchId, watermarkBefore: before, watermarkAfter: after, outputs, dead, counts: { in: records.length, ok, rejected, late }, ...(valid ? { valid } : {}) };
  }

  /** End of input: append queries emit every window still held; state is cleared except for complete queries. */
  flush(): BatchResult {
    const before = this.watermark;
    this.batchId++;
    const outputs: Record<string, WindowRow[]> = {};
    for (const q of this.queries) {
      if (q.buckets) {
        if (q.options.mode === "append") outputs[q.options.name] = this.emitBuckets(q, q.buckets, before, Infinity);
        else {
          outputs[q.options.name] = [];
          q.buckets.clear();
        }
      } else if (q.options.mode === "append") {
        outputs[q.options.name] = this.emit(q, new Set(), Infinity);
      } else if (q.options.mode === "complete") {
        outputs[q.options.name] = this.rows(q, [...q.entries.values()]);
        this.stats.emitted[q.options.name] += outputs[q.options.name].length;
      } else {
        outputs[q.options.name] = [];
        for (const [id, e] of q.entries) this.forgotten(q, id, e);
        q.entries.clear();
      }
    }
    this.stats.batches++;
    this.stats.flushed = true;
    return { batchId: this.batchId, watermarkBefore: before, watermarkAfter: Infinity, outputs, dead: [], counts: { in: 0, ok: 0, rejected: 0, late: 0 } };
  }

  /**
   * The engine's state as JSON text: the form a checkpoint stores, fixed at this moment. Batches
   * processed afterwards cannot change it, whatever an aggregate does with its state (mean() and a
   * custom aggregate may change their state object in place). The processor takes it when a batch
   * has run and commits it later, after the sinks have written, by which time the next batch may
   * have run through the engine too.
   */
  snapshotText(): string {
    return JSON.stringify(this.liveState());
  }

  /** The engine's state as a value of its own (snapshotText() parsed): later batches do not change it. */
  snapshot(): EngineSnapshot {
    return JSON.parse(this.snapshotText()) as EngineSnapshot;
  }

  /**
   * Starts recording what changes in state, for takeChanges() (group mode's per-key changelog).
   * Off by default: single-process mode saves whole snapshots and pays nothing for it. Entries held
   * when it is called count as already logged (restored from a changelog).
   */
  trackChanges(): void {
    for (const q of this.queries) {
      if (q.buckets) {
        q.buckets.trackChanges();
        continue;
      }
      q.dirty ??= new Map();
      q.removed ??= new Set();
      for (const e of q.entries.values()) e.logged = true;
    }
  }

  /**
   * What changed in state since the last call (or since trackChanges()): every entry updated, as
   * its saved state (JSON text fixed now), and a tombstone (value null) for every entry that left
   * state after it had been reported. Entries created and dropped between two calls are not
   * mentioned. Costs the changed entries only, not the whole state.
   */
  takeChanges(): StateChange[] {
    const out: StateChange[] = [];
    for (const q of this.queries) {
      const name = q.options.name;
      if (q.buckets) {
        for (const c of q.buckets.takeChanges()) {
          out.push({ key: changeKey(name, c.start, c.key), value: c.saved === null ? null : JSON.stringify(c.saved) });
        }
        continue;
      }
      if (!q.dirty) throw new WorkbookError("STREAM_FAILED", "takeChanges() needs trackChanges() first (group mode calls it when it creates a task).");
      for (const id of q.removed!) {
        const [start, key] = splitEntryId(id);
        out.push({ key: changeKey(name, start, key), value: null });
      }
      for (const e of q.dirty.values()) {
        e.logged = true;
        out.push({ key: changeKey(name, e.start, e.key), value: JSON.stringify([e.start, e.end, e.key, e.states.map((s, i) => save(q.aggs[i], s))]) });
      }
      q.dirty.clear();
      q.removed!.clear();
    }
    return out;
  }

  /** The engine's state apart from its entries (batch number, statistics with the watermark): a copy. */
  meta(): EngineMeta {
    return { batchId: this.batchId, stats: structuredClone(this.stats) };
  }

  /**
   * Loads state from a changelog: the metadata and the last value of every entry key (the values
   * takeChanges() wrote; keys deleted by a tombstone are left out). The entries count as logged.
   */
  restoreChanges(meta: EngineMeta, entries: Iterable<[string, string]>): void {
    const queries: EngineSnapshot["queries"] = {};
    const buckets: Record<string, SavedBucket[]> = {};
    const byName = new Map(this.queries.map((q) => [q.options.name, q]));
    for (const [key, value] of entries) {
      let parsed: unknown;
      let saved: unknown;
      try {
        parsed = JSON.parse(key);
        saved = JSON.parse(value);
      } catch {
        throw new WorkbookError("STREAM_CHECKPOINT_INVALID", `the changelog entry ${JSON.stringify(key)} is not JSON; it was not written by this processor: delete the application's topics or use another applicationId.`);
      }
      const name = Array.isArray(parsed) && typeof parsed[0] === "string" ? parsed[0] : undefined;
      const q = name === undefined ? undefined : byName.get(name);
      if (!q || !Array.isArray(saved) || (saved.length !== 3 && saved.length !== 4)) {
        throw new WorkbookError("STREAM_CHECKPOINT_INVALID", `the changelog holds state for ${JSON.stringify(key)}, which is no entry of the queries ${JSON.stringify([...byName.keys()])} (the queries changed since it was written); delete the application's topics or use another applicationId.`);
      }
      if (saved.length === 3) (buckets[q.options.name] ??= []).push(saved as SavedBucket);
      else (queries[q.options.name] ??= []).push(saved as [number, number, string | number, unknown[]]);
    }
    for (const q of this.queries) {
      // A query with no entry in the changelog has empty state, kept as the query keeps it now.
      if (q.buckets && !queries[q.options.name]) buckets[q.options.name] ??= [];
      else if (!buckets[q.options.name]) queries[q.options.name] ??= [];
    }
    this.load({ version: 1, batchId: meta.batchId, stats: structuredClone(meta.stats), queries, buckets });
    this.trackChanges();
  }

  /** Records that an entry left state (for takeChanges()). */
  private forgotten(q: QueryState<T>, id: string, e: Entry): void {
    if (!q.dirty) return;
    q.dirty.delete(id);
    if (e.logged) q.removed!.add(id);
  }

  /** The state, still holding the aggregates' live state objects where they have no save(): turn it into text at once. */
  private liveState(): EngineSnapshot {
    const queries: EngineSnapshot["queries"] = {};
    const buckets: Record<string, SavedBucket[]> = {};
    for (const q of this.queries) {
      if (q.buckets) {
        buckets[q.options.name] = q.buckets.save();
        continue;
      }
      queries[q.options.name] = [...q.entries.values()].map((e) => [e.start, e.end, e.key, e.states.map((s, i) => save(q.aggs[i], s))]);
    }
    return { version: 1, batchId: this.batchId, stats: structuredClone(this.stats), queries, buckets };
  }

  /** Loads a snapshot (its text, or a value that stays the caller's: the engine works on a copy). */
  restore(saved: EngineSnapshot | string): void {
    this.load(typeof saved === "string" ? (JSON.parse(saved) as EngineSnapshot) : structuredClone(saved));
  }

  /** Loads a snapshot the engine may keep (no copy). */
  private load(snapshot: EngineSnapshot): void {
    if (snapshot.version !== 1) throw new WorkbookError("STREAM_CHECKPOINT_INVALID", `checkpoint version ${String(snapshot.version)} is not supported; delete the checkpoint folder to start over.`);
    this.batchId = snapshot.batchId;
    this.stats = structuredClone(snapshot.stats);
    this.watermark = snapshot.stats.watermark ?? -Infinity;
    this.maxEventTime = snapshot.stats.maxEventTime ?? -Infinity;
    for (const q of this.queries) {
      this.stats.maxByPartition ??= {};
      this.stats.late[q.options.name] ??= 0;
      this.stats.emitted[q.options.name] ??= 0;
      const savedBuckets = snapshot.buckets?.[q.options.name];
      if (q.buckets && savedBuckets) {
        q.buckets.load(savedBuckets);
        continue;
      }
      if (savedBuckets) throw new WorkbookError("STREAM_CHECKPOINT_INVALID", `the checkpoint keeps query ${JSON.stringify(q.options.name)} in buckets, which this query cannot use (its window, aggregates or mode changed); delete the checkpoint folder to start over.`);
      // A checkpoint written with one state per window (e.g. by an older version) carries on that way.
      q.buckets = undefined;
      const saved = snapshot.queries[q.options.name];
      if (!saved) throw new WorkbookError("STREAM_CHECKPOINT_INVALID", `the checkpoint has no state for query ${JSON.stringify(q.options.name)}; the queries changed since it was written; delete the checkpoint folder to start over.`);
      q.entries.clear();
      q.dirty?.clear();
      q.removed?.clear();
      for (const [start, end, key, states] of saved) {
        q.entries.set(entryId(start, key), { start, end, key, states: states.map((s, i) => load(q.aggs[i], s)) });
      }
    }
  }

  /**
   * Parses and validates one record without aggregating it: the value and its event time, or the
   * reason it is rejected (the same check process() applies). The processor's repartition step uses it.
   */
  validate(record: InputRecord): { ok: true; value: T; time: number } | { ok: false; reason: string } {
    return this.parseRecord(record);
  }

  private parseRecord(record: InputRecord): { ok: true; value: T; time: number } | { ok: false; reason: string } {
    if (record.value === null || record.value.length === 0) return { ok: false, reason: "empty value" };
    let parsed: Parsed<T>;
    try {
      parsed = this.options.parse(record.value.toString("utf8"), record);
    } catch (err) {
      return { ok: false, reason: `parser failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!parsed.ok) return parsed;
    const time = this.options.eventTime(parsed.value);
    if (!Number.isFinite(time)) return { ok: false, reason: `no valid event time (got ${String(time)})` };
    return { ok: true, value: parsed.value, time };
  }

  private fold(q: QueryState<T>, w: TimeWindow, key: string | number, value: T): Entry {
    const id = entryId(w.start, key);
    let entry = q.entries.get(id);
    if (!entry) {
      entry = { start: w.start, end: w.end, key, states: q.aggs.map((a) => a.init()) };
      q.entries.set(id, entry);
    }
    const states = entry.states;
    for (let i = 0; i < q.aggs.length; i++) states[i] = q.aggs[i].add(states[i], value);
    if (q.dirty) {
      q.dirty.set(id, entry);
      // Back after a tombstone was due: the changelog holds a value for it, so it counts as logged.
      if (q.removed!.delete(id)) entry.logged = true;
    }
    return entry;
  }

  private emit(q: QueryState<T>, changed: Set<Entry>, watermark: number): WindowRow[] {
    const mode = q.options.mode;
    let out: Entry[];
    if (mode === "update") out = [...changed];
    else if (mode === "complete") out = [...q.entries.values()];
    else out = [...q.entries.values()].filter((e) => e.end <= watermark);
    const rows = this.rows(q, out);
    this.stats.emitted[q.options.name] += rows.length;
    if (mode !== "complete") {
      for (const [id, e] of q.entries) {
        if (e.end <= watermark) {
          q.entries.delete(id);
          this.forgotten(q, id, e);
        }
      }
    }
    return rows;
  }

  private emitBuckets(q: QueryState<T>, buckets: BucketState<T>, before: number, after: number): WindowRow[] {
    const rows = buckets.emit(q.options.mode === "update" ? "update" : "append", before, after);
    this.stats.emitted[q.options.name] += rows.length;
    return rows;
  }

  private rows(q: QueryState<T>, entries: Entry[]): WindowRow[] {
    entries.sort((a, b) => a.start - b.start || compareKeys(a.key, b.key));
    return entries.map((e) => {
      const row: WindowRow = { windowStart: e.start, windowEnd: e.end, key: e.key };
      for (let i = 0; i < q.aggs.length; i++) row[q.names[i]] = q.aggs[i].result(e.states[i]);
      return row;
    });
  }
}

/** The bucket state of a query, or undefined when it keeps one state per window. */
function bucketState<T>(q: StreamQuery<T>): BucketState<T> | undefined {
  if (q.slidingState === "windows") return undefined;
  const why = bucketsUnsupported(q.window, q.aggregates, q.mode);
  if (why === undefined) return new BucketState(q.window, q.aggregates);
  if (q.slidingState === "buckets") throw new WorkbookError("STREAM_OPTIONS_INVALID", `query ${JSON.stringify(q.name)} cannot keep its state in buckets: ${why}; drop slidingState or pass "windows".`);
  return undefined;
}

function lateReason(query: string, time: number, lastEnd: number, watermark: number, ofPartition: boolean): string {
  const mark = ofPartition ? `its partition's watermark ${iso(watermark)} (the newest event time before it, less the delay)` : `the watermark ${iso(watermark)}`;
  return `late for ${query}: event time ${iso(time)} falls in window(s) ending by ${iso(lastEnd)}, at or before ${mark}`;
}

function save(agg: Aggregates<unknown>[string], state: unknown): unknown {
  return agg.save ? agg.save(state) : state;
}

function load(agg: Aggregates<unknown>[string], saved: unknown): unknown {
  return agg.load ? agg.load(saved) : saved;
}

function entryId(start: number, key: string | number): string {
  return `${start}|${typeof key}|${key}`;
}

function splitEntryId(id: string): [number, string | number] {
  const a = id.indexOf("|");
  const b = id.indexOf("|", a + 1);
  const text = id.slice(b + 1);
  return [Number(id.slice(0, a)), id.slice(a + 1, b) === "number" ? Number(text) : text];
}

/** The changelog key of an entry or bucket: JSON text of [query, start, group key]. */
export function changeKey(query: string, start: number, key: string | number): string {
  return JSON.stringify([query, start, key]);
}

function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** An epoch-ms time as ISO text, or -inf/+inf. */
export function iso(t: number): string {
  if (t === -Infinity) return "-inf";
  if (t === Infinity) return "+inf";
  return new Date(t).toISOString();
}
