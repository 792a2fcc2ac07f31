/**
 * The log of one partition: append-only segment files `<baseOffset>.log` holding record batches
 * exactly as produced (base offset rewritten), each with a sparse offset index `<baseOffset>.index`
 * (8-byte entries: offset relative to the segment, file position) written every
 * `indexIntervalBytes` of log.
 *
 * Recovery (on open): sealed segments trust their index when it is well formed (else it is rebuilt by
 * walking batch headers); the last segment is scanned batch by batch with the CRC-32C checked, and
 * the file is truncated at the first torn or corrupt batch, so a crash mid-write loses only the
 * batch that was not acknowledged.
 *
 * Compaction (topics with cleanup.policy=compact, see `clean()`): only sealed segments are
 * rewritten, never the active one. A cleaned group of segments is written to `<base>.log.cleaned` and
 * `<base>.index.cleaned`, fsynced, then marked done by renaming the log to
 * `<base>.log.<end>.swap` (`end` = base offset of the first segment after the group); then the old
 * segment files go and the new ones are renamed into place. On open a leftover `.swap` is completed
 * (the marked range's old segments removed, the swap renamed) and leftover `.cleaned` files (a
 * cleaning that crashed before its swap mark) are deleted: the old segments are still intact.
 * `cleaner-checkpoint.json` keeps the first dirty offset (where the next cleaning's new data
 * starts) and the earliest tombstone delete horizon.
 *
 * Durability: every append is written to the file (write(2)) before the producer is acknowledged,
 * so an acknowledged message survives the broker process being killed. fsync(2), which also
 * protects against an operating-system crash or power loss, runs either after every append
 * (`flush: "batch"`, slow on real disks) or for all dirty segments every `flushIntervalMs`
 * (`flush: "interval"`, the default, like Kafka's reliance on the page cache).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  BATCH_HEADER_BYTES,
  CONTROL_FLAG,
  DELETE_HORIZON_FLAG,
  LOG_OVERHEAD,
  BatchHeader,
  RecordEntry,
  batchRecords,
  checkBatch,
  readBatchHeader,
  readInt64,
  rebuildBatch,
  recordTimes,
  writeInt64,
} from "../protocol/record-batch";

export interface LogOptions {
  /** Roll to a new segment file past this size. Default 64 MiB. */
  segmentBytes: number;
  /** Delete the oldest segments while the partition is larger than this; -1 = no limit. */
  retentionBytes: number;
  /** Delete segments whose newest record is older than this; -1 = no limit. Default 7 days. */
  retentionMs: number;
  /** One index entry per this many bytes of log. Default 4096. */
  indexIntervalBytes: number;
  /** fsync after every append ("batch") or on a timer ("interval"). */
  flush: "batch" | "interval";
  /** Roll the active segment at the next append once it is this old (segment.ms). Default 7 days. */
  segmentMs: number;
}

export const DEFAULT_LOG_OPTIONS: LogOptions = {
  segmentBytes: 64 * 1024 * 1024,
  retentionBytes: -1,
  retentionMs: 7 * 24 * 3600 * 1000,
  indexIntervalBytes: 4096,
  flush: "interval",
  segmentMs: 7 * 24 * 3600 * 1000,
};

/** What one cleaning of a partition did. */
export interface CleanResult {
  /** Segments and bytes of the whole partition before and after (active segment included). */
  segmentsBefore: number;
  segmentsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  /** Records read in the cleaned (sealed) segments, and how many were kept. */
  recordsRead: number;
  recordsKept: number;
  /** Offsets [firstDirtyOffset, cleanedTo) were the new data of this cleaning. */
  firstDirtyOffset: number;
  cleanedTo: number;
  /** Distinct keys in the offset map. */
  keys: number;
  durationMs: number;
}

export interface CleanOptions {
  now: number;
  /** How long a tombstone stays after the cleaning that first kept it (delete.retention.ms). */
  deleteRetentionMs: number;
  /**
   * True when the batch of this producer ending at `lastOffset` holds the producer's last sequence
   * number: it is kept (maybe empty) so that the producer's state survives, as Kafka's cleaner does.
   */
  isLastOfProducer?: (producerId: number, lastOffset: number) => boolean;
}

interface CleanerCheckpoint {
  firstDirtyOffset: number;
  /** Earliest delete horizon of a kept tombstone, or null when there is none. */
  deleteHorizonMs: number | null;
}

