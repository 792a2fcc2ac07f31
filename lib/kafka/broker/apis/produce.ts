/** Produce (API key 0), versions 3-7. */
import { Writer } from "../protocol/codec";
import { ErrorCode } from "../protocol/error-codes";
import { ProduceResult } from "../storage/log-store";
import { Handler } from "./context";

export const handleProduce: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  const store = ctx.broker.store;
  r.nullableString(); // transactional id
  const acks = r.int16();
  r.int32(); // timeout
  const now = Date.now();
  const topics = r.array((x) => {
    const name = x.string();
    const partitions = x.array((y) => {
      const index = y.int32();
      const records = y.bytes();
      const partition = store.partition(name, index);
      let result: ProduceResult;
      if (!partition) result = { error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1, logAppendTime: -1 };
      else if (!records || records.length === 0) result = { error: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1, logAppendTime: -1 };
      else result = partition.produce(records, now);
      return { index, result, logStartOffset: partition?.log.logStartOffset ?? -1 };
    });
    return { name, partitions };
  });
  if (acks === 0) return null;
  const w = new Writer();
  w.array(topics, (w, t) => {
    w.string(t.name).array(t.partitions, (w, p) => {
      w.int32(p.index).int16(p.result.error).int64(p.result.baseOffset).int64(p.result.logAppendTime);
      if (v >= 5) w.int64(p.logStartOffset);
    });
  });
  return w.int32(0); // throttle
};
