/** DescribeGroups (API key 15), versions 0-2. */
import { Writer } from "../protocol/codec";
import { ErrorCode } from "../protocol/error-codes";
import { Handler } from "./context";

export const handleDescribeGroups: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  const ids = r.array((x) => x.string());
  const w = new Writer();
  if (v >= 1) w.int32(0);
  return w.array(ids, (w, id) => {
    const d = ctx.broker.coordinator.describe(id);
    w.int16(ErrorCode.NONE).string(id).string(d.state).string(d.protocolType).string(d.protocol);
    w.array(d.members, (w, m) => w.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment));
  });
};
