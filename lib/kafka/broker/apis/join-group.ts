/** JoinGroup (API key 11), versions 0-5. */
import { Writer } from "../protocol/codec";
import { Handler } from "./context";

export const handleJoinGroup: Handler = async (ctx, r) => {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = v >= 1 ? r.int32() : sessionTimeoutMs;
  const memberId = r.string();
  if (v >= 5) r.nullableString(); // group instance id (static membership is treated as dynamic)
  const protocolType = r.string();
  const protocols = r.array((x) => ({ name: x.string(), metadata: x.bytes() ?? Buffer.alloc(0) }));
  const res = await ctx.broker.coordinator.join({
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    memberId,
    clientId: ctx.clientId ?? "",
    clientHost: ctx.clientHost,
    protocolType,
    protocols,
    version: v,
  });
  const w = new Writer();
  if (v >= 2) w.int32(0);
  w.int16(res.error).int32(res.generationId).string(res.protocolName).string(res.leaderId).string(res.memberId);
  return w.array(res.members, (w, m) => {
    w.string(m.memberId);
    if (v >= 5) w.string(null);
    w.bytes(m.metadata);
  });
};
