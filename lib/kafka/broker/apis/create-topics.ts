/** CreateTopics (API key 19), versions 0-7. Partitions -1 = the broker default; replication is 1. */
import { ErrorCode } from "../protocol/error-codes";
import { Message } from "../protocol/schema";
import { Handler } from "./context";
import { topicId } from "./topic-id";

export const handleCreateTopics: Handler = (ctx, req) => {
  const b = ctx.broker;
  const topics = (req.topics as Message[]).map((t) => {
    const configs: Record<string, string> = {};
    for (const c of t.configs as Message[]) if (c.value !== null) configs[c.name] = c.value;
    let partitions: number = t.numPartitions;
    if (partitions === -1) partitions = t.assignments.length > 0 ? t.assignments.length : b.defaultPartitions;
    const errorCode = req.validateOnly ? ErrorCode.NONE : b.createTopic(t.name, partitions, configs);
    const ok = errorCode === ErrorCode.NONE;
    return {
      name: t.name,
      topicId: topicId(t.name),
      errorCode,
      errorMessage: ok ? null : `topic ${t.name}: error ${errorCode}`,
      numPartitions: ok ? partitions : -1,
      replicationFactor: ok ? 1 : -1,
      configs: ok ? Object.entries(configs).map(([name, value]) => ({ name, value, readOnly: false, configSource: 1, isSensitive: false })) : null,
    };
  });
  return { throttleTimeMs: 0, topics };
};
