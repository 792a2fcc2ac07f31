/** DescribeGroups (API key 15), versions 0-5. */
import { ErrorCode } from "../protocol/error-codes";
import { Handler } from "./context";

export const handleDescribeGroups: Handler = (ctx, req) => ({
  throttleTimeMs: 0,
  groups: (req.groups as string[]).map((id) => {
    const d = ctx.broker.coordinator.describe(id);
    return {
      errorCode: ErrorCode.NONE,
      groupId: id,
      groupState: d.state,
      protocolType: d.protocolType,
      protocolData: d.protocol,
      members: d.members.map((m) => ({ memberId: m.memberId, groupInstanceId: null, clientId: m.clientId, clientHost: m.clientHost, memberMetadata: m.metadata, memberAssignment: m.assignment })),
    };
  }),
});
