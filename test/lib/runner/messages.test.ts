/**
 * The kernel's message path: no message lost (tslab's unawaited sends against zeromq's limit of
 * 512 synchronous sends), and every wait of the runner bounded, failing closed with a clear message.
 * Each fault is planted: a dropped idle, a throwing handler, a failed send, a kernel that stops.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { type CodeCell, type Notebook, type Output, joinSource, newCellId, writeNotebook } from "../../../lib/notebook/nbformat";
import { Kernel, runNotebook } from "../../../lib/runner";
import { readScraps } from "../../../lib/scraps";
import { projectTempDir } from "../../helpers";

/** A tslab notebook of code cells, in a folder inside the project (so `de-workbook` resolves). */
function notebook(dir: string, name: string, cells: string[]): string {
  const nb: Notebook = {
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: cells.map((source): CodeCell => ({ id: newCellId(), cell_type: "code", metadata: {}, source, outputs: [], execution_count: null })),
  };
  const file = path.join(dir, `${name}.ipynb`);
  writeNotebook(file, nb);
  return file;
}

const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const codeCells = (nb: Notebook) => nb.cells.filter((c): c is CodeCell => c.cell_type === "code");
const streamText = (cell: CodeCell, name = "stdout") => cell.outputs.filter((o) => o.output_type === "stream" && o.name === name).map((o) => joinSource((o as { text: string | string[] }).text)).join("");
const plainText = (o: Output) => (o.output_type === "display_data" ? joinSource(o.data["text/plain"] as string | string[]) : "");
const KERNEL = { timeout: 240_000 };

describe("no kernel message is lost", { concurrency: 1 }, () => {
  test("a cell printing 2,000 lines keeps all 2,000, in order", KERNEL, async (t) => {
    const dir = projectTempDir(t);
    const input = notebook(dir, "lines", ['for (let i = 0; i < 2000; i++) console.log(`line ${i}`);', 'console.log("after");']);
    const r = await runNotebook({ input, output: path.join(dir, "out.ipynb"), stderr: quiet });
    assert.equal(r.status, "completed", r.error);
    const [cell, after] = codeCells(r.notebook);
    const lines = streamText(cell).trimEnd().split("\n");
    assert.equal(lines.length, 2000);
    lines.forEach((line, i) => assert.equal(line, `line ${i}`));
    assert.equal(streamText(after), "after\n");
  });

  test("300 cells with 10 displays each all complete, with every display kept", KERNEL, async (t) => {
    const dir = projectTempDir(t);
    const cells = Array.from({ length: 300 }, (_, c) => `for (let i = 0; i < 10; i++) tslab.display.text(\`cell ${c} display \${i}\`);`);
    cells.unshift('import * as tslab from "tslab";');
    const input = notebook(dir, "displays", cells);
    const r = await runNotebook({ input, output: path.join(dir, "out.ipynb"), stderr: quiet });
    assert.equal(r.status, "completed", r.error);
    assert.equal(r.executed, 301);
    codeCells(r.notebook).slice(1).forEach((cell, c) => {
      const texts = cell.outputs.map(plainText);
      assert.deepEqual(texts, Array.from({ length: 10 }, (_, i) => `cell ${c} display ${i}`), `cell ${c}`);
    });
  });

  test("100 glue calls in one cell give 100 scraps", KERNEL, async (t) => {
    const dir = projectTempDir(t);
    const input = notebook(dir, "glue", ['import { glue } from "de-workbook";\nfor (let i = 0; i < 100; i++) glue(`scrap_${i}`, { i, square: i * i });']);
    const r = await runNotebook({ input, output: path.join(dir, "out.ipynb"), stderr: quiet });
    assert.equal(r.status, "completed", r.error);
    const scraps = readScraps(r.output);
    assert.equal(Object.keys(scraps).length, 100);
    for (let i = 0; i < 100; i++) assert.deepEqual(scraps[`scrap_${i}`], { i, square: i * i });
  });

  test("outputs of background work: a display of an earlier cell is updated where it is, and output printed just before the end is kept", KERNEL, async (t) => {
    const dir = projectTempDir(t);
    const input = notebook(dir, "background", [
      `import * as tslab from "tslab";
const live = tslab.newDisplay();
live.text("tick 0");
let ticks = 0;
const finished = new Promise<void>((resolve) => {
  const timer = setInterval(() => { ticks++; live.text(\`tick \${ticks}\`); if (ticks === 5) { clearInterval(timer); console.log("background done"); resolve(); } }, 100);
});`,
      'setTimeout(() => console.log("late output"), 50);',
      // the last cell ends as the background work prints its last line: that line must not be lost
      "await finished;",
    ]);
    const r = await runNotebook({ input, output: path.join(dir, "out.ipynb"), stderr: quiet });
    assert.equal(r.status, "completed", r.error);
    const cells = codeCells(r.notebook);
    const live = cells[0].outputs.filter((o) => o.output_type === "display_data");
    assert.equal(live.length, 1, "the live display stays one output");
    assert.equal(plainText(live[0]), "tick 5", "the update reached the first cell");
    const all = cells.map((c) => streamText(c)).join("");
    assert.match(all, /late output/);
    assert.match(all, /background done/);
  });

  test("a message between cells, with an earlier request as its parent, reaches the kernel's stray handler", KERNEL, async (t) => {
    const strays: { parent: string; text: string }[] = [];
    const kernel = await Kernel.start({ cwd: projectTempDir(t), onStrayMessage: (m) => strays.push({ parent: String(m.parent_header.msg_id), text: String(m.content.text ?? "") }) });
    t.after(() => kernel.close());
    const first = await kernel.execute('setTimeout(() => console.log("after the cell"), 200);', () => undefined);
    assert.equal(first.status, "ok", first.stderr);
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(strays, [{ parent: first.msgId, text: "after the cell\n" }]);
  });
});

