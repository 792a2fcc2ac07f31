/**
 * Fetch (API key 1), versions 4-11, sessionless.
 * A fetch returns whole batches starting with the one containing the fetch offset; when fewer than
 * min_bytes are available it is parked until an append to one of its partitions or max_wait_ms.
 */
import { Reader, Writer } from "../protocol/codec";
import { ErrorCode } from "../protocol/error-codes";
import { Handler, RequestContext } from "./context";

interface FetchPartition {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
}

interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  topics: { topic: string; partitions: FetchPartition[] }[];
}

function decodeFetch(v: number, r: Reader): FetchRequest {
  r.int32(); // replica id
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = r.int32();
  r.int8(); // isolation level: there are no transactions, so both levels read the same
  if (v >= 7) {
    r.int32(); // session id
    r.int32(); // session epoch
  }
  const topics = r.array((x) => ({
    topic: x.string(),
    partitions: x.array((y) => {
      const partition = y.int32();
      if (v >= 9) y.int32(); // current leader epoch
      const fetchOffset = y.int64();
      if (v >= 5) y.int64(); // log start offset (followers only)
      return { partition, fetchOffset, maxBytes: y.int32() };
    }),
  }));
  if (v >= 7) r.array((x) => [x.string(), x.array((y) => y.int32())]); // forgotten topics
  if (v >= 11) r.string(); // rack id
  return { maxWaitMs, minBytes, maxBytes, topics };
}

interface PartitionData {
  partition: number;
  error: number;
  highWatermark: number;
  logStartOffset: number;
  records: Buffer | null;
}

function readAll(ctx: RequestContext, req: FetchRequest): { topics: { topic: string; partitions: PartitionData[] }[]; bytes: number } {
  const store = ctx.broker.store;
  let budget = req.maxBytes;
  let bytes = 0;
  const topics = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p): PartitionData => {
      const part = store.partition(t.topic, p.partition);
      if (!part) return { partition: p.partition, error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1, logStartOffset: -1, records: null };
      const log = part.log;
      const out: PartitionData = { partition: p.partition, error: ErrorCode.NONE, highWatermark: log.logEndOffset, logStartOffset: log.logStartOffset, records: null };
      if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.logEndOffset) {
        out.error = ErrorCode.OFFSET_OUT_OF_RANGE;
        return out;
      }
      // The first partition with data always gets at least one whole batch, whatever the limits.
      const limit = bytes === 0 ? Math.max(1, Math.min(p.maxBytes, budget)) : Math.min(p.maxBytes, budget);
      if (limit <= 0) return out;
      const data = log.read(p.fetchOffset, limit);
      if (data && (bytes === 0 || data.length <= limit)) {
        out.records = data;
        bytes += data.length;
        budget -= data.length;
      }
      return out;
    }),
  }));
  return { topics, bytes };
}

function encodeFetch(v: number, result: ReturnType<typeof readAll>): Writer {
  const w = new Writer();
  w.int32(0); // throttle
  if (v >= 7) w.int16(ErrorCode.NONE).int32(0); // error, session id (0: no session)
  w.array(result.topics, (w, t) => {
    w.string(t.topic).array(t.partitions, (w, p) => {
      w.int32(p.partition).int16(p.error).int64(p.highWatermark).int64(p.highWatermark); // last stable = high watermark
      if (v >= 5) w.int64(p.logStartOffset);
      w.array([], () => {}); // aborted transactions
      if (v >= 11) w.int32(-1); // preferred read replica
      w.bytes(p.records ?? Buffer.alloc(0));
    });
  });
  return w;
}

export const handleFetch: Handler = async (ctx, r) => {
  const v = ctx.apiVersion;
  const req = decodeFetch(v, r);
  let result = readAll(ctx, req);
  if (result.bytes >= req.minBytes || req.maxWaitMs <= 0 || result.bytes > 0) return encodeFetch(v, result);
  const hasError = result.topics.some((t) => t.partitions.some((p) => p.error !== ErrorCode.NONE));
  if (hasError) return encodeFetch(v, result);

  // Park until an append to one of the partitions, the wait time, or the connection closing.
  await new Promise<void>((resolve) => {
    const unsubscribe: (() => void)[] = [];
    const done = () => {
      clearTimeout(timer);
      for (const u of unsubscribe) u();
      ctx.signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, req.maxWaitMs);
    ctx.signal.addEventListener("abort", done);
    for (const t of req.topics) {
      for (const p of t.partitions) {
        const part = ctx.broker.store.partition(t.topic, p.partition);
        if (part) unsubscribe.push(part.onAppend(done));
      }
    }
  });
  result = readAll(ctx, req);
  return encodeFetch(v, result);
};
