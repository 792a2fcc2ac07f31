/**
 * Broker throughput (npm run bench:broker, after a build). The broker runs as a standalone child
 * process (`workbook broker`), the clients in this process or as kcat children, so the two cores
 * are shared the way they would be on a laptop.
 *
 *   kcat (librdkafka) producing and consuming 1 KB messages: MB/s of message payload
 *   kafkajs producing and consuming 100-byte messages in batches of 1000: messages/s
 *
 * Targets on a 2-core machine: kcat ingest >= 100 MB/s, consume >= 200 MB/s,
 * kafkajs produce >= 50,000 messages/s.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Kafka, logLevel } from "kafkajs";

const KCAT_MESSAGES = Number(process.env.BENCH_KCAT_MESSAGES ?? 200_000);
const JS_MESSAGES = Number(process.env.BENCH_JS_MESSAGES ?? 300_000);
const JS_BATCH = 1000;

function startBrokerChild(dataDir: string): Promise<{ address: string; stop: () => Promise<void> }> {
  const cli = path.resolve(__dirname, "../lib/kafka/cli.js");
  const code = `require(${JSON.stringify(cli)}).brokerCommand(process.argv.slice(1)).then((c) => process.exit(c))`;
  const child = spawn(process.execPath, ["-e", code, "--", "--port", "0", "--data-dir", dataDir], { stdio: ["ignore", "pipe", "ignore"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += String(d);
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        resolve({
          address: m[1],
          stop: () =>
            new Promise<void>((done) => {
              child.once("exit", () => done());
              child.kill("SIGTERM");
            }),
        });
      }
    });
    child.once("exit", (c) => reject(new Error(`broker exited with ${c}`)));
  });
}

function runKcat(args: string[], input: Buffer | null): Promise<{ seconds: number; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn("kcat", args, { stdio: [input ? "pipe" : "ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (d) => (stderr += String(d)));
    child.on("close", (code) => resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, code, stderr }));
    if (input && child.stdin) {
      child.stdin.on("error", () => undefined);
      child.stdin.end(input);
    }
  });
}

async function kcatBench(address: string): Promise<string[]> {
  if (spawnSync("kcat", ["-V"], { stdio: "ignore" }).error) {
    console.log("kcat is not installed (apt-get install kcat): skipping the kcat figures");
    return [];
  }
  const line = `${"x".repeat(1023)}\n`;
  const input = Buffer.from(line.repeat(KCAT_MESSAGES));
  const payloadMB = (KCAT_MESSAGES * 1023) / 1e6;
  const topic = `bench-kcat-${Date.now()}`;
  const produced = await runKcat(["-b", address, "-P", "-t", topic, "-X", "linger.ms=5", "-X", "batch.size=1000000", "-X", "topic.metadata.refresh.interval.ms=60000"], input);
  if (produced.code !== 0) throw new Error(`kcat -P failed: ${produced.stderr}`);
  const consumed = await runKcat(["-b", address, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\n"], null);
  if (consumed.code !== 0) throw new Error(`kcat -C failed: ${consumed.stderr}`);
  const ingest = payloadMB / produced.seconds;
  const consume = payloadMB / consumed.seconds;
  console.log(`kcat: ${KCAT_MESSAGES} x 1 KB (${payloadMB.toFixed(0)} MB) produced in ${produced.seconds.toFixed(2)} s, consumed in ${consumed.seconds.toFixed(2)} s (process start included)`);
  return [`RESULT broker kcat_produce=${ingest.toFixed(1)} MB/s`, `RESULT broker kcat_consume=${consume.toFixed(1)} MB/s`];
}

async function kafkajsBench(address: string): Promise<string[]> {
  const kafka = new Kafka({ brokers: [address], clientId: "bench", logLevel: logLevel.NOTHING });
  const topic = `bench-js-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const value = Buffer.alloc(100, 97);
  const batches = JS_MESSAGES / JS_BATCH;
  let started = process.hrtime.bigint();
  // Four sends in flight, each a batch of 1000 messages to one partition.
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async (_, lane) => {
      while (next < batches) {
        next++;
        await producer.send({ topic, acks: -1, messages: Array.from({ length: JS_BATCH }, () => ({ value, partition: lane })) });
      }
    }),
  );
  const produceSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `bench-${Date.now()}`, maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 16 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  started = process.hrtime.bigint();
  let consumeSeconds = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (count === 0) started = process.hrtime.bigint();
        count += batch.messages.length;
        if (count >= JS_MESSAGES && consumeSeconds === 0) {
          consumeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  const sent = next * JS_BATCH;
  console.log(`kafkajs: ${sent} x 100 B produced in ${produceSeconds.toFixed(2)} s, ${count} consumed in ${consumeSeconds.toFixed(2)} s (from the first batch)`);
  return [`RESULT broker kafkajs_produce=${Math.round(sent / produceSeconds)} messages/s`, `RESULT broker kafkajs_consume=${Math.round(count / consumeSeconds)} messages/s`];
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-broker-"));
  const broker = await startBrokerChild(dataDir);
  let lines: string[] = [];
  try {
    console.log(`broker at ${broker.address}, data in ${dataDir}`);
    lines = [...(await kcatBench(broker.address)), ...(await kafkajsBench(broker.address))];
  } finally {
    await broker.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log("targets: kcat_produce >= 100 MB/s, kcat_consume >= 200 MB/s, kafkajs_produce >= 50000 messages/s");
  for (const l of lines) console.log(l);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
