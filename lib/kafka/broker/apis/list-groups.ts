/** ListGroups (API key 16), versions 0-2. */
import { Writer } from "../protocol/codec";
import { ErrorCode } from "../protocol/error-codes";
import { Handler } from "./context";

export const handleListGroups: Handler = (ctx) => {
  const w = new Writer();
  if (ctx.apiVersion >= 1) w.int32(0);
  return w.int16(ErrorCode.NONE).array(ctx.broker.coordinator.listGroups(), (w, g) => w.string(g.groupId).string(g.protocolType));
};
