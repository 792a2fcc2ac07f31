/** OffsetFetch (API key 9), versions 1-4. */
import { Writer } from "../protocol/codec";
import { ErrorCode } from "../protocol/error-codes";
import { Handler } from "./context";

export const handleOffsetFetch: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const requested = r.nullableArray((x) => ({ name: x.string(), partitions: x.array((y) => y.int32()) }));
  const offsets = ctx.broker.coordinator.offsets;
  const topics =
    requested ??
    [...offsets.committed(groupId).entries()].map(([name, parts]) => ({ name, partitions: [...parts.keys()].sort((a, b) => a - b) }));
  const w = new Writer();
  if (v >= 3) w.int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name).array(t.partitions, (w, p) => {
      const c = offsets.get(groupId, t.name, p);
      w.int32(p).int64(c ? c.offset : -1).string(c ? c.metadata : "").int16(ErrorCode.NONE);
    });
  });
  if (v >= 2) w.int16(ErrorCode.NONE);
  return w;
};
