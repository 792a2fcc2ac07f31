/** FindCoordinator (API key 10), versions 0-2. */
import { Writer } from "../protocol/codec";
import { ErrorCode } from "../protocol/error-codes";
import { Handler } from "./context";

export const handleFindCoordinator: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  r.string(); // key (group id or transactional id)
  if (v >= 1) r.int8(); // key type
  const b = ctx.broker;
  const w = new Writer();
  if (v >= 1) w.int32(0);
  w.int16(ErrorCode.NONE);
  if (v >= 1) w.string(null);
  return w.int32(b.nodeId).string(b.host).int32(b.port);
};
