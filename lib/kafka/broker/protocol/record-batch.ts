/**
 * RecordBatch v2 (magic 2) header access. The broker stores batches exactly as producers sent them
 * (compressed or not); it only rewrites the base offset (outside the CRC) and, for LogAppendTime
 * topics, the timestamps (then it recomputes the CRC).
 */
import * as zlib from "node:zlib";
import { crc32c } from "./crc32c";
import { Reader } from "./codec";

export const BATCH_HEADER_BYTES = 61;
/** baseOffset (8) + batchLength (4): the bytes before what batchLength counts. */
export const LOG_OVERHEAD = 12;

const TWO_32 = 2 ** 32;

export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4);
}

export function writeInt64(buf: Buffer, at: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(v - hi * TWO_32, at + 4);
}

/** The header fields the broker looks at, for the batch starting at `at`. */
export interface BatchHeader {
  baseOffset: number;
  /** Whole batch size in bytes, including the 12-byte log overhead. */
  size: number;
  lastOffsetDelta: number;
  attributes: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export function batchSizeAt(buf: Buffer, at: number): number {
  return LOG_OVERHEAD + buf.readInt32BE(at + 8);
}

export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  return {
    baseOffset: readInt64(buf, at),
    size: LOG_OVERHEAD + buf.readInt32BE(at + 8),
    attributes: buf.readInt16BE(at + 21),
    lastOffsetDelta: buf.readInt32BE(at + 23),
    baseTimestamp: readInt64(buf, at + 27),
    maxTimestamp: readInt64(buf, at + 35),
    producerId: readInt64(buf, at + 43),
    producerEpoch: buf.readInt16BE(at + 51),
    baseSequence: buf.readInt32BE(at + 53),
    recordCount: buf.readInt32BE(at + 57),
  };
}

/** Why a batch is rejected: "corrupt" (bad framing or CRC), "format" (not magic 2). */
export type BatchProblem = "corrupt" | "format" | null;

/**
 * Checks the batch at `at` within `end`: complete, magic 2, sane header, CRC-32C matching.
 * Returns null when it is good.
 */
export function checkBatch(buf: Buffer, at: number, end: number): BatchProblem {
  if (end - at < BATCH_HEADER_BYTES) return "corrupt";
  const length = buf.readInt32BE(at + 8);
  if (length < BATCH_HEADER_BYTES - LOG_OVERHEAD || at + LOG_OVERHEAD + length > end) return "corrupt";
  if (buf.readInt8(at + 16) !== 2) return "format";
  if (buf.readInt32BE(at + 23) < 0 || buf.readInt32BE(at + 57) < 0) return "corrupt";
  const stored = buf.readUInt32BE(at + 17);
  if (crc32c(buf, at + 21, at + LOG_OVERHEAD + length) !== stored) return "corrupt";
  return null;
}

/** Sets the batch timestamps to the broker's append time (LogAppendTime topics) and fixes the CRC. */
export function stampLogAppendTime(buf: Buffer, at: number, now: number): void {
  const size = batchSizeAt(buf, at);
  buf.writeInt16BE(buf.readInt16BE(at + 21) | 0x08, at + 21);
  writeInt64(buf, at + 27, now);
  writeInt64(buf, at + 35, now);
  buf.writeUInt32BE(crc32c(buf, at + 21, at + size), at + 17);
}

/**
 * Offset and timestamp of every record in a batch, when the broker can read them (no compression
 * or gzip); null for other codecs. Used to answer ListOffsets by timestamp precisely.
 */
export function recordTimes(batch: Buffer): { offset: number; timestamp: number }[] | null {
  const h = readBatchHeader(batch);
  let body = batch.subarray(BATCH_HEADER_BYTES, h.size);
  const codec = h.attributes & 0x07;
  if (codec === 1) body = zlib.gunzipSync(body);
  else if (codec !== 0) return null;
  const logAppend = (h.attributes & 0x08) !== 0;
  const r = new Reader(body);
  const out: { offset: number; timestamp: number }[] = [];
  for (let i = 0; i < h.recordCount; i++) {
    const len = r.varint();
    const end = r.offset + len;
    r.int8(); // attributes
    const tsDelta = r.varlong();
    const offDelta = r.varint();
    out.push({ offset: h.baseOffset + offDelta, timestamp: logAppend ? h.maxTimestamp : h.baseTimestamp + tsDelta });
    r.offset = end;
  }
  return out;
}

/** Attributes bit 5: a control batch (transaction marker). */
export const CONTROL_FLAG = 0x20;
/**
 * Attributes bit 6 (KIP-534): the batch's base timestamp holds its delete horizon, the time after
 * which the log cleaner may remove its tombstones. Set by the cleaner the first time it keeps a
 * batch with tombstones; record timestamp deltas are then relative to that horizon.
 */
