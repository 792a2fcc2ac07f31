/**
 * ListOffsets (API key 2), versions 1-7: -1 latest, -2 earliest, else the first offset whose batch
 * reaches the timestamp. -3 (the record with the largest timestamp, v7) would need the records
 * inside batches, which this broker does not decode: it answers UNSUPPORTED_VERSION for it.
 */
import { ErrorCode } from "../protocol/error-codes";
import { Message } from "../protocol/schema";
import { Handler } from "./context";

export const handleListOffsets: Handler = (ctx, req) => {
  const store = ctx.broker.store;
  const topics = (req.topics as Message[]).map((t) => ({
    name: t.name,
    partitions: (t.partitions as Message[]).map((p) => {
      const base = { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, timestamp: -1, offset: -1, leaderEpoch: 0 };
      const log = store.partition(t.name, p.partitionIndex)?.log;
      if (!log) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, leaderEpoch: -1 };
      if (p.timestamp === -1) return { ...base, offset: log.logEndOffset };
      if (p.timestamp === -2) return { ...base, offset: log.logStartOffset };
      if (p.timestamp < 0) return { ...base, errorCode: ErrorCode.UNSUPPORTED_VERSION };
      const found = log.offsetForTimestamp(p.timestamp);
      return found ? { ...base, offset: found.offset, timestamp: found.timestamp } : base;
    }),
  }));
  return { throttleTimeMs: 0, topics };
};
