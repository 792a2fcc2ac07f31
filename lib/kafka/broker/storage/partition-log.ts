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
  LOG_OVERHEAD,
  BatchHeader,
  checkBatch,
  readBatchHeader,
  readInt64,
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
}

export const DEFAULT_LOG_OPTIONS: LogOptions = {
  segmentBytes: 64 * 1024 * 1024,
  retentionBytes: -1,
  retentionMs: 7 * 24 * 3600 * 1000,
  indexIntervalBytes: 4096,
  flush: "interval",
};

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

export class PartitionLog {
  private segments: Segment[] = [];
  private closed = false;
  logStartOffset = 0;
  /** Headers of idempotent batches found while recovering the last segment (for producer state). */
  recoveredProducerBatches: BatchHeader[] = [];

  private constructor(readonly dir: string, readonly options: LogOptions) {}

  /** Opens (creating if needed) the partition folder and recovers its segments. */
  static open(dir: string, options: LogOptions): PartitionLog {
    fs.mkdirSync(dir, { recursive: true });
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
    return log;
  }

  private openSegment(baseOffset: number, active: boolean): Segment {
    const name = segmentName(baseOffset);
    const logPath = path.join(this.dir, `${name}.log`);
    const indexPath = path.join(this.dir, `${name}.index`);
    const fd = fs.openSync(logPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    const indexFd = fs.openSync(indexPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    const fileSize = fs.fstatSync(fd).size;
    const seg: Segment = { baseOffset, nextOffset: baseOffset, size: 0, maxTimestamp: -1, fd, indexFd, index: [], lastIndexedPos: 0, logPath, indexPath, dirty: false };

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
    if (seg.size > 0 && seg.size + buf.length > this.options.segmentBytes) seg = this.roll();
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