describe("files and folders that change around a running notebook", { concurrency: 1 }, () => {
  test("a node_modules folder created beside and above the notebook, then removed, while the kernel runs: every later cell still runs (tslab's \"Unexpected pending rebuildTimer\")", KERNEL, async (t) => {
    const outer = projectTempDir(t);
    const dir = path.join(outer, "notebook");
    fs.mkdirSync(dir);
    const input = notebook(dir, "folders", [
      'import * as fs from "fs";\nimport * as path from "path";\nimport { glue } from "de-workbook";\nconst pause = () => new Promise((r) => setTimeout(r, 1500));\nglue("a", 1);',
      'fs.mkdirSync(path.join(process.cwd(), "node_modules"));\nawait pause();',
      'glue("b", 2);',
      'fs.mkdirSync(path.join(process.cwd(), "..", "node_modules"));\nawait pause();',
      'glue("c", 3);',
      'fs.rmSync(path.join(process.cwd(), "node_modules"), { recursive: true });\nfs.rmSync(path.join(process.cwd(), "..", "node_modules"), { recursive: true });\nawait pause();',
      'glue("d", 4);',
    ]);
    const r = await runNotebook({ input, output: path.join(dir, "out.ipynb"), cwd: dir, stderr: quiet });
    assert.equal(r.status, "completed", r.error);
    assert.deepEqual(readScraps(r.notebook), { a: 1, b: 2, c: 3, d: 4 });
  });
  test("a package.json of an imported package rewritten while the kernel runs (an npm install beside it): every later cell still runs", KERNEL, async (t) => {
    const dir = projectTempDir(t);
    const pkg = path.join(dir, "node_modules", "localpkg");
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "localpkg", version: "1.0.0", main: "index.js", types: "index.d.ts" }));
    fs.writeFileSync(path.join(pkg, "index.js"), "exports.answer = 42;\n");
    fs.writeFileSync(path.join(pkg, "index.d.ts"), "export declare const answer: number;\n");
    const input = notebook(dir, "package", [
      'import * as fs from "fs";\nimport * as path from "path";\nimport { glue } from "de-workbook";\nimport { answer } from "localpkg";\nconst pause = () => new Promise((r) => setTimeout(r, 1500));\nglue("a", answer);',
      'const file = path.join(process.cwd(), "node_modules", "localpkg", "package.json");\nfs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, "utf8")), version: "1.0.1" }));\nawait pause();',
      'glue("b", answer + 1);',
      'glue("c", 3);',
    ]);
    const r = await runNotebook({ input, output: path.join(dir, "out.ipynb"), cwd: dir, stderr: quiet });
    assert.equal(r.status, "completed", r.error);
    assert.deepEqual(readScraps(r.notebook), { a: 42, b: 43, c: 3 });
  });
});

