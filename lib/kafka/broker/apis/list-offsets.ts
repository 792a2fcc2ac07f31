/** ListOffsets (API key 2), versions 1-3. */
import { Writer } from "../protocol/codec";
import { ErrorCode } from "../protocol/error-codes";
import { Handler } from "./context";

export const handleListOffsets: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  r.int32(); // replica id
  if (v >= 2) r.int8(); // isolation level
  const topics = r.array((x) => ({
    name: x.string(),
    partitions: x.array((y) => ({ partition: y.int32(), timestamp: y.int64() })),
  }));
  const store = ctx.broker.store;
  const w = new Writer();
  if (v >= 2) w.int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name).array(t.partitions, (w, p) => {
      const log = store.partition(t.name, p.partition)?.log;
      if (!log) {
        w.int32(p.partition).int16(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).int64(-1).int64(-1);
        return;
      }
      let found = { offset: -1, timestamp: -1 };
      if (p.timestamp === -1) found = { offset: log.logEndOffset, timestamp: -1 };
      else if (p.timestamp === -2) found = { offset: log.logStartOffset, timestamp: -1 };
      else found = log.offsetForTimestamp(p.timestamp) ?? { offset: -1, timestamp: -1 };
      w.int32(p.partition).int16(ErrorCode.NONE).int64(found.timestamp).int64(found.offset);
    });
  });
  return w;
};
