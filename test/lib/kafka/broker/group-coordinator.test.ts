import { test } from "node:test";
import assert from "node:assert/strict";
import { GroupCoordinator, JoinRequest } from "../../../../lib/kafka/broker/groups/group-coordinator";
import { OffsetStore } from "../../../../lib/kafka/broker/storage/offset-store";
import { defer, tempDir, waitFor } from "../helpers";

function coordinator(t: Parameters<typeof tempDir>[0], initialRebalanceDelayMs = 0): GroupCoordinator {
  const offsets = new OffsetStore(tempDir(t), false);
  const c = new GroupCoordinator(offsets, { minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 60000, initialRebalanceDelayMs });
  defer(t, () => offsets.close());
  defer(t, () => c.close());
  return c;
}

function joinReq(memberId: string, protocols = ["range"], extra: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: "g",
    sessionTimeoutMs: 10000,
    rebalanceTimeoutMs: 2000,
    memberId,
    clientId: "c",
    clientHost: "127.0.0.1",
    protocolType: "consumer",
    protocols: protocols.map((name) => ({ name, metadata: Buffer.from(name) })),
    version: 5,
    ...extra,
  };
}

test("JoinGroup v4+ hands out a member id with MEMBER_ID_REQUIRED, then joins, syncs and is stable", async (t) => {
  const c = coordinator(t);
  const first = await c.join(joinReq(""));
  assert.equal(first.error, 79);
  assert.match(first.memberId, /^c-/);
  assert.equal((await c.join(joinReq("not-handed-out"))).error, 25, "UNKNOWN_MEMBER_ID");
  const joined = await c.join(joinReq(first.memberId));
  assert.equal(joined.error, 0);
  assert.equal(joined.generationId, 1);
  assert.equal(joined.leaderId, first.memberId);
  assert.equal(joined.protocolName, "range");
  assert.deepEqual(joined.members.map((m) => m.memberId), [first.memberId]);
  assert.equal(c.heartbeat("g", 1, first.memberId), 0, "heartbeat allowed while completing the rebalance");
  const sync = await c.sync("g", 1, first.memberId, [{ memberId: first.memberId, assignment: Buffer.from("a") }]);
  assert.deepEqual(sync, { error: 0, assignment: Buffer.from("a") });
  assert.equal(c.heartbeat("g", 0, first.memberId), 22, "ILLEGAL_GENERATION");
  assert.equal(c.heartbeat("g", 1, "someone"), 25);
  assert.equal(c.describe("g").state, "Stable");
});

test("a second member triggers a rebalance: heartbeat says 27 until both rejoin, and only the leader gets the members", async (t) => {
  const c = coordinator(t);
  const a = (await c.join(joinReq("", ["range", "roundrobin"], { version: 3 }))).memberId;
  await c.sync("g", 1, a, [{ memberId: a, assignment: Buffer.from("all") }]);
  const bJoin = c.join(joinReq("", ["roundrobin", "range"], { version: 3 }));
  assert.equal(c.heartbeat("g", 1, a), 27, "REBALANCE_IN_PROGRESS");
  assert.equal(c.canCommit("g", 1, a), 0, "commits with the old generation are allowed while preparing");
  const aJoin = await c.join(joinReq(a, ["range", "roundrobin"], { version: 3 }));
  const b = await bJoin;
  assert.equal(aJoin.generationId, 2);
  assert.equal(aJoin.leaderId, a);
  assert.equal(aJoin.members.length, 2);
  assert.equal(b.members.length, 0);
  assert.equal(c.canCommit("g", 2, a), 27, "no commits while completing the rebalance");
  const followerSync = c.sync("g", 2, b.memberId, []);
  await c.sync("g", 2, a, [
    { memberId: a, assignment: Buffer.from("p0") },
    { memberId: b.memberId, assignment: Buffer.from("p1") },
  ]);
  assert.deepEqual(await followerSync, { error: 0, assignment: Buffer.from("p1") });
  assert.deepEqual(c.leave("g", [b.memberId, "ghost"]), [0, 25]);
  assert.equal(c.heartbeat("g", 2, a), 27, "the leave starts a rebalance");
});

test("JoinGroup rejects bad session timeouts and members without a common protocol", async (t) => {
  const c = coordinator(t);
  assert.equal((await c.join(joinReq("", ["range"], { sessionTimeoutMs: 1000 }))).error, 26);
  const a = (await c.join(joinReq("", ["RoundRobinAssigner"], { version: 3 }))).memberId;
  assert.ok(a);
  assert.equal((await c.join(joinReq("", ["range", "roundrobin"], { version: 3 }))).error, 23, "INCONSISTENT_GROUP_PROTOCOL");
  assert.equal((await c.join(joinReq("", ["RoundRobinAssigner"], { version: 3, protocolType: "connect" }))).error, 23);
});

test("offset commits with generation -1 are allowed only for a group without members", async (t) => {
  const c = coordinator(t);
  assert.equal(c.canCommit("empty-group", -1, ""), 0);
  const a = (await c.join(joinReq("", ["range"], { version: 3 }))).memberId;
  assert.ok(a);
  assert.equal(c.canCommit("g", -1, ""), 25);
});

test("a member that stops heartbeating is removed after its session timeout", async (t) => {
  const offsets = new OffsetStore(tempDir(t), false);
  const c = new GroupCoordinator(offsets, { minSessionTimeoutMs: 10, maxSessionTimeoutMs: 60000, initialRebalanceDelayMs: 0 });
  defer(t, () => offsets.close());
  defer(t, () => c.close());
  const a = (await c.join(joinReq("", ["range"], { version: 3, sessionTimeoutMs: 200 }))).memberId;
  await c.sync("g", 1, a, [{ memberId: a, assignment: Buffer.alloc(0) }]);
  assert.equal(c.describe("g").members.length, 1);
  // Polled, not slept: the session timer fires at 200 ms at the earliest, later on a loaded machine.
  await waitFor(() => c.describe("g").members.length === 0, 30000, "the silent member to be removed");
  assert.equal(c.describe("g").state, "Empty");
});

test("a group whose members all left is Empty but still a consumer group, and only an empty group can be deleted", async (t) => {
  const c = coordinator(t);
  const joined = await c.join(joinReq("", ["range"], { version: 3 }));
  assert.equal(joined.error, 0);
  assert.equal((await c.sync("g", joined.generationId, joined.memberId, [{ memberId: joined.memberId, assignment: Buffer.from("a") }])).error, 0);
  assert.equal(c.deleteGroup("g"), 68, "NON_EMPTY_GROUP while it has a member");
  assert.deepEqual(c.leave("g", [joined.memberId]), [0]);
  await waitFor(() => c.describe("g").state === "Empty", 5000, "the group to become Empty");
  assert.equal(c.describe("g").protocolType, "consumer");
  assert.deepEqual(c.listGroups(), [{ groupId: "g", protocolType: "consumer", state: "Empty" }]);

  // A group known only by its committed offsets (e.g. after a restart) is a consumer group too.
  c.offsets.commit("offsets-only", [{ topic: "t", partition: 0, offset: 3, metadata: null }]);
  assert.deepEqual(c.describe("offsets-only").protocolType, "consumer");
  assert.equal(c.deleteGroup("g"), 0);
  assert.equal(c.deleteGroup("offsets-only"), 0);
  assert.equal(c.offsets.get("offsets-only", "t", 0), undefined, "its offsets are gone");
  assert.equal(c.deleteGroup("never-seen"), 69, "GROUP_ID_NOT_FOUND");
  assert.deepEqual(c.listGroups(), []);
});
