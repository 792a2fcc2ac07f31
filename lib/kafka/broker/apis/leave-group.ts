/** LeaveGroup (API key 13), versions 0-5 (v3+ a members array with an error each). */
import { ErrorCode } from "../protocol/error-codes";
import { Message } from "../protocol/schema";
import { Handler } from "./context";

export const handleLeaveGroup: Handler = (ctx, req) => {
  if (ctx.apiVersion < 3) {
    const [errorCode] = ctx.broker.coordinator.leave(req.groupId, [req.memberId]);
    return { throttleTimeMs: 0, errorCode };
  }
  const members = req.members as Message[];
  const errors = ctx.broker.coordinator.leave(
    req.groupId,
    members.map((m) => m.memberId),
  );
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    members: members.map((m, i) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: errors[i] })),
  };
};
