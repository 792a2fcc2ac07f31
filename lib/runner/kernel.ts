/**
 * A Jupyter client for the tslab kernel, over ZeroMQ: starts `tslab kernel --config-path FILE` in
 * its own process group, speaks the messaging protocol (HMAC-SHA256 signed), executes code and
 * streams the iopub messages of each execution to a callback. Handles tslab's quirks (no error on
 * iopub: errors come on stderr with a reply of status "error"; no interrupt_request: SIGINT).
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type * as Zmq from "zeromq";
import { WorkbookError } from "../errors";
import { kernelArgv } from "./kernel-command";
import type { JsonObject } from "../notebook/nbformat";

const DELIM = Buffer.from("<IDS|MSG>");

/** Kernels this runner can start: kernelspec name -> extra argument of `tslab kernel`. */
export const KERNELS: Record<string, string[]> = { tslab: [], typescript: [], jslab: ["--js"], javascript: ["--js"] };

export interface KernelOptions {
  /** Kernelspec name: tslab (TypeScript) or jslab (JavaScript). */
  kernelName?: string;
  /** Working directory of the kernel. */
  cwd: string;
  /** Milliseconds to wait for the kernel to answer (default 60000). */
  startTimeoutMs?: number;
  /** Extra environment for the kernel. */
  env?: Record<string, string>;
}

export interface ExecuteOutcome {
  /** ok; error (the cell failed); timeout (interrupted after the time limit); died (the kernel exited). */
  status: "ok" | "error" | "timeout" | "died";
  executionCount: number | null;
  /** The text the cell wrote to stderr (tslab's errors and diagnostics arrive there). */
  stderr: string;
}

interface Message {
  header: JsonObject & { msg_id: string; msg_type: string };
  parent_header: JsonObject & { msg_id?: string };
  metadata: JsonObject;
  content: JsonObject;
}

