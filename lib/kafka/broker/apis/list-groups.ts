/** ListGroups (API key 16), versions 0-4 (v4 filters by state). */
import { ErrorCode } from "../protocol/error-codes";
import { Handler } from "./context";

export const handleListGroups: Handler = (ctx, req) => {
  const states = new Set((req.statesFilter as string[]).map((s) => s.toLowerCase()));
  const groups = ctx.broker.coordinator
    .listGroups()
    .filter((g) => states.size === 0 || states.has(g.state.toLowerCase()))
    .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: "classic" }));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
};
