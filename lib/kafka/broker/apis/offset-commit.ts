/** OffsetCommit (API key 8), versions 2-8. The metadata string is kept and returned by OffsetFetch. */
import { ErrorCode } from "../protocol/error-codes";
import { Message } from "../protocol/schema";
import { Handler } from "./context";

export const handleOffsetCommit: Handler = (ctx, req) => {
  const b = ctx.broker;
  const groupId: string = req.groupId;
  const allowed = b.coordinator.canCommit(groupId, req.generationIdOrMemberEpoch, req.memberId);
  const entries: { topic: string; partition: number; offset: number; metadata: string | null }[] = [];
  const topics = (req.topics as Message[]).map((t) => ({
    name: t.name,
    partitions: (t.partitions as Message[]).map((p) => {
      let errorCode: number = allowed;
      if (errorCode === ErrorCode.NONE && !b.store.partition(t.name, p.partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (errorCode === ErrorCode.NONE) entries.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata });
      return { partitionIndex: p.partitionIndex, errorCode };
    }),
  }));
  if (entries.length > 0) b.coordinator.offsets.commit(groupId, entries);
  return { throttleTimeMs: 0, topics };
};
