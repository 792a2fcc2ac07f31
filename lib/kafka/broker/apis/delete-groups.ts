/** DeleteGroups (API key 42), versions 0-2: forgets empty groups and their committed offsets. */
import { Handler } from "./context";

export const handleDeleteGroups: Handler = (ctx, req) => ({
  throttleTimeMs: 0,
  results: (req.groupsNames as string[]).map((groupId) => ({ groupId, errorCode: ctx.broker.coordinator.deleteGroup(groupId) })),
});
