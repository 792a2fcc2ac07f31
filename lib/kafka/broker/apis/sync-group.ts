/** SyncGroup (API key 14), versions 0-3. */
import { Writer } from "../protocol/codec";
import { Handler } from "./context";

export const handleSyncGroup: Handler = async (ctx, r) => {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const generation = r.int32();
  const memberId = r.string();
  if (v >= 3) r.nullableString();
  const assignments = r.array((x) => ({ memberId: x.string(), assignment: x.bytes() ?? Buffer.alloc(0) }));
  const res = await ctx.broker.coordinator.sync(groupId, generation, memberId, assignments);
  const w = new Writer();
  if (v >= 1) w.int32(0);
  return w.int16(res.error).bytes(res.assignment);
};
