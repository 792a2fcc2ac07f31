/** Produce (API key 0), versions 3-11. acks=0 gets no response at all. */
import { ErrorCode } from "../protocol/error-codes";
import { Message } from "../protocol/schema";
import { ProduceResult } from "../storage/log-store";
import { Handler } from "./context";

export const handleProduce: Handler = (ctx, req) => {
  const store = ctx.broker.store;
  const now = Date.now();
  const responses = (req.topicData as Message[]).map((t) => ({
    name: t.name,
    partitionResponses: (t.partitionData as Message[]).map((p) => {
      const records = p.records as Buffer | null;
      const partition = store.partition(t.name, p.index);
      let result: ProduceResult;
      if (!partition) result = { error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1, logAppendTime: -1 };
      else if (!records || records.length === 0) result = { error: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1, logAppendTime: -1 };
      else result = partition.produce(records, now);
      return {
        index: p.index,
        errorCode: result.error,
        baseOffset: result.baseOffset,
        logAppendTimeMs: result.logAppendTime,
        logStartOffset: partition?.log.logStartOffset ?? -1,
        recordErrors: result.recordErrors ?? [],
        errorMessage: result.errorMessage ?? null,
      };
    }),
  }));
  if (req.acks === 0) return null;
  return { responses, throttleTimeMs: 0 };
};
