/** CreateTopics (API key 19), versions 0-4. */
import { Writer } from "../protocol/codec";
import { Handler } from "./context";

export const handleCreateTopics: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  const b = ctx.broker;
  const requests = r.array((x) => {
    const name = x.string();
    const partitions = x.int32();
    x.int16(); // replication factor: a single broker has one replica
    const assignments = x.array((y) => ({ partition: y.int32(), brokers: y.array((z) => z.int32()) }));
    const configs: Record<string, string> = {};
    for (const c of x.array((y) => ({ name: y.string(), value: y.nullableString() }))) if (c.value !== null) configs[c.name] = c.value;
    return { name, partitions: partitions === -1 && assignments.length > 0 ? assignments.length : partitions, configs };
  });
  r.int32(); // timeout
  const validateOnly = v >= 1 ? r.bool() : false;
  const w = new Writer();
  if (v >= 2) w.int32(0);
  w.array(requests, (w, t) => {
    const partitions = t.partitions === -1 ? b.defaultPartitions : t.partitions;
    const error = validateOnly ? 0 : b.createTopic(t.name, partitions, t.configs);
    w.string(t.name).int16(error);
    if (v >= 1) w.string(error === 0 ? null : `topic ${t.name}: error ${error}`);
  });
  return w;
};
