/** Metadata (API key 3), versions 0-6. */
import { Writer } from "../protocol/codec";
import { ErrorCode } from "../protocol/error-codes";
import { validTopicName } from "../storage/log-store";
import { Handler } from "./context";

export const handleMetadata: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  const b = ctx.broker;
  let names = r.nullableArray((x) => x.string());
  const allowAutoCreate = v >= 4 ? r.bool() : true;
  if (v === 0 && names !== null && names.length === 0) names = null; // v0: empty list = all topics

  const topics: { error: number; name: string; partitions: number }[] = [];
  for (const name of names ?? b.store.topicNames()) {
    let topic = b.store.topic(name);
    if (!topic && names !== null) {
      if (!validTopicName(name)) {
        topics.push({ error: ErrorCode.INVALID_TOPIC_EXCEPTION, name, partitions: 0 });
        continue;
      }
      if (b.autoCreateTopics && allowAutoCreate) {
        b.createTopic(name, b.defaultPartitions, {});
        topic = b.store.topic(name);
      }
    }
    topics.push(topic ? { error: ErrorCode.NONE, name, partitions: topic.partitions.length } : { error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, partitions: 0 });
  }

  const w = new Writer();
  if (v >= 3) w.int32(0); // throttle
  w.array([b.nodeId], (w, id) => {
    w.int32(id).string(b.host).int32(b.port);
    if (v >= 1) w.string(null); // rack
  });
  if (v >= 2) w.string(b.clusterId);
  if (v >= 1) w.int32(b.nodeId); // controller
  w.array(topics, (w, t) => {
    w.int16(t.error).string(t.name);
    if (v >= 1) w.bool(false); // internal
    w.array(Array.from({ length: t.partitions }, (_, i) => i), (w, p) => {
      w.int16(ErrorCode.NONE).int32(p).int32(b.nodeId);
      w.array([b.nodeId], (w, n) => w.int32(n)); // replicas
      w.array([b.nodeId], (w, n) => w.int32(n)); // isr
      if (v >= 5) w.array([], () => {}); // offline replicas
    });
  });
  return w;
};
