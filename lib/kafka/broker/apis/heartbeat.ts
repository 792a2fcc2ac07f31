/** Heartbeat (API key 12), versions 0-4. */
import { Handler } from "./context";

export const handleHeartbeat: Handler = (ctx, req) => ({
  throttleTimeMs: 0,
  errorCode: ctx.broker.coordinator.heartbeat(req.groupId, req.generationId, req.memberId),
});
