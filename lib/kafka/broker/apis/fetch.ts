/**
 * Fetch (API key 1), versions 4-17, sessionless; from v13 topics are named by id (see topic-id.ts).
 * A fetch returns whole batches starting with the one containing the fetch offset; when fewer than
 * min_bytes are available it is parked until an append to one of its partitions or max_wait_ms.
 */
import { Message } from "../protocol/schema";
import { ErrorCode } from "../protocol/error-codes";
import { Handler, RequestContext } from "./context";
import { topicName } from "./topic-id";

interface FetchPartition {
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
}

interface PartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  abortedTransactions: never[];
  preferredReadReplica: number;
  records: Buffer | null;
}

const NO_RECORDS = Buffer.alloc(0);
const NO_ABORTED: never[] = [];

function readAll(ctx: RequestContext, req: Message): { responses: { topic: string | null; topicId: string; partitions: PartitionData[] }[]; bytes: number; error: boolean } {
  const store = ctx.broker.store;
  let budget: number = req.maxBytes;
  let bytes = 0;
  let error = false;
  const responses = (req.topics as Message[]).map((t) => ({
    topic: t.topic as string | null,
    topicId: t.topicId as string,
    partitions: (t.partitions as FetchPartition[]).map((p): PartitionData => {
      const out: PartitionData = {
        partitionIndex: p.partition,
        errorCode: ErrorCode.NONE,
        highWatermark: -1,
        lastStableOffset: -1,
        logStartOffset: -1,
        abortedTransactions: NO_ABORTED,
        preferredReadReplica: -1,
        records: NO_RECORDS,
      };
      const part = t.topic === null ? undefined : store.partition(t.topic, p.partition);
      if (!part) {
        out.errorCode = t.topic === null ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        error = true;
        return out;
      }
      const log = part.log;
      out.highWatermark = out.lastStableOffset = log.logEndOffset; // no transactions: last stable = high watermark
      out.logStartOffset = log.logStartOffset;
      if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.logEndOffset) {
        out.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
        error = true;
        return out;
      }
      // The first partition with data always gets at least one whole batch, whatever the limits.
      const limit = bytes === 0 ? Math.max(1, Math.min(p.partitionMaxBytes, budget)) : Math.min(p.partitionMaxBytes, budget);
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
  return { responses, bytes, error };
}

/** Sessionless: session id 0 answers "no session", which Kafka allows a broker to do. */
function response(result: ReturnType<typeof readAll>): Message {
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: result.responses };
}

/** From v13 topics are named by id: find their names (null for an unknown id). */
function resolveTopicIds(ctx: RequestContext, req: Message): void {
  if (ctx.apiVersion < 13) return;
  for (const t of req.topics as Message[]) t.topic = topicName(t.topicId, () => ctx.broker.store.topicNames());
}

export const handleFetch: Handler = async (ctx, req) => {
  resolveTopicIds(ctx, req);
  let result = readAll(ctx, req);
  if (result.bytes >= req.minBytes || req.maxWaitMs <= 0 || result.bytes > 0 || result.error) return response(result);

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
    for (const t of req.topics as Message[]) {
      for (const p of t.partitions as FetchPartition[]) {
        const part = t.topic === null ? undefined : ctx.broker.store.partition(t.topic, p.partition);
        if (part) unsubscribe.push(part.onAppend(done));
      }
    }
  });
  result = readAll(ctx, req);
  return response(result);
};
