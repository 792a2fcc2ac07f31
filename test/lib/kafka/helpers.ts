/** Shared test helpers for the broker tests: a broker per test, kafkajs clients, a raw protocol client. */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import type { TestContext } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { Broker, BrokerOptions, startBroker } from "../../../lib/kafka/broker/broker";
import { Reader, Writer } from "../../../lib/kafka/broker/protocol/codec";
import { crc32c } from "../../../lib/kafka/broker/protocol/crc32c";

const stacks = new WeakMap<TestContext, (() => unknown)[]>();

/** Registers a cleanup that runs after the test, last registered first (clients before their broker). */
export function defer(t: TestContext, fn: () => unknown): void {
  let stack = stacks.get(t);
  if (!stack) {
    const s: (() => unknown)[] = [];
    stacks.set(t, s);
    stack = s;
    t.after(async () => {
      while (s.length > 0) {
        try {
          await s.pop()?.();
        } catch {
          // keep cleaning up
        }
      }
    });
  }
  stack.push(fn);
}

export function tempDir(t: TestContext, prefix = "broker-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  defer(t, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A broker on a free port, closed after the test. */
export async function testBroker(t: TestContext, options: BrokerOptions = {}): Promise<Broker> {
  const broker = await startBroker(options);
  defer(t, () => broker.close());
  return broker;
}

export function client(broker: { brokers: string } | string, clientId = "test"): Kafka {
  return new Kafka({ brokers: [typeof broker === "string" ? broker : broker.brokers], clientId, logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
}

let counter = 0;
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}

/** Polls `check` until it returns true or `ms` pass. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 20000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True when `cmd` runs (used to skip conformance tests when a Debian package is missing). */
export function hasCommand(cmd: string, args: string[] = ["-V"]): boolean {
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  return r.error === undefined;
}

export function hasPythonModule(mod: string): boolean {
  const r = spawnSync("python3", ["-c", `import ${mod}`], { stdio: "ignore" });
  return r.status === 0;
}

/** A bare Kafka-protocol client: sends requests with header v1 and reads size-prefixed responses. */
export class RawClient {
  private buffered = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void)[] = [];
  private correlation = 1;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        this.waiting.shift()?.(frame);
      }
    });
    socket.on("close", () => {
      this.closed = true;
    });
    socket.on("error", () => {});
  }

  static connect(t: TestContext, port: number, host = "127.0.0.1"): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket: net.Socket = net.connect(port, host, () => resolve(new RawClient(socket)));
      socket.once("error", reject);
      defer(t, () => socket.destroy());
    });
  }

  /** Sends a request and resolves with a Reader positioned after the response's correlation id. */
  request(apiKey: number, version: number, body: Writer | Buffer, clientId = "raw"): Promise<Reader> {
    const corr = this.correlation++;
    const header = new Writer().int16(apiKey).int16(version).int32(corr).string(clientId).toBuffer();
    const payload = Buffer.concat([header, Buffer.isBuffer(body) ? body : body.toBuffer()]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    const reply = new Promise<Reader>((resolve, reject) => {
      this.waiting.push((frame) => {
        const r = new Reader(frame);
        const got = r.int32();
        if (got !== corr) reject(new Error(`correlation id ${got}, expected ${corr}`));
        resolve(r);
      });
    });
    this.socket.write(Buffer.concat([size, payload]));
    return reply;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves true when the broker closes this connection within `ms`. */
  closedWithin(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.socket.once("close", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

function zigzag(w: Writer, n: number): void {
  w.uvarint(n >= 0 ? n * 2 : -n * 2 - 1);
}

export interface RawRecord {
  key?: string | null;
  /** null: a tombstone. */
  value: string | Buffer | null;
  timestampDelta?: number;
}

/** Encodes an uncompressed RecordBatch v2 (base offset 0) with a correct CRC-32C. */
export function buildBatch(records: RawRecord[], opts: { producerId?: number; epoch?: number; baseSequence?: number; timestamp?: number } = {}): Buffer {
  const body = new Writer();
  records.forEach((rec, i) => {
    const r = new Writer();
    r.int8(0);
    zigzag(r, rec.timestampDelta ?? 0);
    zigzag(r, i);
    if (rec.key === undefined || rec.key === null) zigzag(r, -1);
    else {
      zigzag(r, Buffer.byteLength(rec.key));
      r.raw(Buffer.from(rec.key));
    }
    if (rec.value === null) zigzag(r, -1);
    else {
      const value = Buffer.isBuffer(rec.value) ? rec.value : Buffer.from(rec.value);
      zigzag(r, value.length);
      r.raw(value);
    }
    zigzag(r, 0); // headers
    const bytes = r.toBuffer();
    zigzag(body, bytes.length);
    body.raw(bytes);
  });
  const recordsBytes = body.toBuffer();
  const ts = opts.timestamp ?? Date.now();
  const maxDelta = Math.max(0, ...records.map((r) => r.timestampDelta ?? 0));
  const w = new Writer()
    .int64(0)
    .int32(49 + recordsBytes.length)
    .int32(0)
    .int8(2)
    .int32(0) // crc placeholder
    .int16(0)
    .int32(records.length - 1)
    .int64(ts)
    .int64(ts + maxDelta)
    .int64(opts.producerId ?? -1)
    .int16(opts.epoch ?? -1)
    .int32(opts.baseSequence ?? -1)
    .int32(records.length)
    .raw(recordsBytes);
  const batch = w.toBuffer();
  batch.writeUInt32BE(crc32c(batch, 21), 17);
  return batch;
}

/** A Produce v7 request body for one partition. */
export function produceBody(topic: string, partition: number, records: Buffer, acks = -1): Writer {
  return new Writer()
    .string(null)
    .int16(acks)
    .int32(5000)
    .array([0], (w) => w.string(topic).array([0], (w) => w.int32(partition).bytes(records)));
}

/** Decodes a Produce v7 response with one topic and one partition. */
export function readProduceResponse(r: Reader): { error: number; baseOffset: number } {
  r.int32(); // topics
  r.string();
  r.int32(); // partitions
  r.int32();
  const error = r.int16();
  const baseOffset = r.int64();
  return { error, baseOffset };
}

/** A `workbook broker` child process (brokerCommand from the compiled CLI module). */
export interface BrokerChild {
  child: ChildProcess;
  address: string;
  port: number;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function spawnBrokerChild(t: TestContext, args: string[]): Promise<BrokerChild> {
  const cli = path.resolve(__dirname, "../../../lib/kafka/cli.js");
  const code = `require(${JSON.stringify(cli)}).brokerCommand(process.argv.slice(1)).then((c) => process.exit(c))`;
  const child = spawn(process.execPath, ["-e", code, "--", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  defer(t, async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });
  let err = "";
  child.stderr?.on("data", (d) => (err += String(d)));
  let out = "";
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (d) => {
      out += String(d);
      const m = /listening on (\S+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on("exit", () => reject(new Error(`broker exited before listening: ${err}`)));
  });
  const port = Number(line.slice(line.lastIndexOf(":") + 1));
  return { child, address: line, port, stderr: () => err, exited };
}

/** Runs a command asynchronously (the broker under test lives in this process, so never spawnSync). */
export function run(cmd: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += String(d)));
    child.stderr.on("data", (d) => (stderr += String(d)));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** A Python 3 that can import `module` (Debian's /usr/bin/python3 first, then python3 on PATH), or null. */
export function pythonWith(module: string): string | null {
  for (const py of ["/usr/bin/python3", "python3"]) {
    if (spawnSync(py, ["-c", `import ${module}`], { stdio: "ignore" }).status === 0) return py;
  }
  return null;
}
