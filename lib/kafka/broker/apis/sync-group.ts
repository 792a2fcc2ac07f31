/** SyncGroup (API key 14), versions 0-5. */
import { Message } from "../protocol/schema";
import { Handler } from "./context";

export const handleSyncGroup: Handler = async (ctx, req) => {
  const assignments = (req.assignments as Message[]).map((a) => ({ memberId: a.memberId, assignment: a.assignment ?? Buffer.alloc(0) }));
  const res = await ctx.broker.coordinator.sync(req.groupId, req.generationId, req.memberId, assignments);
  const group = res.error === 0 ? ctx.broker.coordinator.describe(req.groupId) : null;
  return {
    throttleTimeMs: 0,
    errorCode: res.error,
    protocolType: group ? group.protocolType : null,
    protocolName: group ? group.protocol : null,
    assignment: res.assignment,
  };
};
