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