async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
      });
      ports.push((server.address() as net.AddressInfo).port);
    }
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
  return ports;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Kernel {
  private readonly key = crypto.randomBytes(32).toString("hex");
  private readonly session = crypto.randomUUID();
  private proc?: ChildProcess;
  private shell?: Zmq.Dealer;
  private control?: Zmq.Dealer;
  private iopub?: Zmq.Subscriber;
  private connectionFile?: string;
  private readonly replyWaiters = new Map<string, (msg: Message) => void>();
  private iopubListener?: (msg: Message) => void;
  private sawIopub = false;
  private exited = false;
  private exitWaiters: (() => void)[] = [];
  /** What the kernel process printed outside of cells (for start-up failures). */
  private processOutput = "";
  /** Called once when the kernel process exits unexpectedly. */
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  private stopping = false;

  private constructor(private readonly options: KernelOptions) {}

  /** Starts a kernel and waits until it answers kernel_info on shell and publishes on iopub. */
  static async start(options: KernelOptions): Promise<Kernel> {
    const name = options.kernelName ?? "tslab";
    if (!(name in KERNELS)) {
      throw new WorkbookError("KERNEL_UNKNOWN", `Unknown kernel ${JSON.stringify(name)}: this runner starts ${Object.keys(KERNELS).join(", ")}. Pass -k tslab, or set the notebook's kernelspec to tslab.`);
    }
    const timeout = options.startTimeoutMs ?? 60_000;
    let lastError: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      const kernel = new Kernel(options);
      try {
        await kernel.launch(name, timeout);
        return kernel;
      } catch (err) {
        lastError = err;
        await kernel.close();
        if (err instanceof WorkbookError && err.code === "KERNEL_DIED") break;
      }
    }
    throw lastError;
  }

  private async launch(name: string, timeoutMs: number): Promise<void> {
    const zmq = await import("zeromq");
    const [shellPort, iopubPort, stdinPort, controlPort, hbPort] = await freePorts(5);
    this.connectionFile = path.join(os.tmpdir(), `workbook-kernel-${process.pid}-${crypto.randomBytes(4).toString("hex")}.json`);
    fs.writeFileSync(this.connectionFile, JSON.stringify({
      transport: "tcp", ip: "127.0.0.1", key: this.key, signature_scheme: "hmac-sha256",
      shell_port: shellPort, iopub_port: iopubPort, stdin_port: stdinPort, control_port: controlPort, hb_port: hbPort,
      kernel_name: name,
    }));
    const [node, ...args] = kernelArgv(this.connectionFile, KERNELS[name]);
    this.proc = spawn(node, args, {
      cwd: this.options.cwd,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...this.options.env },
    });
    const keep = (chunk: Buffer) => {
      this.processOutput = (this.processOutput + chunk.toString()).slice(-20_000);
    };
    this.proc.stdout?.on("data", keep);
    this.proc.stderr?.on("data", keep);
    this.proc.on("exit", (code, signal) => {
      this.exited = true;
      for (const w of this.exitWaiters.splice(0)) w();
      if (!this.stopping) this.onExit?.(code, signal);
    });

    this.shell = new zmq.Dealer({ linger: 0 });
    this.control = new zmq.Dealer({ linger: 0 });
    this.iopub = new zmq.Subscriber({ linger: 0 });
    this.shell.connect(`tcp://127.0.0.1:${shellPort}`);
    this.control.connect(`tcp://127.0.0.1:${controlPort}`);
    this.iopub.connect(`tcp://127.0.0.1:${iopubPort}`);
    this.iopub.subscribe();
    void this.receiveLoop(this.shell, (m) => this.replyWaiters.get(m.parent_header.msg_id ?? "")?.(m));
    void this.receiveLoop(this.control, (m) => this.replyWaiters.get(m.parent_header.msg_id ?? "")?.(m));
    void this.receiveLoop(this.iopub, (m) => {
      this.sawIopub = true;
      this.iopubListener?.(m);
    });

    const deadline = Date.now() + timeoutMs;
    let replied = false;
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new WorkbookError("KERNEL_DIED", `The tslab kernel exited while starting. Its output:\n${this.processOutput.trim() || "(none)"}`);
      }
      const id = crypto.randomUUID();
      const reply = this.waitReply(id, 1000); // waiting before the request leaves, so no reply comes too early
      await this.send(this.shell, "kernel_info_request", {}, id);
      const got = await reply;
      if (got) replied = true;
      if (replied && this.sawIopub) return;
    }
    throw new WorkbookError("KERNEL_TIMEOUT", `The tslab kernel did not answer within ${Math.round(timeoutMs / 1000)} s. Raise --start-timeout, or check that \`npx tslab kernel\` runs. Its output:\n${this.processOutput.trim() || "(none)"}`);
  }

  private async receiveLoop(sock: Zmq.Dealer | Zmq.Subscriber, handle: (msg: Message) => void): Promise<void> {
    try {
      for await (const frames of sock) {
        const msg = this.decode(frames);
        if (msg) handle(msg);
      }
    } catch {
      // socket closed
    }
  }

  private decode(frames: Buffer[]): Message | undefined {
    const i = frames.findIndex((f) => f.equals(DELIM));
    if (i < 0 || frames.length < i + 6) return undefined;
    const [sig, ...parts] = frames.slice(i + 1, i + 6);
    const hmac = crypto.createHmac("sha256", this.key);
    for (const p of parts) hmac.update(p);
    if (hmac.digest("hex") !== sig.toString()) return undefined;
    const [header, parent, metadata, content] = parts.map((p) => JSON.parse(p.toString()) as JsonObject);
    return { header, parent_header: parent, metadata, content } as Message;
  }

  /** Sends a message; `msgId` is chosen by the caller when it must wait for the reply (register first, then send). */
  private async send(sock: Zmq.Dealer, msgType: string, content: JsonObject, msgId: string = crypto.randomUUID()): Promise<string> {
    const header = { msg_id: msgId, msg_type: msgType, session: this.session, username: "workbook", date: new Date().toISOString(), version: "5.3" };
    const parts = [header, {}, {}, content].map((p) => Buffer.from(JSON.stringify(p)));
    const hmac = crypto.createHmac("sha256", this.key);
    for (const p of parts) hmac.update(p);
    await sock.send([DELIM, Buffer.from(hmac.digest("hex")), ...parts]);
    return header.msg_id;
  }

  private waitReply(msgId: string, timeoutMs: number): Promise<Message | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.replyWaiters.delete(msgId);
        resolve(undefined);
      }, timeoutMs);
      this.replyWaiters.set(msgId, (m) => {
        clearTimeout(timer);
        this.replyWaiters.delete(msgId);
        resolve(m);
      });
    });
  }

  /**
   * Executes `code`; `onOutput(msgType, content)` gets every iopub message of this execution
   * (stream, display_data, update_display_data, clear_output...). With `timeoutMs`, the kernel is
   * interrupted (SIGINT to its process group) at the limit, and killed if it does not stop.
   */
  async execute(code: string, onOutput: (msgType: string, content: JsonObject) => void, timeoutMs?: number): Promise<ExecuteOutcome> {
    if (!this.shell || this.exited) return { status: "died", executionCount: null, stderr: "" };
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.executeOnce(code, onOutput, timeoutMs);
      // tslab answers "abort" for ~200 ms after an error; try again once after that window.
      if (outcome.status !== ("abort" as string) || attempt > 0) return outcome;
      await sleep(300);
    }
  }

  private executeOnce(code: string, onOutput: (msgType: string, content: JsonObject) => void, timeoutMs?: number): Promise<ExecuteOutcome> {
    return new Promise((resolve) => {
      let msgId = "";
      let reply: Message | undefined;
      let idle = false;
      let stderr = "";
      let settled = false;
      let timedOut = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = (outcome: ExecuteOutcome) => {
        if (settled) return;
        settled = true;
        timers.forEach(clearTimeout);
        this.iopubListener = undefined;
        this.exitWaiters = this.exitWaiters.filter((w) => w !== onDeath);
        if (msgId) this.replyWaiters.delete(msgId);
        resolve(outcome);
      };
      const check = () => {
        if (!reply || !idle) return;
        const status = String(reply.content.status ?? "error");
        const count = typeof reply.content.execution_count === "number" ? reply.content.execution_count : null;
        if (timedOut) finish({ status: "timeout", executionCount: count, stderr });
        else finish({ status: status === "ok" ? "ok" : status === "abort" ? ("abort" as "error") : "error", executionCount: count, stderr });
      };
      const onDeath = () => finish({ status: timedOut ? "timeout" : "died", executionCount: null, stderr });
      this.exitWaiters.push(onDeath);
      this.iopubListener = (m) => {
        if (!msgId || m.parent_header.msg_id !== msgId) return;
        const type = m.header.msg_type;
        if (type === "status") {
          if (m.content.execution_state === "idle") {
            idle = true;
            check();
          }
          return;
        }
        if (type === "execute_input") return;
        if (type === "stream" && m.content.name === "stderr") stderr += String(m.content.text ?? "");
        onOutput(type, m.content);
      };
      // The id and the reply's waiter exist before the request leaves: a fast cell's reply (shell) or
      // outputs (iopub) can arrive before a promise continuation after send() would have run, and
      // were then dropped, leaving the cell waiting forever.
      msgId = crypto.randomUUID();
      this.replyWaiters.set(msgId, (m) => {
        reply = m;
        check();
      });
      void this.send(this.shell!, "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }, msgId);
      if (timeoutMs !== undefined && timeoutMs > 0) {
        timers.push(setTimeout(() => {
          timedOut = true;
          this.signal("SIGINT");
          // A synchronous endless loop never sees SIGINT: kill the kernel if it has not stopped.
          timers.push(setTimeout(() => this.signal("SIGKILL"), 2000));
        }, timeoutMs));
      }
    });
  }

  /** Sends a signal to the kernel's process group. */
  signal(sig: NodeJS.Signals, evenIfExited = false): void {
    if (!this.proc?.pid || (this.exited && !evenIfExited)) return;
    try {
      process.kill(-this.proc.pid, sig);
    } catch {
      // already gone
    }
  }

  get alive(): boolean {
    return !!this.proc && !this.exited;
  }

  private waitExit(ms: number): Promise<boolean> {
    if (this.exited || !this.proc) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(this.exited), ms);
      this.exitWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** Shuts the kernel down: shutdown_request on control, then SIGTERM, then SIGKILL; closes sockets. */
  async close(): Promise<void> {
    this.stopping = true;
    if (this.proc && !this.exited) {
      if (this.control) await this.send(this.control, "shutdown_request", { restart: false }).catch(() => undefined);
      if (!(await this.waitExit(2500))) {
        this.signal("SIGTERM");
        if (!(await this.waitExit(2500))) {
          this.signal("SIGKILL");
          await this.waitExit(2500);
        }
      }
    }
    // tslab's kernel may leave children in its group; make sure none survive.
    this.signal("SIGKILL", true);
    for (const sock of [this.shell, this.control, this.iopub]) sock?.close();
    this.shell = this.control = undefined;
    this.iopub = undefined;
    if (this.connectionFile) fs.rmSync(this.connectionFile, { force: true });
  }
}
