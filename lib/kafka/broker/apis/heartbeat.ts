/** Heartbeat (API key 12), versions 0-3. */
import { Writer } from "../protocol/codec";
import { Handler } from "./context";

export const handleHeartbeat: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const generation = r.int32();
  const memberId = r.string();
  if (v >= 3) r.nullableString();
  const w = new Writer();
  if (v >= 1) w.int32(0);
  return w.int16(ctx.broker.coordinator.heartbeat(groupId, generation, memberId));
};
