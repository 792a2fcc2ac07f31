/** LeaveGroup (API key 13), versions 0-3. */
import { Writer } from "../protocol/codec";
import { ErrorCode } from "../protocol/error-codes";
import { Handler } from "./context";

export const handleLeaveGroup: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const w = new Writer();
  if (v >= 1) w.int32(0);
  if (v < 3) {
    const [error] = ctx.broker.coordinator.leave(groupId, [r.string()]);
    return w.int16(error);
  }
  const members = r.array((x) => ({ memberId: x.string(), instanceId: x.nullableString() }));
  const errors = ctx.broker.coordinator.leave(groupId, members.map((m) => m.memberId));
  w.int16(ErrorCode.NONE);
  return w.array(members, (w, m) => {
    w.string(m.memberId).string(m.instanceId).int16(errors[members.indexOf(m)]);
  });
};
