/**
 * Consumer-group APIs: JoinGroup (11) v0-5, SyncGroup (14) v0-3, Heartbeat (12) v0-3,
 * LeaveGroup (13) v0-3, OffsetCommit (8) v2-5, OffsetFetch (9) v1-4, DescribeGroups (15) v0-2,
 * ListGroups (16) v0-2. The state machine lives in ../group-coordinator.ts.
 */
import { Writer } from "../codec";
import { ErrorCode } from "../error-codes";
import { Handler } from "./context";

export const handleJoinGroup: Handler = async (ctx, r) => {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = v >= 1 ? r.int32() : sessionTimeoutMs;
  const memberId = r.string();
  if (v >= 5) r.nullableString(); // group instance id (static membership is treated as dynamic)
  const protocolType = r.string();
  const protocols = r.array((x) => ({ name: x.string(), metadata: x.bytes() ?? Buffer.alloc(0) }));
  const res = await ctx.broker.coordinator.join({
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    memberId,
    clientId: ctx.clientId ?? "",
    clientHost: ctx.clientHost,
    protocolType,
    protocols,
    version: v,
  });
  const w = new Writer();
  if (v >= 2) w.int32(0);
  w.int16(res.error).int32(res.generationId).string(res.protocolName).string(res.leaderId).string(res.memberId);
  return w.array(res.members, (w, m) => {
    w.string(m.memberId);
    if (v >= 5) w.string(null);
    w.bytes(m.metadata);
  });
};

export const handleSyncGroup: Handler = async (ctx, r) => {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const generation = r.int32();
  const memberId = r.string();
  if (v >= 3) r.nullableString();
  const assignments = r.array((x) => ({ memberId: x.string(), assignment: x.bytes() ?? Buffer.alloc(0) }));
  const res = await ctx.broker.coordinator.sync(groupId, generation, memberId, assignments);
  const w = new Writer();
  if (v >= 1) w.int32(0);
  return w.int16(res.error).bytes(res.assignment);
};

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

export const handleLeaveGroup: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const w = new Writer();
  if (v >= 1) w.int32(0);
  if (v < 3) {
    const [error] = ctx.broker.coordinator.leave(groupId, [r.string()]);
    return w.int16(error);
  }
  const members = r.array((x) => ({ memberId: x.string(), instanceId: x.nullableString() }));
  const errors = ctx.broker.coordinator.leave(groupId, members.map((m) => m.memberId));
  w.int16(ErrorCode.NONE);
  return w.array(members, (w, m) => {
    w.string(m.memberId).string(m.instanceId).int16(errors[members.indexOf(m)]);
  });
};

export const handleOffsetCommit: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const generation = r.int32();
  const memberId = r.string();
  if (v <= 4) r.int64(); // retention time
  const topics = r.array((x) => ({
    name: x.string(),
    partitions: x.array((y) => ({ partition: y.int32(), offset: y.int64(), metadata: y.nullableString() })),
  }));
  const b = ctx.broker;
  const allowed = b.coordinator.canCommit(groupId, generation, memberId);
  const errors = topics.map((t) => t.partitions.map((p) => (allowed !== ErrorCode.NONE ? allowed : b.store.partition(t.name, p.partition) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)));
  const entries = topics.flatMap((t, i) => t.partitions.filter((_, j) => errors[i][j] === ErrorCode.NONE).map((p) => ({ topic: t.name, partition: p.partition, offset: p.offset, metadata: p.metadata })));
  if (entries.length > 0) b.coordinator.offsets.commit(groupId, entries);
  const w = new Writer();
  if (v >= 3) w.int32(0);
  return w.array(topics, (w, t) => {
    const i = topics.indexOf(t);
    w.string(t.name).array(t.partitions, (w, p) => w.int32(p.partition).int16(errors[i][t.partitions.indexOf(p)]));
  });
};

export const handleOffsetFetch: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const requested = r.nullableArray((x) => ({ name: x.string(), partitions: x.array((y) => y.int32()) }));
  const offsets = ctx.broker.coordinator.offsets;
  const topics =
    requested ??
    [...offsets.committed(groupId).entries()].map(([name, parts]) => ({ name, partitions: [...parts.keys()].sort((a, b) => a - b) }));
  const w = new Writer();
  if (v >= 3) w.int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name).array(t.partitions, (w, p) => {
      const c = offsets.get(groupId, t.name, p);
      w.int32(p).int64(c ? c.offset : -1).string(c ? c.metadata : "").int16(ErrorCode.NONE);
    });
  });
  if (v >= 2) w.int16(ErrorCode.NONE);
  return w;
};

export const handleDescribeGroups: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  const ids = r.array((x) => x.string());
  const w = new Writer();
  if (v >= 1) w.int32(0);
  return w.array(ids, (w, id) => {
    const d = ctx.broker.coordinator.describe(id);
    w.int16(ErrorCode.NONE).string(id).string(d.state).string(d.protocolType).string(d.protocol);
    w.array(d.members, (w, m) => w.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment));
  });
};

export const handleListGroups: Handler = (ctx) => {
  const w = new Writer();
  if (ctx.apiVersion >= 1) w.int32(0);
  return w.int16(ErrorCode.NONE).array(ctx.broker.coordinator.listGroups(), (w, g) => w.string(g.groupId).string(g.protocolType));
};
