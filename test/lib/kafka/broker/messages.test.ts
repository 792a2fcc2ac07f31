/**
 * The message layouts (protocol/messages.ts) and the generic codec (protocol/schema.ts):
 *   - every version of every request and response survives encode -> decode, tagged fields included;
 *   - byte layouts written out by hand from Kafka's JSON schemas (field order, compact and nullable
 *     types, tagged fields) match what the codec reads and writes;
 *   - a live broker answers every advertised version of every API with a response that decodes to
 *     the last byte (response header v1 in flexible versions, v0 for ApiVersions).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Reader, Writer } from "../../../../lib/kafka/broker/protocol/codec";
import {
  APIS,
  API_BY_KEY,
  ApiKey,
  API_VERSIONS,
  CREATE_TOPICS,
  DELETE_GROUPS,
  DELETE_TOPICS,
  DESCRIBE_CONFIGS,
  DESCRIBE_GROUPS,
  FETCH,
  FIND_COORDINATOR,
  HEARTBEAT,
  INIT_PRODUCER_ID,
  JOIN_GROUP,
  LEAVE_GROUP,
  LIST_GROUPS,
  LIST_OFFSETS,
  METADATA,
  OFFSET_COMMIT,
  OFFSET_FETCH,
  PRODUCE,
  SYNC_GROUP,
} from "../../../../lib/kafka/broker/protocol/messages";
import { ApiSchema, decodeStruct, encodeStruct, Field, FieldType, inRange, Message } from "../../../../lib/kafka/broker/protocol/schema";
import { SUPPORTED_APIS } from "../../../../lib/kafka/broker/protocol/versions";
import { buildBatch, RawClient, testBroker, uniqueName } from "../helpers";

// ---------------------------------------------------------------------------------------------
// Round trips of generated samples

function hex16(s: string): string {
  return createHash("md5").update(s).digest("hex");
}

/** A value for every field present in version v (non-default, so that tagged fields are sent). */
function sample(fields: readonly Field[], v: number, nulls: boolean, path: string): Message {
  const out: Message = {};
  for (const f of fields) {
    if (!inRange(f.versions, v)) continue;
    const name = `${path}.${f.name}`;
    out[f.name] = nulls && inRange(f.nullable, v) ? null : sampleValue(f.type, v, nulls, name);
  }
  return out;
}

function sampleValue(t: FieldType, v: number, nulls: boolean, name: string): unknown {
  if (typeof t === "string") {
    switch (t) {
      case "int8":
        return 7;
      case "int16":
        return 300;
      case "int32":
        return 70000 + name.length;
      case "int64":
        return 2 ** 40 + name.length;
      case "bool":
        return true;
      case "string":
        return `${name}-é`;
      case "bytes":
      case "records":
        return Buffer.from(`bytes of ${name}`);
      case "uuid":
        return hex16(name);
    }
  }
  if ("array" in t) return [0, 1].map((i) => sampleValue(t.array, v, nulls, `${name}[${i}]`));
  return sample(t.struct, v, nulls, name);
}

