/** JoinGroup (API key 11), versions 0-9. */
import { Message } from "../protocol/schema";
import { Handler } from "./context";

export const handleJoinGroup: Handler = async (ctx, req) => {
  const v = ctx.apiVersion;
  const res = await ctx.broker.coordinator.join({
    groupId: req.groupId,
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: v >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
    memberId: req.memberId,
    clientId: ctx.clientId ?? "",
    clientHost: ctx.clientHost,
    protocolType: req.protocolType,
    protocols: (req.protocols as Message[]).map((p) => ({ name: p.name, metadata: p.metadata ?? Buffer.alloc(0) })),
    version: v,
  });
  return {
    throttleTimeMs: 0,
    errorCode: res.error,
    generationId: res.generationId,
    protocolType: res.error === 0 ? req.protocolType : null,
    // From v7 the protocol name is null on errors; before, an empty string.
    protocolName: res.protocolName === "" && v >= 7 ? null : res.protocolName,
    leader: res.leaderId,
    skipAssignment: false,
    memberId: res.memberId,
    members: res.members.map((m) => ({ memberId: m.memberId, groupInstanceId: null, metadata: m.metadata })),
  };
};