const CHECKPOINT_FILE = "cleaner-checkpoint.json";
const SWAP_RE = /^(\d{20})\.log\.(\d{20})\.swap$/;

interface Segment {
  baseOffset: number;
  /** Offset the next appended batch will get if appended here. */
  nextOffset: number;
  size: number;
  maxTimestamp: number;
  fd: number;
  indexFd: number;
  /** Flat pairs: absolute base offset of a batch, its file position. */
  index: number[];
  lastIndexedPos: number;
  logPath: string;
  indexPath: string;
  dirty: boolean;
  /** When this segment was opened or created (segment.ms counts from here). */
  createdMs: number;
}

const SCAN_CHUNK = 1024 * 1024;

function segmentName(baseOffset: number): string {
  return String(baseOffset).padStart(20, "0");
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}

function writeAll(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
}

/**
 * Walks the batches of a segment file from `from`, calling `each` with every complete batch header
 * (and, when `verify`, only batches whose CRC matches). Returns the position after the last good batch.
 */
function scanSegment(fd: number, fileSize: number, from: number, verify: boolean, each: (h: BatchHeader, pos: number) => void): number {
  let pos = from;
  while (pos + BATCH_HEADER_BYTES <= fileSize) {
    const chunk = readAt(fd, pos, Math.min(SCAN_CHUNK, fileSize - pos));
    let p = 0;
    while (p + BATCH_HEADER_BYTES <= chunk.length) {
      const size = LOG_OVERHEAD + chunk.readInt32BE(p + 8);
      if (size < BATCH_HEADER_BYTES || pos + p + size > fileSize) return pos + p;
      let batch: Buffer;
      let at: number;
      if (p + size <= chunk.length) {
        batch = chunk;
        at = p;
      } else if (p === 0) {
        batch = readAt(fd, pos, size); // a batch larger than the scan chunk
        at = 0;
      } else {
        break; // continue with a fresh chunk starting at this batch
      }
      if (verify ? checkBatch(batch, at, at + size) !== null : batch.readInt8(at + 16) !== 2) return pos + p;
      each(readBatchHeader(batch, at), pos + p);
      p += size;
      if (batch !== chunk) break;
    }
    pos += p;
  }
  return pos;
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeIndexFile(file: string, baseOffset: number, entries: number[]): void {
  const buf = Buffer.allocUnsafe(entries.length * 4);
  for (let i = 0; i < entries.length; i += 2) {
    buf.writeUInt32BE(entries[i] - baseOffset, i * 4);
    buf.writeUInt32BE(entries[i + 1], i * 4 + 4);
  }
  const fd = fs.openSync(file, "w", 0o644);
  try {
    writeAll(fd, buf, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Completes what a cleaning left behind when the process died: a `.swap` log (fsynced and marked
 * complete) replaces the old segments of its range; `.cleaned` files (never marked) are deleted.
 */
function recoverCleaning(dir: string): void {
  let changed = false;
  const files = fs.readdirSync(dir);
  for (const f of files) {
    const m = SWAP_RE.exec(f);
    if (!m) continue;
    const base = Number(m[1]);
    const end = Number(m[2]);
    for (const g of files) {
      const seg = /^(\d{20})\.(log|index)$/.exec(g);
      if (seg && Number(seg[1]) >= base && Number(seg[1]) < end) fs.rmSync(path.join(dir, g), { force: true });
    }
    const name = segmentName(base);
    const cleanedIndex = path.join(dir, `${name}.index.cleaned`);
    if (fs.existsSync(cleanedIndex)) fs.renameSync(cleanedIndex, path.join(dir, `${name}.index`));
    fs.renameSync(path.join(dir, f), path.join(dir, `${name}.log`));
    changed = true;
  }
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith(".cleaned")) {
      fs.rmSync(path.join(dir, f), { force: true });
      changed = true;
    }
  }
  if (changed) fsyncDir(dir);
}

export class PartitionLog {
  private segments: Segment[] = [];
  private closed = false;
  private checkpoint: CleanerCheckpoint = { firstDirtyOffset: 0, deleteHorizonMs: null };
  logStartOffset = 0;
  /** Headers of idempotent batches found while recovering the last segment (for producer state). */
  recoveredProducerBatches: BatchHeader[] = [];

  private constructor(readonly dir: string, readonly options: LogOptions) {}

  /** Opens (creating if needed) the partition folder and recovers its segments. */
  static open(dir: string, options: LogOptions): PartitionLog {
    fs.mkdirSync(dir, { recursive: true });
    recoverCleaning(dir);
    const log = new PartitionLog(dir, options);
    const bases = fs
      .readdirSync(dir)
      .filter((f) => /^\d{20}\.log$/.test(f))
      .map((f) => Number(f.slice(0, 20)))
      .sort((a, b) => a - b);
    if (bases.length === 0) bases.push(0);
    bases.forEach((base, i) => log.segments.push(log.openSegment(base, i === bases.length - 1)));
    // Offsets must increase from segment to segment; a segment that recovered nothing keeps its name.
    for (let i = 1; i < log.segments.length; i++) {
      const prev = log.segments[i - 1];
      const seg = log.segments[i];
      if (seg.size === 0) seg.nextOffset = Math.max(seg.nextOffset, prev.nextOffset);
    }
    log.logStartOffset = log.segments[0].baseOffset;
    log.checkpoint = log.readCheckpoint();
    return log;
  }

  private readCheckpoint(): CleanerCheckpoint {
    try {
      const c = JSON.parse(fs.readFileSync(path.join(this.dir, CHECKPOINT_FILE), "utf8")) as CleanerCheckpoint;
      if (typeof c.firstDirtyOffset === "number") return { firstDirtyOffset: c.firstDirtyOffset, deleteHorizonMs: typeof c.deleteHorizonMs === "number" ? c.deleteHorizonMs : null };
    } catch {
      // none yet (or unreadable): the whole log counts as dirty
    }
    return { firstDirtyOffset: this.logStartOffset, deleteHorizonMs: null };
  }

  private writeCheckpoint(): void {
    const file = path.join(this.dir, CHECKPOINT_FILE);
    const fd = fs.openSync(`${file}.tmp`, "w", 0o644);
    try {
      writeAll(fd, Buffer.from(JSON.stringify(this.checkpoint)), 0);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(`${file}.tmp`, file);
  }

  private openSegment(baseOffset: number, active: boolean): Segment {
    const name = segmentName(baseOffset);
    const logPath = path.join(this.dir, `${name}.log`);
    const indexPath = path.join(this.dir, `${name}.index`);
    const fd = fs.openSync(logPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    const indexFd = fs.openSync(indexPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    const fileSize = fs.fstatSync(fd).size;
    const seg: Segment = { baseOffset, nextOffset: baseOffset, size: 0, maxTimestamp: -1, fd, indexFd, index: [], lastIndexedPos: 0, logPath, indexPath, dirty: false, createdMs: Date.now() };

    let from = 0;
    if (!active) {
      const entries = this.loadIndex(indexFd, baseOffset, fileSize);
      if (entries) {
        seg.index = entries;
        if (entries.length > 0) {
          from = entries[entries.length - 1];
          seg.lastIndexedPos = from;
        }
      }
    }
    const rebuild = active || from === 0;
    if (rebuild) seg.index = [];
    const end = scanSegment(fd, fileSize, from, active, (h, pos) => {
      seg.nextOffset = h.baseOffset + h.lastOffsetDelta + 1;
      seg.maxTimestamp = Math.max(seg.maxTimestamp, h.maxTimestamp);
      if (rebuild && (pos === 0 || pos - seg.lastIndexedPos >= this.options.indexIntervalBytes)) {
        seg.index.push(h.baseOffset, pos);
        seg.lastIndexedPos = pos;
      }
      if (active && h.producerId >= 0) this.recoveredProducerBatches.push(h);
    });
    if (end < fileSize) fs.ftruncateSync(fd, end); // drop a torn or corrupt tail
    seg.size = end;
    if (rebuild) {
      const buf = Buffer.allocUnsafe(seg.index.length * 4);
      for (let i = 0; i < seg.index.length; i += 2) {
        buf.writeUInt32BE(seg.index[i] - baseOffset, i * 4);
        buf.writeUInt32BE(seg.index[i + 1], i * 4 + 4);
      }
      fs.ftruncateSync(indexFd, 0);
      writeAll(indexFd, buf, 0);
    }
    return seg;
  }

  /** The index of a sealed segment as flat pairs, or null when it is missing or malformed. */
  private loadIndex(indexFd: number, baseOffset: number, fileSize: number): number[] | null {
    const size = fs.fstatSync(indexFd).size;
    if (size === 0 || size % 8 !== 0) return null;
    const buf = readAt(indexFd, 0, size);
    const out: number[] = [];
    let lastOffset = -1;
    let lastPos = -1;
    for (let i = 0; i < size; i += 8) {
      const offset = baseOffset + buf.readUInt32BE(i);
      const pos = buf.readUInt32BE(i + 4);
      if (offset <= lastOffset || pos <= lastPos || pos >= fileSize) return null;
      out.push(offset, pos);
      lastOffset = offset;
      lastPos = pos;
    }
    return out[1] === 0 ? out : null;
  }

  get logEndOffset(): number {
    return this.segments[this.segments.length - 1].nextOffset;
  }

  /** Total bytes in all segments. */
  get size(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  /**
   * Appends one or more validated batches held in `buf`, assigning offsets from the log end offset
   * (bytes 0-7 of each batch are overwritten in place). Returns the base offset of each batch.
   */
  append(buf: Buffer): number[] {
    if (this.closed) throw new Error(`partition log ${this.dir} is closed`);
    let seg = this.active;
    if (seg.size > 0 && (seg.size + buf.length > this.options.segmentBytes || Date.now() - seg.createdMs >= this.options.segmentMs)) seg = this.roll();
    const bases: number[] = [];
    const indexEntries: number[] = [];
    let next = seg.nextOffset;
    for (let at = 0; at < buf.length; ) {
      const size = LOG_OVERHEAD + buf.readInt32BE(at + 8);
      writeInt64(buf, at, next);
      bases.push(next);
      const pos = seg.size + at;
      if (pos === 0 || pos - seg.lastIndexedPos >= this.options.indexIntervalBytes) {
        indexEntries.push(next, pos);
        seg.lastIndexedPos = pos;
      }
      seg.maxTimestamp = Math.max(seg.maxTimestamp, readInt64(buf, at + 35));
      next += buf.readInt32BE(at + 23) + 1;
      at += size;
    }
    writeAll(seg.fd, buf, seg.size);
    if (indexEntries.length > 0) {
      const ib = Buffer.allocUnsafe(indexEntries.length * 4);
      for (let i = 0; i < indexEntries.length; i += 2) {
        ib.writeUInt32BE(indexEntries[i] - seg.baseOffset, i * 4);
        ib.writeUInt32BE(indexEntries[i + 1], i * 4 + 4);
      }
      writeAll(seg.indexFd, ib, (seg.index.length / 2) * 8);
      for (const v of indexEntries) seg.index.push(v);
    }
    seg.size += buf.length;
    seg.nextOffset = next;
    seg.dirty = true;
    if (this.options.flush === "batch") this.flush();
    return bases;
  }

  private roll(): Segment {
    this.flush();
    const seg = this.openSegment(this.logEndOffset, true);
    this.segments.push(seg);
    return seg;
  }

  /**
   * Whole batches starting with the one that contains `offset`, up to `maxBytes` (but always at least
   * one batch). Null when `offset` is at or past the log end. Offsets below the log start read from
   * the first batch.
   */
  read(offset: number, maxBytes: number): Buffer | null {
    if (offset >= this.logEndOffset) return null;
    let si = this.findSegment(offset);
    while (si < this.segments.length && (this.segments[si].size === 0 || offset >= this.segments[si].nextOffset)) si++;
    if (si >= this.segments.length) return null;
    const seg = this.segments[si];

    // Start at the last index entry at or before the offset, then walk batch headers.
    let cur = 0;
    const idx = seg.index;
    let lo = 0;
    let hi = idx.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (idx[mid * 2] <= offset) {
        cur = idx[mid * 2 + 1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const chunkLen = Math.max(maxBytes, 16 * 1024);
    let buf = readAt(seg.fd, cur, Math.min(chunkLen, seg.size - cur));
    let p = 0;
    for (;;) {
      if (p + 27 > buf.length) {
        cur += p;
        if (cur >= seg.size) return null;
        buf = readAt(seg.fd, cur, Math.min(chunkLen, seg.size - cur));
        p = 0;
        if (buf.length < 27) return null;
        continue;
      }
      const last = readInt64(buf, p) + buf.readInt32BE(p + 23);
      if (last >= offset) break;
      p += LOG_OVERHEAD + buf.readInt32BE(p + 8);
    }
    // Collect whole batches from p.
    let q = p;
    while (q + LOG_OVERHEAD <= buf.length) {
      const size = LOG_OVERHEAD + buf.readInt32BE(q + 8);
      if (q > p && q + size - p > maxBytes) break;
      if (q + size > buf.length) {
        if (q === p) return readAt(seg.fd, cur + p, size); // first batch not fully in the chunk
        break;
      }
      q += size;
    }
    return buf.subarray(p, q);
  }

  private findSegment(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.segments[mid].baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The first offset whose record timestamp is >= `timestamp`, with that timestamp; null if none. */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    for (const seg of this.segments) {
      if (seg.size === 0 || seg.maxTimestamp < timestamp) continue;
      let found: { pos: number; h: BatchHeader } | null = null;
      scanSegment(seg.fd, seg.size, 0, false, (h, pos) => {
        if (!found && h.maxTimestamp >= timestamp) found = { pos, h };
      });
      if (!found) continue;
      const { pos, h } = found as { pos: number; h: BatchHeader };
      const times = recordTimes(readAt(seg.fd, pos, h.size));
      const hit = times?.find((t) => t.timestamp >= timestamp && t.offset >= this.logStartOffset);
      if (hit) return hit;
      return { offset: Math.max(h.baseOffset, this.logStartOffset), timestamp: h.maxTimestamp };
    }
    return null;
  }

  /** Deletes whole sealed segments past the retention limits. Returns how many were deleted. */
  applyRetention(now: number, retentionMs = this.options.retentionMs, retentionBytes = this.options.retentionBytes): number {
    let deleted = 0;
    let total = this.size;
    while (this.segments.length > 1) {
      const seg = this.segments[0];
      const tooOld = retentionMs >= 0 && seg.maxTimestamp >= 0 && seg.maxTimestamp < now - retentionMs;
      const tooBig = retentionBytes >= 0 && total - seg.size >= retentionBytes;
      if (!tooOld && !tooBig) break;
      this.segments.shift();
      fs.closeSync(seg.fd);
      fs.closeSync(seg.indexFd);
      fs.rmSync(seg.logPath, { force: true });
      fs.rmSync(seg.indexPath, { force: true });
      total -= seg.size;
      deleted++;
    }
    this.logStartOffset = Math.max(this.logStartOffset, this.segments[0].baseOffset);
    return deleted;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Where the next cleaning's new data starts (offsets below were cleaned before). */
  get firstDirtyOffset(): number {
    return Math.max(this.checkpoint.firstDirtyOffset, this.logStartOffset);
  }

  /**
   * Bytes of sealed segments not cleaned yet over all sealed bytes (Kafka's dirty ratio; 0 when
   * there is no sealed segment). The active segment is not cleanable, so it counts in neither.
   */
  dirtyRatio(): number {
    let dirty = 0;
    let total = 0;
    for (const seg of this.segments.slice(0, -1)) {
      total += seg.size;
      if (seg.baseOffset >= this.firstDirtyOffset) dirty += seg.size;
    }
    return total === 0 ? 0 : dirty / total;
  }

  /** Whether the cleaner should clean this log now: enough dirty bytes, or a tombstone horizon passed. */
  needsCleaning(now: number, minCleanableDirtyRatio: number): boolean {
    if (this.segments.length < 2) return false;
    const hasDirty = this.segments.some((s, i) => i < this.segments.length - 1 && s.size > 0 && s.baseOffset >= this.firstDirtyOffset);
    if (hasDirty && this.dirtyRatio() >= minCleanableDirtyRatio) return true;
    const horizon = this.checkpoint.deleteHorizonMs;
    return horizon !== null && now >= horizon;
  }

  /** Calls `each` with every batch (buffer, position in it, header) of a segment, in order. */
  private eachBatch(seg: Segment, each: (buf: Buffer, at: number, h: BatchHeader) => void): void {
    let pos = 0;
    while (pos < seg.size) {
      const chunk = readAt(seg.fd, pos, Math.min(SCAN_CHUNK, seg.size - pos));
      let p = 0;
      while (p + LOG_OVERHEAD <= chunk.length) {
        const size = LOG_OVERHEAD + chunk.readInt32BE(p + 8);
        if (p + size > chunk.length) break;
        each(chunk, p, readBatchHeader(chunk, p));
        p += size;
      }
      if (p === 0) {
        const size = LOG_OVERHEAD + chunk.readInt32BE(8); // one batch larger than the chunk
        const whole = readAt(seg.fd, pos, size);
        each(whole, 0, readBatchHeader(whole, 0));
        p = size;
      }
      pos += p;
    }
  }

  /**
   * Log compaction, as Kafka's log cleaner does it. The offset map (key -> latest offset) is built
   * from the dirty section [firstDirtyOffset, base offset of the active segment); then every sealed
   * segment is rewritten keeping, for each key, only the record at its latest offset. Records keep
   * their offsets (gaps are normal), batches keep their base offset and last offset delta, records
   * without a key are dropped, and a batch left empty is dropped unless it holds an active
   * producer's last sequence or ends the cleaned range (then its header is kept, with no records).
   * A batch kept with tombstones gets a delete horizon (now + deleteRetentionMs) the first time;
   * once a later cleaning runs past it, its tombstones go. Segments are cleaned in groups whose
   * total size fits in segment.bytes, each group replacing its segments crash-safely (see the top
   * of this file). Batches in a codec the broker cannot read are kept whole and add no keys.
   */
  clean(options: CleanOptions): CleanResult {
    if (this.closed) throw new Error(`partition log ${this.dir} is closed`);
    const started = process.hrtime.bigint();
    const segmentsBefore = this.segments.length;
    const bytesBefore = this.size;
    const firstUncleanable = this.active.baseOffset;
    const firstDirty = this.firstDirtyOffset;
    const sealed = this.segments.slice(0, -1);
    const result: CleanResult = { segmentsBefore, segmentsAfter: segmentsBefore, bytesBefore, bytesAfter: bytesBefore, recordsRead: 0, recordsKept: 0, firstDirtyOffset: firstDirty, cleanedTo: firstUncleanable, keys: 0, durationMs: 0 };
    if (sealed.length === 0) return result;

    // 1. The offset map, from the dirty section.
    const latest = new Map<string, number>();
    for (const seg of sealed) {
      if (seg.size === 0 || seg.nextOffset <= firstDirty) continue;
      this.eachBatch(seg, (buf, at, h) => {
        if (h.baseOffset + h.lastOffsetDelta < firstDirty || (h.attributes & CONTROL_FLAG) !== 0) return;
        const records = batchRecords(buf, at);
        if (!records) return;
        for (const r of records) {
          const offset = h.baseOffset + r.offsetDelta;
          if (r.key !== null && offset >= firstDirty) latest.set(r.key.toString("latin1"), offset);
        }
      });
    }
    result.keys = latest.size;

    // 2. Groups of consecutive sealed segments whose sizes add up to at most segment.bytes (and
    //    whose offsets fit the index's 32-bit relative offsets).
    const groups: Segment[][] = [];
    for (let i = 0; i < sealed.length; ) {
      const group = [sealed[i]];
      let bytes = sealed[i].size;
      i++;
      while (i < sealed.length) {
        const next = sealed[i];
        const end = i + 1 < this.segments.length ? this.segments[i + 1].baseOffset : firstUncleanable;
        if (bytes + next.size > this.options.segmentBytes || end - group[0].baseOffset > 0x7fffffff) break;
        group.push(next);
        bytes += next.size;
        i++;
      }
      groups.push(group);
    }

    // 3. Rewrite each group and swap it in.
    let pendingHorizon: number | null = null;
    const noteHorizon = (ms: number) => {
      pendingHorizon = pendingHorizon === null ? ms : Math.min(pendingHorizon, ms);
    };
    for (const group of groups) {
      const base = group[0].baseOffset;
      const gi = this.segments.indexOf(group[0]);
      const end = this.segments[gi + group.length].baseOffset;
      const name = segmentName(base);
      const cleanedLog = path.join(this.dir, `${name}.log.cleaned`);
      const cleanedIndex = path.join(this.dir, `${name}.index.cleaned`);
      const out = fs.openSync(cleanedLog, "w", 0o644);
      const index: number[] = [];
      let size = 0;
      let lastIndexedPos = 0;
      const write = (b: Buffer, batchBase: number) => {
        if (size === 0 || size - lastIndexedPos >= this.options.indexIntervalBytes) {
          index.push(batchBase, size);
          lastIndexedPos = size;
        }
        writeAll(out, b, size);
        size += b.length;
      };
      try {
        for (const seg of group) {
          if (seg.size === 0) continue;
          this.eachBatch(seg, (buf, at, h) => {
            const lastOffset = h.baseOffset + h.lastOffsetDelta;
            const records = (h.attributes & CONTROL_FLAG) === 0 ? batchRecords(buf, at) : null;
            if (!records) {
              result.recordsRead += h.recordCount;
              result.recordsKept += h.recordCount;
              write(buf.subarray(at, at + h.size), h.baseOffset);
              return;
            }
            const flagged = (h.attributes & DELETE_HORIZON_FLAG) !== 0;
            const horizonPassed = flagged && options.now >= h.baseTimestamp;
            const kept: RecordEntry[] = [];
            let tombstones = false;
            for (const r of records) {
              if (r.key === null) continue; // Kafka's cleaner drops records without a key
              const offset = h.baseOffset + r.offsetDelta;
              const newest = latest.get(r.key.toString("latin1"));
              if (newest !== undefined && offset < newest) continue;
              if (r.tombstone && horizonPassed) continue;
              kept.push(r);
              if (r.tombstone) tombstones = true;
            }
            result.recordsRead += records.length;
            result.recordsKept += kept.length;
            const setHorizon = tombstones && !flagged;
            if (tombstones) noteHorizon(flagged ? h.baseTimestamp : options.now + options.deleteRetentionMs);
            if (kept.length === records.length && !setHorizon) {
              write(buf.subarray(at, at + h.size), h.baseOffset);
              return;
            }
            if (kept.length === 0) {
              const lastOfProducer = h.producerId >= 0 && (options.isLastOfProducer?.(h.producerId, lastOffset) ?? false);
              if (!lastOfProducer && lastOffset + 1 !== firstUncleanable) return; // dropped
            }
            write(rebuildBatch(buf, at, kept, setHorizon ? options.now + options.deleteRetentionMs : null), h.baseOffset);
          });
        }
        fs.fsyncSync(out);
      } finally {
        fs.closeSync(out);
      }
      writeIndexFile(cleanedIndex, base, index);
      this.swapIn(group, gi, base, end, cleanedLog, cleanedIndex);
    }

    this.checkpoint = { firstDirtyOffset: firstUncleanable, deleteHorizonMs: pendingHorizon };
    this.writeCheckpoint();
    result.segmentsAfter = this.segments.length;
    result.bytesAfter = this.size;
    result.durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    return result;
  }

  /** Replaces the segments of `group` (at `gi`) by the cleaned files, crash-safely. */
  private swapIn(group: Segment[], gi: number, base: number, end: number, cleanedLog: string, cleanedIndex: string): void {
    const name = segmentName(base);
    const swap = path.join(this.dir, `${name}.log.${segmentName(end)}.swap`);
    fs.renameSync(cleanedLog, swap); // from here on the new segment is the one recovery keeps
    fsyncDir(this.dir);
    for (const seg of group) {
      fs.closeSync(seg.fd);
      fs.closeSync(seg.indexFd);
      fs.rmSync(seg.logPath, { force: true });
      fs.rmSync(seg.indexPath, { force: true });
    }
    fs.renameSync(cleanedIndex, path.join(this.dir, `${name}.index`));
    fs.renameSync(swap, path.join(this.dir, `${name}.log`));
    fsyncDir(this.dir);
    const seg = this.openSegment(base, false);
    if (seg.size === 0) seg.nextOffset = gi > 0 ? this.segments[gi - 1].nextOffset : base;
    this.segments.splice(gi, group.length, seg);
  }

  /** fsync every segment written since the last flush. */
  flush(): void {
    for (const seg of this.segments) {
      if (!seg.dirty) continue;
      fs.fdatasyncSync(seg.fd);
      fs.fdatasyncSync(seg.indexFd);
      seg.dirty = false;
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    for (const seg of this.segments) {
      fs.closeSync(seg.fd);
      fs.closeSync(seg.indexFd);
    }
    this.closed = true;
  }
}