/** Every value of `expected` is in `actual` (which also holds the defaults of absent fields). */
function assertContains(actual: unknown, expected: unknown, where: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${where}: array expected`);
    assert.equal(actual.length, expected.length, `${where}: length`);
    expected.forEach((e, i) => assertContains(actual[i], e, `${where}[${i}]`));
  } else if (Buffer.isBuffer(expected)) {
    assert.ok(Buffer.isBuffer(actual) && actual.equals(expected), `${where}: bytes`);
  } else if (expected !== null && typeof expected === "object") {
    for (const [k, e] of Object.entries(expected)) assertContains((actual as Message)[k], e, `${where}.${k}`);
  } else {
    assert.equal(actual, expected, where);
  }
}

function roundTrip(fields: readonly Field[], v: number, flexible: boolean, msg: Message): { bytes: Buffer; decoded: Message } {
  const w = new Writer();
  encodeStruct(fields, v, flexible, w, msg);
  const bytes = w.toBuffer();
  const r = new Reader(bytes);
  const decoded = decodeStruct(fields, v, flexible, r);
  assert.equal(r.remaining(), 0, "every byte is read");
  return { bytes, decoded };
}

test("every version of every request and response survives encode and decode, with and without nulls", () => {
  let cases = 0;
  for (const api of APIS) {
    for (let v = api.min; v <= api.max; v++) {
      const flexible = v >= api.flexibleFrom;
      for (const [kind, fields] of [["request", api.request], ["response", api.response]] as const) {
        for (const nulls of [false, true]) {
          const where = `${api.name} v${v} ${kind}${nulls ? " (nulls)" : ""}`;
          const msg = sample(fields, v, nulls, api.name);
          const { bytes, decoded } = roundTrip(fields, v, flexible, msg);
          assertContains(decoded, msg, where);
          // Decoding then encoding again gives the same bytes.
          const again = new Writer();
          encodeStruct(fields, v, flexible, again, decoded);
          assert.ok(again.toBuffer().equals(bytes), `${where}: re-encoding gives the same bytes`);
          cases++;
        }
      }
    }
  }
  assert.ok(cases > 300, `${cases} cases`);
});

test("a null in a field that is not nullable in that version is refused when encoding", () => {
  // Metadata request topic names become nullable in v10 (topics by id); response names in v12.
  const msg = { topics: [{ name: null, topicId: hex16("x") }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false };
  assert.throws(() => encodeStruct(METADATA.request, 9, true, new Writer(), msg), /name: null is not allowed in version 9/);
  roundTrip(METADATA.request, 10, true, msg);
  const res = { brokers: [], clusterId: null, controllerId: 1, topics: [{ errorCode: 100, name: null, partitions: [] }] };
  assert.throws(() => encodeStruct(METADATA.response, 11, true, new Writer(), res), /name: null is not allowed in version 11/);
  roundTrip(METADATA.response, 12, true, res);
  // The topics array itself is nullable from v1 (all topics), not in v0.
  assert.throws(() => encodeStruct(METADATA.request, 0, false, new Writer(), { topics: null }), /topics: null/);
});

// ---------------------------------------------------------------------------------------------
// Byte layouts written by hand from Kafka's schemas

function bytesOf(build: (w: Writer) => void): Buffer {
  const w = new Writer();
  build(w);
  return w.toBuffer();
}

function assertLayout(api: ApiSchema, kind: "request" | "response", v: number, msg: Message, expected: Buffer): Message {
  const fields = kind === "request" ? api.request : api.response;
  const flexible = v >= api.flexibleFrom;
  const w = new Writer();
  encodeStruct(fields, v, flexible, w, msg);
  assert.equal(w.toBuffer().toString("hex"), expected.toString("hex"), `${api.name} v${v} ${kind} bytes`);
  const r = new Reader(expected);
  const decoded = decodeStruct(fields, v, flexible, r);
  assert.equal(r.remaining(), 0);
  return decoded;
}

test("ApiVersions: v0 uses int32 arrays, v3 compact arrays with a tag section per entry and a tagged feature list", () => {
  const msg = { errorCode: 0, apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }], throttleTimeMs: 0 };
  assertLayout(API_VERSIONS, "response", 0, msg, bytesOf((w) => w.int16(0).int32(1).int16(3).int16(0).int16(12)));
  assertLayout(API_VERSIONS, "response", 3, msg, bytesOf((w) => w.int16(0).uvarint(2).int16(3).int16(0).int16(12).uvarint(0).int32(0).uvarint(0)));
  // Tagged field 3 (ZkMigrationReady, bool) when set; request v3 carries the client's software name and version.
  assertLayout(API_VERSIONS, "response", 3, { ...msg, zkMigrationReady: true }, bytesOf((w) => w.int16(0).uvarint(2).int16(3).int16(0).int16(12).uvarint(0).int32(0).uvarint(1).uvarint(3).uvarint(1).int8(1)));
  assertLayout(API_VERSIONS, "request", 3, { clientSoftwareName: "c", clientSoftwareVersion: "1" }, bytesOf((w) => w.compactString("c").compactString("1").uvarint(0)));
});

test("Metadata: v9 is the first compact version; v10 adds topic ids; v11 drops the cluster operations flag; v12 allows null names", () => {
  const topic = (name: string | null) => ({ topicId: hex16("t"), name });
  const req = (name: string | null) => ({ topics: [topic(name)], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  assertLayout(METADATA, "request", 8, req("t"), bytesOf((w) => w.int32(1).string("t").bool(true).bool(false).bool(false)));
  assertLayout(METADATA, "request", 9, req("t"), bytesOf((w) => w.uvarint(2).compactString("t").uvarint(0).bool(true).bool(false).bool(false).uvarint(0)));
  const id = Buffer.from(hex16("t"), "hex");
  assertLayout(METADATA, "request", 10, req("t"), bytesOf((w) => w.uvarint(2).raw(id).compactString("t").uvarint(0).bool(true).bool(false).bool(false).uvarint(0)));
  assertLayout(METADATA, "request", 12, req(null), bytesOf((w) => w.uvarint(2).raw(id).uvarint(0).uvarint(0).bool(true).bool(false).uvarint(0)));
  // v1+: a null topics array (-1) asks for every topic.
  assert.equal(assertLayout(METADATA, "request", 1, { topics: null }, bytesOf((w) => w.int32(-1))).topics, null);

  const res = {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: "h", port: 9092, rack: null }],
    clusterId: "c",
    controllerId: 1,
    topics: [{ errorCode: 0, name: "t", topicId: hex16("t"), isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 5, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }], topicAuthorizedOperations: -2147483648 }],
    clusterAuthorizedOperations: -2147483648,
  };
  assertLayout(
    METADATA,
    "response",
    12,
    res,
    bytesOf((w) =>
      w
        .int32(0)
        .uvarint(2)
        .int32(1)
        .compactString("h")
        .int32(9092)
        .uvarint(0) // rack null
        .uvarint(0) // broker tags
        .compactString("c")
        .int32(1)
        .uvarint(2)
        .int16(0)
        .compactString("t")
        .raw(id)
        .bool(false)
        .uvarint(2)
        .int16(0)
        .int32(0)
        .int32(1)
        .int32(5)
        .uvarint(2)
        .int32(1)
        .uvarint(2)
        .int32(1)
        .uvarint(1)
        .uvarint(0) // partition tags
        .int32(-2147483648)
        .uvarint(0) // topic tags
        .uvarint(0), // no cluster operations after v10; top-level tags
    ),
  );
  assertLayout(
    METADATA,
    "response",
    1,
    res,
    bytesOf((w) => w.int32(1).int32(1).string("h").int32(9092).string(null).int32(1).int32(1).int16(0).string("t").bool(false).int32(1).int16(0).int32(0).int32(1).int32(1).int32(1).int32(1).int32(1)),
  );
});

test("Fetch v12: a tagged cluster id is read, an unknown tag is skipped, and records are compact bytes", () => {
  const body = bytesOf((w) =>
    w
      .int32(-1)
      .int32(500)
      .int32(1)
      .int32(1024)
      .int8(0)
      .int32(0)
      .int32(-1)
      .uvarint(2)
      .compactString("t")
      .uvarint(2)
      .int32(0)
      .int32(-1)
      .int64(42)
      .int32(-1)
      .int64(-1)
      .int32(1024)
      .uvarint(0)
      .uvarint(0)
      .uvarint(1) // no forgotten topics
      .compactString("")
      .uvarint(2) // two tagged fields
      .uvarint(0)
      .uvarint(3)
      .compactString("cl")
      .uvarint(9)
      .uvarint(2)
      .int16(7),
  );
  const r = new Reader(body);
  const req = decodeStruct(FETCH.request, 12, true, r);
  assert.equal(r.remaining(), 0);
  assert.equal(req.clusterId, "cl");
  assert.equal(req.topics[0].topic, "t");
  assert.equal(req.topics[0].partitions[0].fetchOffset, 42);

  const records = Buffer.from("batch");
  const res = { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: "t", partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 9, lastStableOffset: 9, logStartOffset: 0, abortedTransactions: [], preferredReadReplica: -1, records }] }] };
  assertLayout(
    FETCH,
    "response",
    12,
    res,
    bytesOf((w) => w.int32(0).int16(0).int32(0).uvarint(2).compactString("t").uvarint(2).int32(0).int16(0).int64(9).int64(9).int64(0).uvarint(1).int32(-1).uvarint(6).raw(records).uvarint(0).uvarint(0).uvarint(0)),
  );
  assertLayout(
    FETCH,
    "response",
    11,
    res,
    bytesOf((w) => w.int32(0).int16(0).int32(0).int32(1).string("t").int32(1).int32(0).int16(0).int64(9).int64(9).int64(0).int32(0).int32(-1).int32(5).raw(records)),
  );
});

test("Produce v9: compact strings and compact nullable records; the response's tagged fields stay unsent", () => {
  const records = Buffer.from("rec");
  const req = { transactionalId: null, acks: -1, timeoutMs: 100, topicData: [{ name: "t", partitionData: [{ index: 2, records }] }] };
  assertLayout(PRODUCE, "request", 9, req, bytesOf((w) => w.uvarint(0).int16(-1).int32(100).uvarint(2).compactString("t").uvarint(2).int32(2).uvarint(4).raw(records).uvarint(0).uvarint(0).uvarint(0)));
  assertLayout(PRODUCE, "request", 7, req, bytesOf((w) => w.string(null).int16(-1).int32(100).int32(1).string("t").int32(1).int32(2).int32(3).raw(records)));
  const res = { responses: [{ name: "t", partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 5, logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [], errorMessage: null }] }], throttleTimeMs: 0 };
  assertLayout(PRODUCE, "response", 10, res, bytesOf((w) => w.uvarint(2).compactString("t").uvarint(2).int32(2).int16(0).int64(5).int64(-1).int64(0).uvarint(1).uvarint(0).uvarint(0).uvarint(0).int32(0).uvarint(0)));
  // With the tagged current leader (tag 0) set, it is written in the partition's tag section.
  const withLeader = { ...res, responses: [{ ...res.responses[0], partitionResponses: [{ ...res.responses[0].partitionResponses[0], currentLeader: { leaderId: 1, leaderEpoch: 0 } }] }] };
  assertLayout(
    PRODUCE,
    "response",
    10,
    withLeader,
    bytesOf((w) => w.uvarint(2).compactString("t").uvarint(2).int32(2).int16(0).int64(5).int64(-1).int64(0).uvarint(1).uvarint(0).uvarint(1).uvarint(0).uvarint(9).int32(1).int32(0).uvarint(0).uvarint(0).int32(0).uvarint(0)),
  );
});

test("JoinGroup: v7 adds a nullable protocol type, v9 skipAssignment; v6 is the first compact version", () => {
  const res = { throttleTimeMs: 0, errorCode: 0, generationId: 1, protocolType: "consumer", protocolName: "range", leader: "m", skipAssignment: false, memberId: "m", members: [] };
  assertLayout(JOIN_GROUP, "response", 5, res, bytesOf((w) => w.int32(0).int16(0).int32(1).string("range").string("m").string("m").int32(0)));
  assertLayout(JOIN_GROUP, "response", 6, res, bytesOf((w) => w.int32(0).int16(0).int32(1).compactString("range").compactString("m").compactString("m").uvarint(1).uvarint(0)));
  assertLayout(JOIN_GROUP, "response", 9, { ...res, protocolType: null }, bytesOf((w) => w.int32(0).int16(0).int32(1).uvarint(0).compactString("range").compactString("m").bool(false).compactString("m").uvarint(1).uvarint(0)));
});

test("OffsetFetch v8 asks for groups (null topics = all), FindCoordinator v4 for several keys, DeleteTopics v6 by name or id", () => {
  assertLayout(OFFSET_FETCH, "request", 8, { groups: [{ groupId: "g", topics: null }], requireStable: false }, bytesOf((w) => w.uvarint(2).compactString("g").uvarint(0).uvarint(0).bool(false).uvarint(0)));
  assertLayout(OFFSET_FETCH, "request", 1, { groupId: "g", topics: [{ name: "t", partitionIndexes: [0] }] }, bytesOf((w) => w.string("g").int32(1).string("t").int32(1).int32(0)));
  assertLayout(FIND_COORDINATOR, "request", 4, { keyType: 0, coordinatorKeys: ["a", "b"] }, bytesOf((w) => w.int8(0).uvarint(3).compactString("a").compactString("b").uvarint(0)));
  assertLayout(
    FIND_COORDINATOR,
    "response",
    4,
    { throttleTimeMs: 0, coordinators: [{ key: "a", nodeId: 1, host: "h", port: 9, errorCode: 0, errorMessage: null }] },
    bytesOf((w) => w.int32(0).uvarint(2).compactString("a").int32(1).compactString("h").int32(9).int16(0).uvarint(0).uvarint(0).uvarint(0)),
  );
  const id = hex16("t");
  assertLayout(DELETE_TOPICS, "request", 6, { topics: [{ name: null, topicId: id }], timeoutMs: 5 }, bytesOf((w) => w.uvarint(2).uvarint(0).raw(Buffer.from(id, "hex")).uvarint(0).int32(5).uvarint(0)));
  assertLayout(DELETE_TOPICS, "request", 3, { topicNames: ["t"], timeoutMs: 5 }, bytesOf((w) => w.int32(1).string("t").int32(5)));
});

test("CreateTopics v5: the per-topic config error code is tagged (tag 0); configs is a nullable compact array", () => {
  const res = { throttleTimeMs: 0, topics: [{ name: "t", errorCode: 0, errorMessage: null, topicConfigErrorCode: 40, numPartitions: 3, replicationFactor: 1, configs: null }] };
  assertLayout(
    CREATE_TOPICS,
    "response",
    5,
    res,
    bytesOf((w) => w.int32(0).uvarint(2).compactString("t").int16(0).uvarint(0).int32(3).int16(1).uvarint(0).uvarint(1).uvarint(0).uvarint(2).int16(40).uvarint(0)),
  );
});

test("the first flexible version of the group, offset, producer and config APIs, byte by byte", () => {
  const cases: [ApiSchema, "request" | "response", number, Message, (w: Writer) => void][] = [
    // Heartbeat v4: compact strings, nullable group instance id, tags.
    [HEARTBEAT, "request", 4, { groupId: "g", generationId: 2, memberId: "m", groupInstanceId: null }, (w) => w.compactString("g").int32(2).compactString("m").uvarint(0).uvarint(0)],
    [HEARTBEAT, "request", 3, { groupId: "g", generationId: 2, memberId: "m", groupInstanceId: null }, (w) => w.string("g").int32(2).string("m").string(null)],
    // SyncGroup v5: protocol type and name in the request and the response; compact bytes.
    [
      SYNC_GROUP,
      "request",
      5,
      { groupId: "g", generationId: 1, memberId: "m", groupInstanceId: null, protocolType: "consumer", protocolName: "range", assignments: [{ memberId: "m", assignment: Buffer.from([1]) }] },
      (w) => w.compactString("g").int32(1).compactString("m").uvarint(0).compactString("consumer").compactString("range").uvarint(2).compactString("m").uvarint(2).int8(1).uvarint(0).uvarint(0),
    ],
    [SYNC_GROUP, "response", 5, { throttleTimeMs: 0, errorCode: 0, protocolType: "consumer", protocolName: "range", assignment: Buffer.from([1]) }, (w) => w.int32(0).int16(0).compactString("consumer").compactString("range").uvarint(2).int8(1).uvarint(0)],
    // LeaveGroup v5: members with a reason; the response lists each member's error.
    [LEAVE_GROUP, "request", 5, { groupId: "g", members: [{ memberId: "m", groupInstanceId: null, reason: "bye" }] }, (w) => w.compactString("g").uvarint(2).compactString("m").uvarint(0).compactString("bye").uvarint(0).uvarint(0)],
    [LEAVE_GROUP, "request", 2, { groupId: "g", memberId: "m" }, (w) => w.string("g").string("m")],
    [LEAVE_GROUP, "response", 4, { throttleTimeMs: 0, errorCode: 0, members: [{ memberId: "m", groupInstanceId: null, errorCode: 25 }] }, (w) => w.int32(0).int16(0).uvarint(2).compactString("m").uvarint(0).int16(25).uvarint(0).uvarint(0)],
    // OffsetCommit v8: no retention time (gone after v4), a committed leader epoch (v6+).
    [
      OFFSET_COMMIT,
      "request",
      8,
      { groupId: "g", generationIdOrMemberEpoch: 3, memberId: "m", groupInstanceId: null, topics: [{ name: "t", partitions: [{ partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: -1, committedMetadata: null }] }] },
      (w) => w.compactString("g").int32(3).compactString("m").uvarint(0).uvarint(2).compactString("t").uvarint(2).int32(0).int64(10).int32(-1).uvarint(0).uvarint(0).uvarint(0).uvarint(0),
    ],
    [
      OFFSET_COMMIT,
      "request",
      2,
      { groupId: "g", generationIdOrMemberEpoch: 3, memberId: "m", retentionTimeMs: -1, topics: [{ name: "t", partitions: [{ partitionIndex: 0, committedOffset: 10, committedMetadata: "" }] }] },
      (w) => w.string("g").int32(3).string("m").int64(-1).int32(1).string("t").int32(1).int32(0).int64(10).string(""),
    ],
    // OffsetFetch v7 (flexible, topics per group id): partitions carry the leader epoch (v5+).
    [
      OFFSET_FETCH,
      "response",
      7,
      { throttleTimeMs: 0, topics: [{ name: "t", partitions: [{ partitionIndex: 0, committedOffset: 4, committedLeaderEpoch: -1, metadata: "", errorCode: 0 }] }], errorCode: 0 },
      (w) => w.int32(0).uvarint(2).compactString("t").uvarint(2).int32(0).int64(4).int32(-1).compactString("").int16(0).uvarint(0).uvarint(0).int16(0).uvarint(0),
    ],
    // ListOffsets v7: a leader epoch per partition, compact from v6.
    [
      LIST_OFFSETS,
      "request",
      7,
      { replicaId: -1, isolationLevel: 0, topics: [{ name: "t", partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2 }] }] },
      (w) => w.int32(-1).int8(0).uvarint(2).compactString("t").uvarint(2).int32(0).int32(-1).int64(-2).uvarint(0).uvarint(0).uvarint(0),
    ],
    [
      LIST_OFFSETS,
      "response",
      1,
      { topics: [{ name: "t", partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 7 }] }] },
      (w) => w.int32(1).string("t").int32(1).int32(0).int16(0).int64(-1).int64(7),
    ],
    // InitProducerId v4: flexible from v2; v3+ sends the current producer id and epoch.
    [INIT_PRODUCER_ID, "request", 4, { transactionalId: null, transactionTimeoutMs: 100, producerId: -1, producerEpoch: -1 }, (w) => w.uvarint(0).int32(100).int64(-1).int16(-1).uvarint(0)],
    [INIT_PRODUCER_ID, "response", 2, { throttleTimeMs: 0, errorCode: 0, producerId: 1000, producerEpoch: 0 }, (w) => w.int32(0).int16(0).int64(1000).int16(0).uvarint(0)],
    // DescribeGroups v5 and ListGroups v4 (a states filter and each group's state).
    [DESCRIBE_GROUPS, "request", 5, { groups: ["g"], includeAuthorizedOperations: false }, (w) => w.uvarint(2).compactString("g").bool(false).uvarint(0)],
    [LIST_GROUPS, "request", 4, { statesFilter: ["Empty"] }, (w) => w.uvarint(2).compactString("Empty").uvarint(0)],
    [LIST_GROUPS, "response", 4, { throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: "g", protocolType: "consumer", groupState: "Empty" }] }, (w) => w.int32(0).int16(0).uvarint(2).compactString("g").compactString("consumer").compactString("Empty").uvarint(0).uvarint(0)],
    // DeleteGroups v2, DescribeConfigs v4 (isDefault gone after v0; synonyms v1+; type and documentation v3+).
    [DELETE_GROUPS, "response", 2, { throttleTimeMs: 0, results: [{ groupId: "g", errorCode: 69 }] }, (w) => w.int32(0).uvarint(2).compactString("g").int16(69).uvarint(0).uvarint(0)],
    [
      DESCRIBE_CONFIGS,
      "response",
      4,
      { throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: "t", configs: [{ name: "a", value: "1", readOnly: false, configSource: 5, isSensitive: false, synonyms: [], configType: 0, documentation: null }] }] },
      (w) => w.int32(0).uvarint(2).int16(0).uvarint(0).int8(2).compactString("t").uvarint(2).compactString("a").compactString("1").bool(false).int8(5).bool(false).uvarint(1).int8(0).uvarint(0).uvarint(0).uvarint(0).uvarint(0),
    ],
    [
      DESCRIBE_CONFIGS,
      "response",
      0,
      { throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: "t", configs: [{ name: "a", value: "1", readOnly: false, isDefault: true, isSensitive: false }] }] },
      (w) => w.int32(0).int32(1).int16(0).string(null).int8(2).string("t").int32(1).string("a").string("1").bool(false).bool(true).bool(false),
    ],
  ];
  for (const [api, kind, v, msg, build] of cases) assertLayout(api, kind, v, msg, bytesOf(build));
});

test("the broker advertises, for each API, the ranges a Kafka 3.x single-node broker offers", () => {
  const expected: Record<number, [number, number]> = {
    [ApiKey.Produce]: [3, 11],
    [ApiKey.Fetch]: [4, 17],
    [ApiKey.ListOffsets]: [1, 7],
    [ApiKey.Metadata]: [0, 12],
    [ApiKey.OffsetCommit]: [2, 8],
    [ApiKey.OffsetFetch]: [1, 8],
    [ApiKey.FindCoordinator]: [0, 4],
    [ApiKey.JoinGroup]: [0, 9],
    [ApiKey.Heartbeat]: [0, 4],
    [ApiKey.LeaveGroup]: [0, 5],
    [ApiKey.SyncGroup]: [0, 5],
    [ApiKey.DescribeGroups]: [0, 5],
    [ApiKey.ListGroups]: [0, 4],
    [ApiKey.ApiVersions]: [0, 3],
    [ApiKey.CreateTopics]: [0, 7],
    [ApiKey.DeleteTopics]: [0, 6],
    [ApiKey.InitProducerId]: [0, 4],
    [ApiKey.DescribeConfigs]: [0, 4],
    [ApiKey.DeleteGroups]: [0, 2],
  };
  assert.deepEqual(Object.fromEntries(SUPPORTED_APIS.map(([k, min, max]) => [k, [min, max]])), expected);
  // First flexible versions, from Kafka's schemas.
  const flexible = Object.fromEntries(APIS.map((a) => [a.name, a.flexibleFrom]));
  assert.deepEqual(flexible, {
    Produce: 9,
    Fetch: 12,
    ListOffsets: 6,
    Metadata: 9,
    OffsetCommit: 8,
    OffsetFetch: 6,
    FindCoordinator: 3,
    JoinGroup: 6,
    Heartbeat: 4,
    LeaveGroup: 4,
    SyncGroup: 4,
    DescribeGroups: 5,
    ListGroups: 3,
    ApiVersions: 3,
    CreateTopics: 5,
    DeleteTopics: 4,
    InitProducerId: 2,
    DescribeConfigs: 4,
    DeleteGroups: 2,
  });
});

// ---------------------------------------------------------------------------------------------
// A live broker, every API in every version

class Client {
  constructor(private readonly raw: RawClient) {}

  /** Sends `msg` in version v (request header v2 when flexible) and decodes the whole response. */
  async call(key: number, v: number, msg: Message): Promise<Message> {
    const api = API_BY_KEY.get(key) as ApiSchema;
    const flexible = v >= api.flexibleFrom;
    const w = new Writer();
    if (flexible) w.uvarint(0); // request header v2: tagged fields after the client id
    encodeStruct(api.request, v, flexible, w, msg);
    const r = await this.raw.request(key, v, w);
    if (flexible && key !== ApiKey.ApiVersions) assert.equal(r.uvarint(), 0, `${api.name} v${v}: response header v1 has an empty tag section`);
    const res = decodeStruct(api.response, v, flexible, r);
    assert.equal(r.remaining(), 0, `${api.name} v${v}: the response decodes to the last byte`);
    return res;
  }
}

test("a live broker answers every version of every API it advertises", async (t) => {
  const broker = await testBroker(t, { autoCreateTopics: false });
  const c = new Client(await RawClient.connect(t, broker.port));
  const topic = uniqueName("all-versions");
  const versionsOf = (key: number) => {
    const api = API_BY_KEY.get(key) as ApiSchema;
    return Array.from({ length: api.max - api.min + 1 }, (_, i) => api.min + i);
  };

  for (const v of versionsOf(ApiKey.ApiVersions)) {
    const res = await c.call(ApiKey.ApiVersions, v, { clientSoftwareName: "test", clientSoftwareVersion: "1" });
    assert.equal(res.errorCode, 0);
    assert.equal(res.apiKeys.length, APIS.length, `ApiVersions v${v}`);
  }

  const created: string[] = [];
  for (const v of versionsOf(ApiKey.CreateTopics)) {
    const name = `${topic}-c${v}`;
    const res = await c.call(ApiKey.CreateTopics, v, { topics: [{ name, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [{ name: "retention.ms", value: "60000" }] }], timeoutMs: 1000 });
    assert.equal(res.topics[0].errorCode, 0, `CreateTopics v${v}`);
    if (v >= 5) assert.equal(res.topics[0].numPartitions, 2);
    created.push(name);
  }
  await c.call(ApiKey.CreateTopics, 7, { topics: [{ name: topic, numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 1000 });

  for (const v of versionsOf(ApiKey.Metadata)) {
    const res = await c.call(ApiKey.Metadata, v, { topics: [{ name: topic, topicId: "0".repeat(32) }], allowAutoTopicCreation: false });
    assert.equal(res.topics.length, 1, `Metadata v${v}`);
    assert.equal(res.topics[0].name, topic);
    assert.equal(res.topics[0].partitions.length, 1);
    assert.equal(res.brokers[0].port, broker.port);
  }
  // v12: a topic asked for by id only.
  const byId = await c.call(ApiKey.Metadata, 12, { topics: [{ name: null, topicId: (await c.call(ApiKey.Metadata, 12, { topics: null })).topics.find((x: Message) => x.name === topic).topicId }] });
  assert.equal(byId.topics[0].name, topic);

  const ids = new Map(((await c.call(ApiKey.Metadata, 12, { topics: null })).topics as Message[]).map((x) => [x.name, x.topicId]));
  let produced = 0;
  for (const v of versionsOf(ApiKey.Produce)) {
    const res = await c.call(ApiKey.Produce, v, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records: buildBatch([{ value: `v${v}` }]) }] }] });
    const p = res.responses[0].partitionResponses[0];
    assert.equal(p.errorCode, 0, `Produce v${v}`);
    assert.equal(p.baseOffset, produced++);
  }

  for (const v of versionsOf(ApiKey.Fetch)) {
    const res = await c.call(ApiKey.Fetch, v, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, topicId: ids.get(topic), partitions: [{ partition: 0, fetchOffset: 3, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId: "",
    });
    if (v >= 13) assert.equal(res.responses[0].topicId, ids.get(topic), "v13+ answers with the topic id");
    const p = res.responses[0].partitions[0];
    assert.equal(p.errorCode, 0, `Fetch v${v}`);
    assert.equal(p.highWatermark, produced);
    assert.ok((p.records as Buffer).length > 0);
    assert.equal((p.records as Buffer).readBigInt64BE(0), 3n, "the batch holding the fetch offset comes first");
  }

  const unknownId = await c.call(ApiKey.Fetch, 13, { maxWaitMs: 0, minBytes: 0, maxBytes: 1024, topics: [{ topicId: hex16("no such topic"), partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1024 }] }] });
  assert.equal(unknownId.responses[0].partitions[0].errorCode, 100, "Fetch v13+: UNKNOWN_TOPIC_ID for an id no topic has");

  for (const v of versionsOf(ApiKey.ListOffsets)) {
    const res = await c.call(ApiKey.ListOffsets, v, { replicaId: -1, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1 }, { partitionIndex: 0, timestamp: -2 }] }] });
    assert.deepEqual(res.topics[0].partitions.map((p: Message) => [p.errorCode, p.offset]), [[0, produced], [0, 0]], `ListOffsets v${v}`);
  }

  for (const v of versionsOf(ApiKey.InitProducerId)) {
    const res = await c.call(ApiKey.InitProducerId, v, { transactionalId: null, transactionTimeoutMs: 1000 });
    assert.equal(res.errorCode, 0);
    assert.ok(res.producerId > 0, `InitProducerId v${v}`);
  }

  for (const v of versionsOf(ApiKey.DescribeConfigs)) {
    const res = await c.call(ApiKey.DescribeConfigs, v, { resources: [{ resourceType: 2, resourceName: `${topic}-c0`, configurationKeys: null }], includeSynonyms: true });
    const configs = new Map((res.results[0].configs as Message[]).map((x) => [x.name, x.value]));
    assert.equal(res.results[0].errorCode, 0, `DescribeConfigs v${v}`);
    assert.equal(configs.get("retention.ms"), "60000");
    assert.equal(configs.get("cleanup.policy"), "delete");
  }

  // Offsets outside a group (generation -1, no member id), then read back in every version.
  const offsetsGroup = uniqueName("offsets");
  for (const v of versionsOf(ApiKey.OffsetCommit)) {
    const res = await c.call(ApiKey.OffsetCommit, v, { groupId: offsetsGroup, generationIdOrMemberEpoch: -1, memberId: "", topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: v, committedMetadata: `m${v}` }] }] });
    assert.equal(res.topics[0].partitions[0].errorCode, 0, `OffsetCommit v${v}`);
  }
  for (const v of versionsOf(ApiKey.OffsetFetch)) {
    const topics = [{ name: topic, partitionIndexes: [0] }];
    const res = await c.call(ApiKey.OffsetFetch, v, v >= 8 ? { groups: [{ groupId: offsetsGroup, topics }] } : { groupId: offsetsGroup, topics });
    const part = (v >= 8 ? res.groups[0] : res).topics[0].partitions[0];
    assert.deepEqual([part.committedOffset, part.metadata, part.errorCode], [8, "m8", 0], `OffsetFetch v${v}`);
  }

  for (const v of versionsOf(ApiKey.FindCoordinator)) {
    const res = await c.call(ApiKey.FindCoordinator, v, { key: "g", keyType: 0, coordinatorKeys: ["g", "h"] });
    const port = v >= 4 ? res.coordinators[1].port : res.port;
    assert.equal(port, broker.port, `FindCoordinator v${v}`);
  }

  // A group's life in each JoinGroup version, with the other group APIs at the nearest version.
  const groups: string[] = [];
  for (const v of versionsOf(ApiKey.JoinGroup)) {
    const at = (key: number) => Math.min(v, (API_BY_KEY.get(key) as ApiSchema).max);
    const groupId = uniqueName(`group-v${v}`);
    groups.push(groupId);
    const join = { groupId, sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: "", protocolType: "consumer", protocols: [{ name: "range", metadata: Buffer.from("meta") }] };
    let joined = await c.call(ApiKey.JoinGroup, v, join);
    if (v >= 4) {
      assert.equal(joined.errorCode, 79, `JoinGroup v${v}: MEMBER_ID_REQUIRED first`);
      joined = await c.call(ApiKey.JoinGroup, v, { ...join, memberId: joined.memberId });
    }
    assert.equal(joined.errorCode, 0, `JoinGroup v${v}`);
    assert.equal(joined.leader, joined.memberId);
    assert.equal(joined.protocolName, "range");
    if (v >= 7) assert.equal(joined.protocolType, "consumer");
    const memberId = joined.memberId as string;
    const generationId = joined.generationId as number;
    const synced = await c.call(ApiKey.SyncGroup, at(ApiKey.SyncGroup), { groupId, generationId, memberId, protocolType: "consumer", protocolName: "range", assignments: [{ memberId, assignment: Buffer.from("plan") }] });
    assert.equal(synced.errorCode, 0, `SyncGroup v${at(ApiKey.SyncGroup)}`);
    assert.equal(String(synced.assignment), "plan");
    if (at(ApiKey.SyncGroup) >= 5) assert.deepEqual([synced.protocolType, synced.protocolName], ["consumer", "range"]);
    const beat = await c.call(ApiKey.Heartbeat, at(ApiKey.Heartbeat), { groupId, generationId, memberId });
    assert.equal(beat.errorCode, 0, `Heartbeat v${at(ApiKey.Heartbeat)}`);
    const described = await c.call(ApiKey.DescribeGroups, at(ApiKey.DescribeGroups), { groups: [groupId] });
    assert.deepEqual([described.groups[0].groupState, described.groups[0].protocolType, described.groups[0].members.length], ["Stable", "consumer", 1]);
    const left = await c.call(ApiKey.LeaveGroup, at(ApiKey.LeaveGroup), { groupId, memberId, members: [{ memberId }] });
    assert.equal(left.errorCode, 0, `LeaveGroup v${at(ApiKey.LeaveGroup)}`);
    if (at(ApiKey.LeaveGroup) >= 3) assert.equal(left.members[0].errorCode, 0);
  }

  for (const v of versionsOf(ApiKey.ListGroups)) {
    const res = await c.call(ApiKey.ListGroups, v, { statesFilter: [] });
    const listed = new Map((res.groups as Message[]).map((g) => [g.groupId, g]));
    assert.equal(listed.get(offsetsGroup)?.protocolType, "consumer", `ListGroups v${v}: a group known by its offsets is a consumer group`);
    assert.equal(listed.get(groups[0])?.protocolType, "consumer", `ListGroups v${v}: a group whose members left is still a consumer group`);
    if (v >= 4) assert.equal(listed.get(groups[0])?.groupState, "Empty");
  }
  const emptyOnly = await c.call(ApiKey.ListGroups, 4, { statesFilter: ["Stable"] });
  assert.equal((emptyOnly.groups as Message[]).filter((g) => groups.includes(g.groupId)).length, 0, "ListGroups v4 filters by state");

  for (const v of versionsOf(ApiKey.DeleteGroups)) {
    const res = await c.call(ApiKey.DeleteGroups, v, { groupsNames: [groups[v], v === 0 ? offsetsGroup : uniqueName("never")] });
    assert.deepEqual(res.results.map((r: Message) => r.errorCode), [0, v === 0 ? 0 : 69], `DeleteGroups v${v}`);
  }
  const after = await c.call(ApiKey.ListGroups, 4, { statesFilter: [] });
  assert.ok(!(after.groups as Message[]).some((g) => g.groupId === offsetsGroup || g.groupId === groups[0]), "deleted groups are gone");
  const fetched = await c.call(ApiKey.OffsetFetch, 8, { groups: [{ groupId: offsetsGroup, topics: null }] });
  assert.equal(fetched.groups[0].topics.length, 0, "a deleted group's offsets are gone");

  for (const v of versionsOf(ApiKey.DeleteTopics)) {
    const name = created[v];
    const msg = v >= 6 ? { topics: [{ name: null, topicId: ids.get(name) }], timeoutMs: 1000 } : { topicNames: [name], timeoutMs: 1000 };
    const res = await c.call(ApiKey.DeleteTopics, v, msg);
    assert.equal(res.responses[0].errorCode, 0, `DeleteTopics v${v}`);
    if (v >= 6) assert.equal(res.responses[0].name, name, "v6 deletes a topic named by its id");
  }
  const left = await c.call(ApiKey.Metadata, 12, { topics: null });
  assert.deepEqual((left.topics as Message[]).map((x) => x.name).sort(), [topic, `${topic}-c7`].sort());
});
