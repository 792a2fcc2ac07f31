/**
 * Conformance with a client that speaks only current (flexible) API versions: @platformatic/kafka
 * 1.35, a pure-JavaScript client whose only implementations are Metadata 9-12, Fetch 12-17,
 * JoinGroup 6-9, CreateTopics 7, DeleteTopics 6 and so on. Against a broker offering only the old
 * versions it fails on its first request ("No usable implementation found for API Metadata").
 *
 * Its dependencies need Node >= 22.19, so it runs in child processes under a Node 22 build from the
 * npm registry. Both are installed once into the work folder by scripts/install.sh (see
 * CURRENT_CLIENT_DIR there); without them the test skips, saying how to install them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { ChildProcess, spawn } from "node:child_process";
import { readConfig } from "../../../../lib/config";
import { defer, run, tempDir, testBroker, uniqueName, waitFor } from "../helpers";

const CLIENT_DIR = path.join(readConfig().home, "clients", "current-kafka-client");
const NODE = path.join(CLIENT_DIR, "node_modules", `node-linux-${process.arch}`, "bin", "node");
const CLIENT = path.join(CLIENT_DIR, "node_modules", "@platformatic", "kafka", "dist", "index.js");
const SKIP = fs.existsSync(NODE) && fs.existsSync(CLIENT) ? null : `@platformatic/kafka 1.35 and Node 22 are not installed in ${CLIENT_DIR} (run bash scripts/install.sh)`;

/** The client driver, run under Node 22: one command per process, JSON lines on stdout. */
const DRIVER = (client: string) => `
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from ${JSON.stringify(pathToFileURL(client).href)};
import * as readline from "node:readline";
const [cmd, addr, topic, ...rest] = process.argv.slice(2);
const base = { clientId: "current-client-" + cmd, bootstrapBrokers: [addr], retries: 3 };
const out = (o) => process.stdout.write(JSON.stringify(o, (k, v) => (typeof v === "bigint" ? Number(v) : v instanceof Map ? Object.fromEntries(v) : v)) + "\\n");

if (cmd === "produce") {
  const [codec, n, prefix] = rest;
  const producer = new Producer({ ...base, serializers: stringSerializers, compression: codec, idempotent: true });
  const messages = Array.from({ length: Number(n) }, (_, i) => ({ topic, partition: i % 4, key: "k" + i, value: prefix + "-" + i, headers: { codec } }));
  const result = await producer.send({ messages });
  await producer.close();
  out({ offsets: result.offsets });
} else if (cmd === "member") {
  const [groupId] = rest;
  const consumer = new Consumer({ ...base, groupId, deserializers: stringDeserializers, sessionTimeout: 6000, rebalanceTimeout: 6000, heartbeatInterval: 300, maxWaitTime: 200 });
  consumer.on("consumer:group:join", (p) => out({ event: "join", memberId: p.memberId, generation: p.generationId, partitions: (p.assignments ?? []).flatMap((a) => a.partitions) }));
  const stream = await consumer.consume({ topics: [topic], mode: "committed", fallbackMode: "earliest", autocommit: false });
  let stopping = false;
  readline.createInterface({ input: process.stdin }).on("line", async () => {
    stopping = true;
    await stream.close();
    await consumer.close();
    out({ event: "closed" });
    process.exit(0);
  });
  for await (const m of stream) {
    if (stopping) break;
    out({ event: "message", value: m.value, partition: m.partition, offset: m.offset, codec: m.headers.get("codec") });
    await m.commit();
  }
} else if (cmd === "admin-create") {
  const admin = new Admin(base);
  const created = await admin.createTopics({ topics: [topic], partitions: 4, replicas: 1, configs: [{ name: "retention.ms", value: "3600000" }] });
  const topics = await admin.listTopics();
  const configs = await admin.describeConfigs({ resources: [{ resourceType: 2, resourceName: topic }] });
  await admin.close();
  out({ created, topics, configs: configs[0].configs.map((c) => [c.name, c.value]) });
} else if (cmd === "admin-groups") {
  const [groupId] = rest;
  const admin = new Admin(base);
  const listed = await admin.listGroups();
  const described = await admin.describeGroups({ groups: [groupId] });
  await admin.deleteGroups({ groups: [groupId] });
  const after = await admin.listGroups();
  await admin.deleteTopics({ topics: [topic] });
  const topics = await admin.listTopics();
  await admin.close();
  const g = listed.get(groupId);
  const d = described.get(groupId);
  out({ listed: g && { state: g.state, protocolType: g.protocolType }, described: d && { state: d.state, protocolType: d.protocolType, members: d.members.size }, afterDelete: after.has(groupId), topics });
}
`;

interface Line {
  event?: string;
  value?: string;
  partition?: number;
  generation?: number;
  partitions?: number[];
  memberId?: string;
}

