/** Metadata (API key 3), versions 0-12. Null topics = all; unknown topics are auto-created when allowed. */
import { ErrorCode } from "../protocol/error-codes";
import { Message } from "../protocol/schema";
import { validTopicName } from "../storage/log-store";
import { Handler } from "./context";
import { topicId, topicName } from "./topic-id";

export const handleMetadata: Handler = (ctx, req) => {
  const v = ctx.apiVersion;
  const b = ctx.broker;
  const requested = req.topics as Message[] | null;
  let names: string[] | null = null;
  if (requested !== null && !(v === 0 && requested.length === 0)) {
    // v10+ may name a topic by id only (name null).
    names = requested.map((t) => t.name ?? topicName(t.topicId, () => b.store.topicNames()) ?? "");
  }
  const topics: Message[] = [];
  for (const name of names ?? b.store.topicNames()) {
    let topic = b.store.topic(name);
    if (!topic && names !== null) {
      if (!validTopicName(name)) {
        topics.push({ errorCode: name === "" ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.INVALID_TOPIC_EXCEPTION, name, partitions: [] });
        continue;
      }
      if (b.autoCreateTopics && req.allowAutoTopicCreation) {
        b.createTopic(name, b.defaultPartitions, {});
        topic = b.store.topic(name);
      }
    }
    if (!topic) {
      topics.push({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, topicId: "0".repeat(32), partitions: [] });
      continue;
    }
    topics.push({
      errorCode: ErrorCode.NONE,
      name,
      topicId: topicId(name),
      isInternal: false,
      partitions: topic.partitions.map((_, i) => ({
        errorCode: ErrorCode.NONE,
        partitionIndex: i,
        leaderId: b.nodeId,
        leaderEpoch: 0,
        replicaNodes: [b.nodeId],
        isrNodes: [b.nodeId],
        offlineReplicas: [],
      })),
    });
  }
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: b.nodeId, host: b.host, port: b.port, rack: null }],
    clusterId: b.clusterId,
    controllerId: b.nodeId,
    topics,
  };
};
