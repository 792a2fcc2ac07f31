/** OffsetCommit (API key 8), versions 2-5. */
import { Writer } from "../protocol/codec";
import { ErrorCode } from "../protocol/error-codes";
import { Handler } from "./context";

export const handleOffsetCommit: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const generation = r.int32();
  const memberId = r.string();
  if (v <= 4) r.int64(); // retention time
  const topics = r.array((x) => ({
    name: x.string(),
    partitions: x.array((y) => ({ partition: y.int32(), offset: y.int64(), metadata: y.nullableString() })),
  }));
  const b = ctx.broker;
  const allowed = b.coordinator.canCommit(groupId, generation, memberId);
  const errors = topics.map((t) => t.partitions.map((p) => (allowed !== ErrorCode.NONE ? allowed : b.store.partition(t.name, p.partition) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)));
  const entries = topics.flatMap((t, i) => t.partitions.filter((_, j) => errors[i][j] === ErrorCode.NONE).map((p) => ({ topic: t.name, partition: p.partition, offset: p.offset, metadata: p.metadata })));
  if (entries.length > 0) b.coordinator.offsets.commit(groupId, entries);
  const w = new Writer();
  if (v >= 3) w.int32(0);
  return w.array(topics, (w, t) => {
    const i = topics.indexOf(t);
    w.string(t.name).array(t.partitions, (w, p) => w.int32(p.partition).int16(errors[i][t.partitions.indexOf(p)]));
  });
};
