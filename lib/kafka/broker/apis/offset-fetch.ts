/**
 * OffsetFetch (API key 9), versions 1-8: committed offsets (-1 and error 0 when none). Null topics
 * = every committed partition of the group. v8 asks for several groups in one request.
 */
import { ErrorCode } from "../protocol/error-codes";
import { OffsetStore } from "../storage/offset-store";
import { Message } from "../protocol/schema";
import { Handler } from "./context";

function groupOffsets(offsets: OffsetStore, groupId: string, requested: Message[] | null): Message[] {
  const topics: Message[] =
    requested ?? [...offsets.committed(groupId).entries()].map(([name, parts]) => ({ name, partitionIndexes: [...parts.keys()].sort((a, b) => a - b) }));
  return topics.map((t) => ({
    name: t.name,
    partitions: (t.partitionIndexes as number[]).map((p) => {
      const c = offsets.get(groupId, t.name, p);
      return { partitionIndex: p, committedOffset: c ? c.offset : -1, committedLeaderEpoch: -1, metadata: c ? c.metadata : "", errorCode: ErrorCode.NONE };
    }),
  }));
}

export const handleOffsetFetch: Handler = (ctx, req) => {
  const offsets = ctx.broker.coordinator.offsets;
  if (ctx.apiVersion >= 8) {
    const groups = (req.groups as Message[]).map((g) => ({ groupId: g.groupId, topics: groupOffsets(offsets, g.groupId, g.topics), errorCode: ErrorCode.NONE }));
    return { throttleTimeMs: 0, groups };
  }
  return { throttleTimeMs: 0, topics: groupOffsets(offsets, req.groupId, req.topics), errorCode: ErrorCode.NONE };
};