export const DELETE_HORIZON_FLAG = 0x40;

/** One record of a batch as the log cleaner sees it. */
export interface RecordEntry {
  offsetDelta: number;
  /** Absolute record timestamp (create time; base timestamp + delta). */
  timestamp: number;
  attributes: number;
  /** Null for a record without a key. */
  key: Buffer | null;
  /** A tombstone: the value is null. */
  tombstone: boolean;
  /** The bytes after the offset delta (key, value, headers), exactly as stored. */
  tail: Buffer;
}

/**
 * The records of a batch (no compression or gzip), or null for a codec the broker cannot read
 * (snappy, lz4, zstd: node:zlib has none of them in Node 20) or a malformed body.
 */
export function batchRecords(batch: Buffer, at = 0): RecordEntry[] | null {
  const h = readBatchHeader(batch, at);
  let body = batch.subarray(at + BATCH_HEADER_BYTES, at + h.size);
  const codec = h.attributes & 0x07;
  try {
    if (codec === 1) body = zlib.gunzipSync(body);
    else if (codec !== 0) return null;
    const r = new Reader(body);
    const out: RecordEntry[] = [];
    for (let i = 0; i < h.recordCount; i++) {
      const len = r.varint();
      const end = r.offset + len;
      const attributes = r.int8();
      const timestampDelta = r.varlong();
      const offsetDelta = r.varint();
      const tailStart = r.offset;
      const keyLen = r.varint();
      const key = keyLen < 0 ? null : r.raw(keyLen);
      const valueLen = r.varint();
      if (end > body.length || r.offset > end) return null;
      out.push({ offsetDelta, timestamp: h.baseTimestamp + timestampDelta, attributes, key, tombstone: valueLen < 0, tail: body.subarray(tailStart, end) });
      r.offset = end;
    }
    return out;
  } catch {
    return null;
  }
}

/** Zig-zag varint (up to 64-bit magnitudes, as doubles) appended to `out`. */
function pushVarlong(out: number[], v: number): void {
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  while (u >= 0x80) {
    out.push((u % 128) | 0x80);
    u = Math.floor(u / 128);
  }
  out.push(u);
}

function encodeRecord(rec: RecordEntry, baseTimestamp: number): Buffer {
  const head: number[] = [];
  head.push(rec.attributes & 0xff);
  pushVarlong(head, rec.timestamp - baseTimestamp);
  pushVarlong(head, rec.offsetDelta);
  const bodyLen = head.length + rec.tail.length;
  const len: number[] = [];
  pushVarlong(len, bodyLen);
  return Buffer.concat([Buffer.from(len), Buffer.from(head), rec.tail]);
}

/**
 * Rewrites the batch at `at` of `batch` keeping only `kept` (a subset of its records, in order), the
 * way Kafka's cleaner does: base offset, last offset delta, producer id/epoch/base sequence and
 * partition leader epoch are those of the original batch; records keep their offset deltas. With
 * `deleteHorizonMs`, the horizon is stored as the base timestamp (DELETE_HORIZON_FLAG set) and the
 * timestamp deltas are recomputed. An empty `kept` gives a header-only batch (record count 0, no
 * compression). The CRC-32C is recomputed.
 */
export function rebuildBatch(batch: Buffer, at: number, kept: RecordEntry[], deleteHorizonMs: number | null): Buffer {
  const h = readBatchHeader(batch, at);
  const logAppendTime = (h.attributes & 0x08) !== 0;
  let attributes = h.attributes;
  let baseTimestamp = h.baseTimestamp;
  if (deleteHorizonMs !== null) {
    attributes |= DELETE_HORIZON_FLAG;
    baseTimestamp = deleteHorizonMs;
  }
  let maxTimestamp = h.maxTimestamp;
  if (!logAppendTime && kept.length > 0) maxTimestamp = Math.max(...kept.map((r) => r.timestamp));
  let body: Buffer = Buffer.concat(kept.map((r) => encodeRecord(r, baseTimestamp)));
  if (kept.length === 0) attributes &= ~0x07;
  else if ((attributes & 0x07) === 1) body = zlib.gzipSync(body);
  const out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + body.length);
  batch.copy(out, 0, at, at + BATCH_HEADER_BYTES);
  out.writeInt32BE(out.length - LOG_OVERHEAD, 8);
  out.writeInt16BE(attributes, 21);
  writeInt64(out, 27, baseTimestamp);
  writeInt64(out, 35, maxTimestamp);
  out.writeInt32BE(kept.length, 57);
  body.copy(out, BATCH_HEADER_BYTES);
  out.writeUInt32BE(crc32c(out, 21, out.length), 17);
  return out;
}