/** A long-running driver process whose JSON lines are collected as they come. */
function startMember(t: Parameters<typeof defer>[0], script: string, args: string[]): { child: ChildProcess; lines: Line[]; stderr: () => string } {
  const child = spawn(NODE, [script, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  const lines: Line[] = [];
  let buffered = "";
  let err = "";
  child.stdout?.on("data", (d) => {
    buffered += String(d);
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      lines.push(JSON.parse(buffered.slice(0, nl)) as Line);
      buffered = buffered.slice(nl + 1);
    }
  });
  child.stderr?.on("data", (d) => (err += String(d)));
  defer(t, () => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return { child, lines, stderr: () => err };
}

function stop(member: { child: ChildProcess }): Promise<number | null> {
  return new Promise((resolve) => {
    if (member.child.exitCode !== null) return resolve(member.child.exitCode);
    member.child.once("exit", (code) => resolve(code));
    member.child.stdin?.write("stop\n");
  });
}

async function driver(script: string, args: string[]): Promise<Record<string, unknown>> {
  const res = await run(NODE, [script, ...args], { timeoutMs: 60000 });
  assert.equal(res.code, 0, `${args[0]} failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split("\n").pop() as string) as Record<string, unknown>;
}

const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"];

test("a client that speaks only current versions: admin, produce with every codec, a group of two processes, commit and resume", { skip: SKIP ?? false, timeout: 180000 }, async (t) => {
  const broker = await testBroker(t, { autoCreateTopics: false });
  const script = path.join(tempDir(t), "driver.mjs");
  fs.writeFileSync(script, DRIVER(CLIENT));
  const topic = uniqueName("current");
  const group = uniqueName("current-group");

  // Admin: CreateTopics v7, Metadata v12, DescribeConfigs v4.
  const created = await driver(script, ["admin-create", broker.brokers, topic]);
  assert.deepEqual((created.created as { name: string; partitions: number }[]).map((c) => [c.name, c.partitions]), [[topic, 4]]);
  assert.ok((created.topics as string[]).includes(topic));
  assert.deepEqual((created.configs as string[][]).find(([name]) => name === "retention.ms"), ["retention.ms", "3600000"]);

  // Two members in two processes: wait until one generation splits the four partitions between them.
  const a = startMember(t, script, ["member", broker.brokers, topic, group]);
  const b = startMember(t, script, ["member", broker.brokers, topic, group]);
  const lastJoin = (m: { lines: Line[] }) => [...m.lines].reverse().find((l) => l.event === "join");
  await waitFor(
    () => {
      const [ja, jb] = [lastJoin(a), lastJoin(b)];
      return !!ja && !!jb && ja.generation === jb.generation && (ja.partitions?.length ?? 0) + (jb.partitions?.length ?? 0) === 4;
    },
    60000,
    `both members in one generation (a: ${JSON.stringify(a.lines)} ${a.stderr()}, b: ${JSON.stringify(b.lines)} ${b.stderr()})`,
  );
  const [ja, jb] = [lastJoin(a) as Line, lastJoin(b) as Line];
  assert.deepEqual([...(ja.partitions ?? []), ...(jb.partitions ?? [])].sort(), [0, 1, 2, 3], "the members split the partitions");
  assert.ok((ja.partitions?.length ?? 0) > 0 && (jb.partitions?.length ?? 0) > 0, "each member has partitions");

  // Produce v11 with each codec (idempotent: InitProducerId v4), 8 messages over the 4 partitions each.
  for (const codec of CODECS) {
    const res = await driver(script, ["produce", broker.brokers, topic, codec, "8", `before-${codec}`]);
    assert.equal((res.offsets as unknown[]).length, 4, `${codec}: acknowledged on the four partitions`);
  }
  const total = CODECS.length * 8;
  const values = (m: { lines: Line[] }) => m.lines.filter((l) => l.event === "message").map((l) => l.value as string);
  await waitFor(() => new Set([...values(a), ...values(b)]).size === total, 60000, "every message consumed by the group");
  const seen = new Set([...values(a), ...values(b)]);
  for (const codec of CODECS) for (let i = 0; i < 8; i++) assert.ok(seen.has(`before-${codec}-${i}`), `before-${codec}-${i} consumed`);
  assert.ok(values(a).length > 0 && values(b).length > 0, "both members consumed");
  // Each message went to the member that owns its partition.
  for (const [m, j] of [[a, ja], [b, jb]] as const) {
    for (const l of m.lines.filter((x) => x.event === "message")) assert.ok(j.partitions?.includes(l.partition as number), `partition ${l.partition} belongs to its member`);
  }
  assert.deepEqual(await Promise.all([stop(a), stop(b)]), [0, 0]);

  // Resume: committed offsets (OffsetCommit v8, OffsetFetch v8) bring a new member to the new messages only.
  await driver(script, ["produce", broker.brokers, topic, "none", "4", "after"]);
  const c = startMember(t, script, ["member", broker.brokers, topic, group]);
  await waitFor(() => values(c).length >= 4, 60000, `the resumed member reads the new messages (${JSON.stringify(c.lines)} ${c.stderr()})`);
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(values(c).sort(), ["after-0", "after-1", "after-2", "after-3"], "nothing committed is read again");
  assert.equal(await stop(c), 0);

  // Admin on groups: ListGroups v4, DescribeGroups v5, DeleteGroups v2, DeleteTopics v6.
  const groups = await driver(script, ["admin-groups", broker.brokers, topic, group]);
  assert.deepEqual(groups.listed, { state: "EMPTY", protocolType: "consumer" }, "a group without members is still a consumer group");
  assert.deepEqual(groups.described, { state: "EMPTY", protocolType: "consumer", members: 0 });
  assert.equal(groups.afterDelete, false);
  assert.ok(!(groups.topics as string[]).includes(topic), "the topic is deleted");
});
