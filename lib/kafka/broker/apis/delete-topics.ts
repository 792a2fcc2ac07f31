/** DeleteTopics (API key 20), versions 0-1. */
import { Writer } from "../protocol/codec";
import { Handler } from "./context";

export const handleDeleteTopics: Handler = (ctx, r) => {
  const names = r.array((x) => x.string());
  r.int32(); // timeout
  const w = new Writer();
  if (ctx.apiVersion >= 1) w.int32(0);
  return w.array(names, (w, name) => w.string(name).int16(ctx.broker.deleteTopic(name)));
};