describe("every wait is bounded and fails closed", { concurrency: 1 }, () => {
  test("a dropped status idle fails the cell within the iopub limit, saying outputs may be incomplete", KERNEL, async (t) => {
    const dir = projectTempDir(t);
    const input = notebook(dir, "idle", ['console.log("one");', 'console.log("two");', 'console.log("three");']);
    let idles = 0;
    const started = Date.now();
    const r = await runNotebook({
      input, output: path.join(dir, "out.ipynb"), stderr: quiet, iopubTimeout: 1,
      // drop the second cell's idle (the first idle of all is the kernel_info's at start-up)
      faults: { receive: (channel, m) => (channel === "iopub" && m.content.execution_state === "idle" && m.parent_header.msg_type === "execute_request" && ++idles === 2 ? "drop" : undefined) },
    });
    assert.equal(r.status, "failed");
    assert.equal(r.exitCode, 1);
    assert.match(r.error ?? "", /did not follow within --iopub-timeout 1 s: the cell's outputs may be incomplete/);
    assert.ok(Date.now() - started < 60_000);
    const cells = codeCells(r.notebook);
    assert.equal(streamText(cells[1]), "two\n", "what arrived is kept");
    assert.equal((cells[2].metadata.papermill as { status: string }).status, "pending");
    assert.ok(fs.existsSync(r.output));
  });

  test("a handler that throws fails the running cell; the receive loop goes on and later cells run", KERNEL, async (t) => {
    let armed = true;
    const kernel = await Kernel.start({
      cwd: projectTempDir(t),
      faults: { receive: (channel, m) => {
        if (armed && channel === "iopub" && m.header.msg_type === "stream") {
          armed = false;
          throw new Error("planted handler failure");
        }
      } },
    });
    t.after(() => kernel.close());
    const failed = await kernel.execute('console.log("x");', () => undefined);
    assert.equal(failed.status, "failed");
    assert.match(failed.reason ?? "", /could not handle a stream message on iopub: planted handler failure/);
    await new Promise((r) => setTimeout(r, 500));
    let out = "";
    const next = await kernel.execute('console.log("still here");', (type, content) => {
      if (type === "stream") out += String(content.text);
    });
    assert.equal(next.status, "ok", next.stderr);
    assert.equal(out, "still here\n");
  });

  test("a send that fails fails the cell with the reason", KERNEL, async (t) => {
    const dir = projectTempDir(t);
    const input = notebook(dir, "send", ['console.log("one");', 'console.log("two");']);
    let requests = 0;
    const r = await runNotebook({
      input, output: path.join(dir, "out.ipynb"), stderr: quiet,
      faults: { send: (type) => {
        if (type === "execute_request" && ++requests === 2) throw new Error("planted send failure");
      } },
    });
    assert.equal(r.status, "failed");
    assert.equal(r.exitCode, 1);
    assert.match(r.error ?? "", /the execute request could not be sent to the kernel: planted send failure/);
    assert.equal(streamText(codeCells(r.notebook)[0]), "one\n");
  });

  test("a kernel that stops answering (SIGSTOP) fails the cell with exit 138 and is killed", KERNEL, async (t) => {
    const dir = projectTempDir(t);
    const input = notebook(dir, "stopped", ['console.log("before");', 'process.kill(process.pid, "SIGSTOP");', 'console.log("never");']);
    const started = Date.now();
    const r = await runNotebook({ input, output: path.join(dir, "out.ipynb"), stderr: quiet, heartbeatTimeout: 3 });
    assert.equal(r.status, "died");
    assert.equal(r.exitCode, 138);
    assert.match(r.error ?? "", /The kernel stopped responding while running this cell: the kernel answered no heartbeat and used no CPU for [3-9] s/);
    assert.ok(Date.now() - started < 60_000);
    assert.equal(r.failedCell, 3, "the SIGSTOP cell, after the banner and anchor cells");
  });

  test("a busy synchronous cell that answers no heartbeat but uses CPU is not called dead", KERNEL, async (t) => {
    const dir = projectTempDir(t);
    const input = notebook(dir, "busy", ['const end = Date.now() + 5000; let n = 0; while (Date.now() < end) n++; console.log(n > 0);']);
    const r = await runNotebook({ input, output: path.join(dir, "out.ipynb"), stderr: quiet, heartbeatTimeout: 2 });
    assert.equal(r.status, "completed", r.error);
    assert.equal(streamText(codeCells(r.notebook)[0]), "true\n");
  });
});

test("a kernel of the runner ends when the runner's process is gone (killed before it could shut the kernel down)", { timeout: 120_000 }, async (t) => {
  const dir = projectTempDir(t);
  const input = notebook(dir, "orphan", ['console.log("started"); await new Promise((r) => setTimeout(r, 600_000));']);
  // a runner in a child process, SIGKILLed while its cell runs
  const script = `require(${JSON.stringify(path.join(__dirname, "..", "..", "..", "lib", "runner"))}).runNotebook({ input: ${JSON.stringify(input)}, output: ${JSON.stringify(path.join(dir, "out.ipynb"))}, progressBar: false, logOutput: true });`;
  const runner = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => runner.kill("SIGKILL"));
  let out = "";
  await new Promise<void>((resolve) => runner.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.includes("started")) resolve();
  }));
  const kernels = () => processesWith(`WORKBOOK_KERNEL_PARENT_PID=${runner.pid}`);
  const before = kernels();
  assert.equal(before.length, 1, "one kernel runs for the runner");
  t.after(() => before.forEach((pid) => { try { process.kill(pid, "SIGKILL"); } catch { /* gone */ } }));
  runner.kill("SIGKILL");
  const deadline = Date.now() + 30_000;
  while (kernels().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(kernels(), [], "the kernel ended within seconds of its runner");
});

/** Pids of processes whose environment holds `entry` (Linux /proc). */
function processesWith(entry: string): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/environ`, "utf8").split("\0").includes(entry)) pids.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}
