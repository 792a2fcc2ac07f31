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
  /**
   * Milliseconds the kernel may go without answering a heartbeat AND without using any CPU before
   * it counts as unresponsive (default 30000). tslab answers heartbeats on its event loop, so a
   * cell busy in synchronous code does not answer but uses CPU; a stopped or deadlocked kernel does
   * neither.
   */
  heartbeatTimeoutMs?: number;
  /** Extra environment for the kernel. */
  env?: Record<string, string>;
  /**
   * Every iopub message whose parent is not the request being executed (outputs of background work
   * of earlier cells, messages that arrive between cells).
   */
  onStrayMessage?: (msg: KernelMessage) => void;
  /** For tests: plants faults in the message path (see `KernelFaults`). */
  faults?: KernelFaults;
}

/** Faults a test can plant in the message path, to show that every wait fails closed. */
export interface KernelFaults {
  /** Called on every message received, before it is handled: return "drop" to lose it; may throw. */
  receive?: (channel: Channel, msg: KernelMessage) => "drop" | void;
  /** Called before every send: throw to make the send fail. */
  send?: (msgType: string) => void;
}

export type Channel = "shell" | "control" | "iopub";

/** Limits of one execution, each for its own wait (as nbclient keeps them apart). */
export interface ExecuteLimits {
  /** The cell's own limit (ms): then SIGINT to the kernel, SIGKILL 2 s later if it has not stopped. Default: none. */
  timeoutMs?: number;
  /**
   * After the execute_reply, how long (ms) to wait for each further iopub message of the cell until
   * its `status: idle` (default 5000). Past it the cell fails: its outputs may be incomplete.
   */
  iopubTimeoutMs?: number;
}

export interface ExecuteOutcome {
  /**
   * ok; error (the cell failed); timeout (interrupted after the time limit); died (the kernel
   * exited); unresponsive (the kernel stopped answering and was killed); incomplete (the reply came
   * but the idle did not, within the iopub limit); failed (the runner could not send the request or
   * handle a message of the cell).
   */
  status: "ok" | "error" | "timeout" | "died" | "unresponsive" | "incomplete" | "failed";
  executionCount: number | null;
  /** The text the cell wrote to stderr (tslab's errors and diagnostics arrive there). */
  stderr: string;
  /** For incomplete and failed: what went wrong, in a sentence. */
  reason?: string;
  /** The request's msg_id (outputs of this cell carry it as their parent). */
  msgId: string;
}

export interface KernelMessage {
  header: JsonObject & { msg_id: string; msg_type: string };
  parent_header: JsonObject & { msg_id?: string };
  metadata: JsonObject;
  content: JsonObject;
}
type Message = KernelMessage;

/** The default wait for the next iopub message of a cell after its reply (ms). */
export const DEFAULT_IOPUB_TIMEOUT_MS = 5000;
/** The default time without heartbeat and CPU before a kernel counts as unresponsive (ms). */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;

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

/** CPU time (user + system, in clock ticks) of a process, from /proc; undefined where there is none. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces and parentheses): state is the 3rd field.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  } catch {
    return undefined;
  }
}

/** The execution in progress: how the receive loops and the liveness watch reach it. */
interface Running {
  msgId: string;
  onMessage(channel: Channel, msg: Message): void;
  fail(outcome: Omit<ExecuteOutcome, "msgId" | "executionCount" | "stderr">): void;
}

