import assert from "node:assert/strict";
import * as net from "node:net";
import { test } from "node:test";
import { forget, installInterruptHandler, interruptible, openOnce, runningWork, startOnce, stopAll, uninstallInterruptHandler } from "../../../lib/notebook/session";
import { Kernel } from "../../../lib/runner";
import { projectTempDir } from "../../helpers";

/** A piece of work with a timer that runs until stopped, like a stream's poller. */
function ticker() {
  let ticks = 0;
  let stopped = 0;
  const timer = setInterval(() => ticks++, 5);
  let finish!: (n: number) => void;
  const done = new Promise<number>((r) => (finish = r));
  return {
    done,
    get stopped() {
      return stopped;
    },
    get ticks() {
      return ticks;
    },
    stop() {
      stopped++;
      clearInterval(timer);
      finish(ticks);
    },
  };
}

/** Captures what the session writes to stdout during `fn`. */
async function stdoutOf(fn: () => Promise<void>): Promise<string> {
  const write = process.stdout.write.bind(process.stdout);
  let out = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

test("startOnce stops the previous work of the same name first and says so; other names are left alone", async (t) => {
  t.after(async () => {
    await stopAll();
    uninstallInterruptHandler();
  });
  const first = await startOnce("stream", ticker);
  const other = await startOnce("job", ticker);
  let second: ReturnType<typeof ticker> | undefined;
  const out = await stdoutOf(async () => {
    second = await startOnce("stream", ticker);
  });
  assert.equal(first.stopped, 1);
  assert.equal(other.stopped, 0);
  assert.equal(second!.stopped, 0);
  assert.match(out, /^Stopped the previous stream first \(this cell was run again\)\.\n$/);
  assert.deepEqual(runningWork().sort(), ["job", "stream"]);
  forget("job");
  assert.deepEqual(await stopAll(), ["stream"]);
  assert.equal(other.stopped, 0, "forgotten work is not stopped");
  assert.equal(second!.stopped, 1);
  other.stop();
});

test("a SIGINT stops the running work and ends the waiting cell with one line; close() counts as stop", async (t) => {
  const before = process.listeners("SIGINT");
  let tslabInterrupts = 0;
  const tslab = () => tslabInterrupts++;
  process.on("SIGINT", tslab);
  t.after(async () => {
    await stopAll();
    uninstallInterruptHandler();
    process.removeListener("SIGINT", tslab);
    assert.deepEqual(process.listeners("SIGINT"), before);
  });
  installInterruptHandler();
  await new Promise((r) => setImmediate(r));
  const work = await startOnce("netflix stream", ticker);
  let closed = 0;
  await startOnce("poller", () => ({ close: () => closed++ }));
  const waiting = interruptible(work.done);
  process.emit("SIGINT", "SIGINT");
  // stopping lets work.done resolve, but the cell still ends as interrupted
  await assert.rejects(waiting, (line) => line === "Interrupted: stopped poller, netflix stream.");
  assert.equal(work.stopped, 1);
  assert.equal(closed, 1);
  assert.equal(tslabInterrupts, 0, "tslab's handler is not called while the workbook handles the interrupt");
  assert.deepEqual(runningWork(), []);

  // nothing of ours running or waited for: the interrupt goes to tslab
  process.emit("SIGINT", "SIGINT");
  assert.equal(tslabInterrupts, 1);

  // background work but no waiting cell: stopped, one line on stdout, and tslab interrupts the cell
  const background = await startOnce("stream", ticker);
  const out = await stdoutOf(async () => {
    process.emit("SIGINT", "SIGINT");
    await background.done;
    await new Promise((r) => setImmediate(r));
  });
  assert.equal(background.stopped, 1);
  assert.equal(out, "Interrupted: stopped stream.\n");
  assert.equal(tslabInterrupts, 2);
});

test("openOnce hands back the open resource on a re-run, and opens a new one after close()", async () => {
  let opened = 0;
  let closed = 0;
  const open = () => ({ n: ++opened, close: async () => void closed++ });
  const a = await openOnce("test-db", open);
  const b = await openOnce("test-db", open);
  assert.equal(a, b);
  assert.equal(opened, 1);
  await b.close();
  assert.equal(closed, 1);
  const c = await openOnce("test-db", open);
  assert.notEqual(c, a);
  assert.equal(c.n, 2);
  await a.close(); // closing the old one again does not forget the new one
  assert.equal(await openOnce("test-db", open), c);
  await c.close();
});

test("interruptible passes results and errors through when no interrupt comes", async (t) => {
  t.after(() => uninstallInterruptHandler());
  assert.equal(await interruptible(Promise.resolve(42)), 42);
  await assert.rejects(interruptible(Promise.reject(new Error("boom"))), /boom/);
});

test("in a real tslab kernel, the stop button (SIGINT) stops the work, prints one line, and the kernel stays usable", { timeout: 400_000 }, async (t) => {
  const kernel = await Kernel.start({ cwd: projectTempDir(t), env: { WORKBOOK_HOME: projectTempDir(t) } });
  t.after(() => kernel.close());
  const run = async (code: string, onStdout?: (text: string) => void) => {
    let stdout = "";
    const outcome = await kernel.execute(code, (type, content) => {
      if (type === "stream" && content.name === "stdout") {
        stdout += String(content.text);
        onStdout?.(stdout);
      }
    }, { timeoutMs: 300_000 });
    return { ...outcome, stdout };
  };
  const start = `import { startOnce, interruptible } from "de-workbook";
let stops = 0;
const work = await startOnce("endless stream", () => { const timer = setInterval(() => undefined, 10); return { done: new Promise<void>(() => undefined), stop: () => { clearInterval(timer); stops++; } }; });`;
  const started = await run(start);
  assert.equal(started.status, "ok", started.stderr);
  // run the cell again: the first work is stopped first
  const again = await run(start.replace("let stops = 0;", ""));
  assert.equal(again.status, "ok", again.stderr);
  assert.match(again.stdout, /Stopped the previous endless stream first/);

  // interrupt once the cell is waiting (on a loaded machine tslab may take seconds to compile a cell)
  let signalled = false;
  const interrupted = await run(`const waiting = interruptible(work.done); await new Promise((r) => setTimeout(r, 20)); console.log("waiting"); await waiting;`, (out) => {
    if (!signalled && out.includes("waiting")) {
      signalled = true;
      kernel.signal("SIGINT");
    }
  });
  assert.equal(interrupted.status, "error");
  assert.equal(interrupted.stderr.trim(), "Interrupted: stopped endless stream.", "one line, no stack trace");

  // (tslab answers "abort" to requests for 200 ms after a failed cell)
  await new Promise((r) => setTimeout(r, 1000));
  const after = await run(`console.log(\`stops=\${stops}\`);`);
  assert.equal(after.status, "ok", after.stderr);
  assert.equal(after.stdout.trim(), "stops=2");

  // a job (notebook 02's): the stop button ends its worker process, and the line says so. A server
  // that never answers holds the worker inside its one image until then.
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((s) => { sockets.add(s); s.on("close", () => sockets.delete(s)).resume(); }); // read, never answer
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); silent.close(() => resolve()); }));
  const port = (silent.address() as net.AddressInfo).port;
  let waitingForJob = false;
  const jobCell = run(`import { startImageColours } from "de-workbook/image-kmeans";
const imageJob = await startOnce("image k-means job", () => startImageColours(["http://127.0.0.1:${port}/never.png"], { timeoutMs: 120000, workers: 1, progress: false }));
const jobDone = interruptible(imageJob.finish()); console.log("waiting"); await jobDone;`, (out) => (waitingForJob = out.includes("waiting")));
  while (!waitingForJob || sockets.size === 0) await new Promise((r) => setTimeout(r, 20)); // the worker is downloading
  kernel.signal("SIGINT");
  const jobInterrupted = await jobCell;
  assert.equal(jobInterrupted.status, "error");
  assert.equal(jobInterrupted.stderr.trim(), "Interrupted: stopped image k-means job (its worker processes have exited).", "one line, no stack trace");
  for (let waited = 0; sockets.size > 0 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20)); // its close crosses processes
  assert.equal(sockets.size, 0, "the worker process is gone: its connection closed");
});

test("a stop() that resolves to a note adds it to the line: what stopping did, e.g. the teardown that still ran", async (t) => {
  t.after(async () => {
    await stopAll();
    uninstallInterruptHandler();
  });
  let stops = 0;
  const dagRun = () => ({ stop: async () => (++stops === 1 ? "delete_cluster still ran: cluster c-1 deleted" : undefined) });
  await startOnce("DAG run", dagRun);
  const out = await stdoutOf(async () => {
    await startOnce("DAG run", dagRun);
  });
  assert.equal(out, "Stopped the previous DAG run (delete_cluster still ran: cluster c-1 deleted) first (this cell was run again).\n");
  await startOnce("job", () => ({ stop: async () => "its worker processes have exited" }));
  assert.deepEqual(await stopAll(), ["job (its worker processes have exited)", "DAG run"], "no note: the name alone");
});