export class Kernel {
  private readonly key = crypto.randomBytes(32).toString("hex");
  private readonly session = crypto.randomUUID();
  private proc?: ChildProcess;
  private shell?: Zmq.Dealer;
  private control?: Zmq.Dealer;
  private iopub?: Zmq.Subscriber;
  private heartbeat?: Zmq.Dealer;
  private connectionFile?: string;
  private readonly replyWaiters = new Map<string, (msg: Message) => void>();
  private running?: Running;
  private sawIopub = false;
  private exited = false;
  private exitWaiters: (() => void)[] = [];
  private livenessTimer?: NodeJS.Timeout;
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
        kernel.watchLiveness();
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
      // the launcher ends the kernel if this process is gone (see tslab-kernel.ts)
      env: { ...process.env, ...this.options.env, WORKBOOK_KERNEL_PARENT_PID: String(process.pid) },
    });
    const keep = (chunk: Buffer) => {
      this.processOutput = (this.processOutput + chunk.toString()).slice(-20_000);
    };
    this.proc.stdout?.on("data", keep);
    this.proc.stderr?.on("data", keep);
    this.proc.on("exit", (code, signal) => {
      this.exited = true;
      for (const w of this.exitWaiters.splice(0)) w();
      this.running?.fail({ status: "died", reason: `the kernel's process exited (${signal ?? `code ${code}`})` });
      if (!this.stopping) this.onExit?.(code, signal);
    });

    this.shell = new zmq.Dealer({ linger: 0 });
    this.control = new zmq.Dealer({ linger: 0 });
    // No receive high-water mark: a burst of output waits here instead of being dropped by the kernel's PUB socket.
    this.iopub = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 0 });
    this.heartbeat = new zmq.Dealer({ linger: 0 });
    this.shell.connect(`tcp://127.0.0.1:${shellPort}`);
    this.control.connect(`tcp://127.0.0.1:${controlPort}`);
    this.iopub.connect(`tcp://127.0.0.1:${iopubPort}`);
    this.heartbeat.connect(`tcp://127.0.0.1:${hbPort}`);
    this.iopub.subscribe();
    void this.receiveLoop("shell", this.shell);
    void this.receiveLoop("control", this.control);
    void this.receiveLoop("iopub", this.iopub);
    void this.heartbeatLoop(this.heartbeat);

    const deadline = Date.now() + timeoutMs;
    let replied = false;
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new WorkbookError("KERNEL_DIED", `The tslab kernel exited while starting. Its output:\n${this.processOutput.trim() || "(none)"}`);
      }
      const id = crypto.randomUUID();
      const reply = this.waitReply(id, 1000); // waiting before the request leaves, so no reply comes too early
      await this.send(this.shell, "kernel_info_request", {}, id).catch(() => undefined);
      const got = await reply;
      if (got) replied = true;
      if (replied && this.sawIopub) return;
    }
    throw new WorkbookError("KERNEL_TIMEOUT", `The tslab kernel did not answer within ${Math.round(timeoutMs / 1000)} s. Raise --start-timeout, or check that \`npx tslab kernel\` runs. Its output:\n${this.processOutput.trim() || "(none)"}`);
  }

  /**
   * Reads one socket until it closes. A message that cannot be handled (a planted fault, a bug in an
   * output handler) fails the running cell; the loop goes on, so later cells still run.
   */
  private async receiveLoop(channel: Channel, sock: Zmq.Dealer | Zmq.Subscriber): Promise<void> {
    try {
      for await (const frames of sock) {
        const msg = this.decode(frames);
        if (!msg) continue;
        try {
          if (this.options.faults?.receive?.(channel, msg) === "drop") continue;
          this.dispatch(channel, msg);
        } catch (err) {
          this.running?.fail({ status: "failed", reason: `the runner could not handle a ${msg.header.msg_type} message on ${channel}: ${(err as Error).message ?? String(err)}` });
        }
      }
    } catch {
      // socket closed
    }
  }

  private dispatch(channel: Channel, msg: Message): void {
    const parent = msg.parent_header.msg_id ?? "";
    if (channel !== "iopub") {
      this.replyWaiters.get(parent)?.(msg);
      return;
    }
    this.sawIopub = true;
    if (this.running && parent === this.running.msgId) this.running.onMessage(channel, msg);
    else if (msg.header.msg_type !== "status" && msg.header.msg_type !== "execute_input") this.options.onStrayMessage?.(msg);
  }

  private lastHeartbeat = Date.now();

  /** Echoes from the kernel's heartbeat socket (a REP socket: the empty frame is its envelope). */
  private async heartbeatLoop(sock: Zmq.Dealer): Promise<void> {
    try {
      for await (const _frames of sock) this.lastHeartbeat = Date.now();
    } catch {
      // socket closed
    }
  }

  /**
   * Every second: a heartbeat ping, and the kernel's CPU time. A kernel that neither answers a
   * heartbeat nor uses CPU for `heartbeatTimeoutMs` is stopped or deadlocked: the running cell fails
   * and the kernel is killed. (Its exit is caught at once by the process's exit event.)
   */
  private watchLiveness(): void {
    const limit = this.options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    const pid = this.proc?.pid;
    let lastTicks = pid === undefined ? undefined : cpuTicks(pid);
    let lastCpu = Date.now();
    this.lastHeartbeat = Date.now();
    this.livenessTimer = setInterval(() => {
      if (this.exited || !pid) return;
      this.heartbeat?.send(["", "ping"]).catch(() => undefined);
      const ticks = cpuTicks(pid);
      const now = Date.now();
      // Without /proc the CPU time is unknown: count it as busy, and never call the kernel unresponsive.
      if (ticks === undefined || ticks !== lastTicks) {
        lastTicks = ticks;
        lastCpu = now;
      }
      const silent = now - Math.max(this.lastHeartbeat, lastCpu);
      if (silent > limit && this.running) {
        const seconds = Math.round(silent / 1000);
        this.running.fail({ status: "unresponsive", reason: `the kernel answered no heartbeat and used no CPU for ${seconds} s (a stopped or deadlocked process); it was killed` });
        this.signal("SIGKILL");
      }
    }, 1000);
    this.livenessTimer.unref();
  }

  private decode(frames: Buffer[]): Message | undefined {
    const i = frames.findIndex((f) => f.equals(DELIM));
    if (i < 0 || frames.length < i + 6) return undefined;
    const [sig, ...parts] = frames.slice(i + 1, i + 6);
    const hmac = crypto.createHmac("sha256", this.key);
    for (const p of parts) hmac.update(p);
    if (hmac.digest("hex") !== sig.toString()) return undefined;
    try {
      const [header, parent, metadata, content] = parts.map((p) => JSON.parse(p.toString()) as JsonObject);
      return { header, parent_header: parent, metadata, content } as Message;
    } catch {
      return undefined;
    }
  }

  /** Sends a message; `msgId` is chosen by the caller when it must wait for the reply (register first, then send). */
  private async send(sock: Zmq.Dealer, msgType: string, content: JsonObject, msgId: string = crypto.randomUUID()): Promise<string> {
    this.options.faults?.send?.(msgType);
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
   * Executes `code`; `onOutput(msgType, content)` gets every iopub output of this execution
   * (stream, display_data, update_display_data, clear_output...). Three waits, each bounded on its
   * own: the shell reply (by `limits.timeoutMs`, when given: SIGINT, then SIGKILL), the iopub
   * messages up to `status: idle` after the reply (by `limits.iopubTimeoutMs`), and the kernel's
   * liveness (its process, and heartbeat or CPU) throughout.
   */
  async execute(code: string, onOutput: (msgType: string, content: JsonObject) => void, limits: ExecuteLimits = {}): Promise<ExecuteOutcome> {
    if (!this.shell || this.exited) return { status: "died", executionCount: null, stderr: "", msgId: "", reason: "the kernel is not running" };
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.executeOnce(code, onOutput, limits);
      // tslab answers "abort" for ~200 ms after an error; try again once after that window.
      if (outcome.status !== ("abort" as string) || attempt > 0) return outcome;
      await sleep(300);
    }
  }

  private executeOnce(code: string, onOutput: (msgType: string, content: JsonObject) => void, limits: ExecuteLimits): Promise<ExecuteOutcome> {
    const iopubLimit = limits.iopubTimeoutMs ?? DEFAULT_IOPUB_TIMEOUT_MS;
    // The id and the reply's waiter exist before the request leaves: a fast cell's reply (shell) or
    // outputs (iopub) can arrive before a promise continuation after send() would have run.
    const msgId = crypto.randomUUID();
    return new Promise((resolve) => {
      let reply: Message | undefined;
      let stderr = "";
      let settled = false;
      let timedOut = false;
      const timers: NodeJS.Timeout[] = [];
      let iopubTimer: NodeJS.Timeout | undefined;
      const count = () => (reply && typeof reply.content.execution_count === "number" ? reply.content.execution_count : null);
      const finish = (outcome: Omit<ExecuteOutcome, "msgId" | "executionCount" | "stderr">) => {
        if (settled) return;
        settled = true;
        timers.forEach(clearTimeout);
        if (iopubTimer) clearTimeout(iopubTimer);
        if (this.running === running) this.running = undefined;
        this.replyWaiters.delete(msgId);
        resolve({ executionCount: count(), stderr, msgId, ...outcome });
      };
      // Wait 2: after the reply, each further iopub message of the cell within the iopub limit. A timer
      // that fires late (the runner's event loop was busy) looks at the messages read meanwhile first.
      const armIopubTimer = () => {
        if (iopubTimer) clearTimeout(iopubTimer);
        iopubTimer = setTimeout(() => setImmediate(() => finish({
          status: "incomplete",
          reason: `the kernel replied, but its status "idle" did not follow within --iopub-timeout ${iopubLimit / 1000} s: the cell's outputs may be incomplete`,
        })), iopubLimit);
      };
      let idle = false;
      const done = () => {
        if (!reply || !idle) return;
        const status = String(reply.content.status ?? "error");
        if (timedOut) finish({ status: "timeout" });
        else finish({ status: status === "ok" ? "ok" : status === "abort" ? ("abort" as "error") : "error" });
      };
      const running: Running = {
        msgId,
        onMessage: (_channel, m) => {
          const type = m.header.msg_type;
          if (reply) armIopubTimer();
          if (type === "status") {
            if (m.content.execution_state === "idle") {
              idle = true;
              done();
            }
            return;
          }
          if (type === "execute_input") return;
          if (type === "stream" && m.content.name === "stderr") stderr += String(m.content.text ?? "");
          onOutput(type, m.content);
        },
        fail: (outcome) => finish(timedOut && outcome.status === "died" ? { status: "timeout" } : outcome),
      };
      this.running = running;
      // Wait 1: the shell reply.
      this.replyWaiters.set(msgId, (m) => {
        reply = m;
        if (idle) done();
        else armIopubTimer();
      });
      if (this.exited) {
        finish({ status: "died", reason: "the kernel's process exited" });
        return;
      }
      const content = { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true };
      this.send(this.shell!, "execute_request", content, msgId).catch((err: unknown) => {
        finish({ status: "failed", reason: `the execute request could not be sent to the kernel: ${(err as Error).message ?? String(err)}` });
      });
      if (limits.timeoutMs !== undefined && limits.timeoutMs > 0) {
        timers.push(setTimeout(() => {
          timedOut = true;
          this.signal("SIGINT");
          // A synchronous endless loop never sees SIGINT: kill the kernel if it has not stopped.
          timers.push(setTimeout(() => this.signal("SIGKILL"), 2000));
        }, limits.timeoutMs));
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

  /** The kernel's process id (its process group has the same id). */
  get pid(): number | undefined {
    return this.proc?.pid;
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
    if (this.livenessTimer) clearInterval(this.livenessTimer);
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
    for (const sock of [this.shell, this.control, this.iopub, this.heartbeat]) sock?.close();
    this.shell = this.control = this.heartbeat = undefined;
    this.iopub = undefined;
    if (this.connectionFile) fs.rmSync(this.connectionFile, { force: true });
  }
}
