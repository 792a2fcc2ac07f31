import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { type CodeCell, type Notebook, cellTags, joinSource } from "../../../lib/notebook/nbformat";
import { readScraps } from "../../../lib/scraps";
import { checkNbformat, fixtures, projectTempDir, runCli, tempDir } from "../../helpers";

const nbDir = path.join(fixtures, "notebooks");
const fixture = (name: string) => path.join(nbDir, `${name}.ipynb`);
const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Notebook;
const status = (nb: Notebook) => nb.cells.map((c) => (c.metadata.papermill as { status: string } | undefined)?.status ?? "error-cell");

/**
 * Each test starts a tslab kernel (or two). With the file's two tests at once and another test file
 * beside it, four kernels can share two cores, so a kernel test gets minutes, not seconds.
 */
const KERNEL = { timeout: 180_000 };

describe("workbook run", { concurrency: 2 }, () => {
  test("parameters of every type override the defaults", KERNEL, async (t) => {
    const out = path.join(tempDir(t), "params.ipynb");
    const r = await runCli(["run", fixture("params"), out, "--no-progress-bar",
      "-p", "title", 'He said "héllo" — ✓', "-p", "count", "42", "-p", "ratio", "-2.5", "-p", "enabled", "True",
      "-p", "nothing", "None", "-y", "items: [1, 2, 3]", "-y", "{options: {depth: 3, tags: [x, \"y z\"]}}"]);
    assert.equal(r.code, 0, r.stderr);
    const scraps = readScraps(out);
    assert.equal(scraps.title, 'He said "héllo" — ✓');
    assert.equal(scraps.count, 42);
    assert.equal(scraps.ratio, -2.5);
    assert.equal(scraps.enabled, true);
    assert.equal(scraps.nothing, null);
    assert.deepEqual(scraps.items, [1, 2, 3]);
    assert.deepEqual(scraps.options, { depth: 3, tags: ["x", "y z"] });
    assert.equal(scraps.cwd, nbDir, "the kernel runs in the notebook's folder by default");
    const nb = read(out);
    const injectedAt = nb.cells.findIndex((c) => cellTags(c).includes("injected-parameters"));
    assert.equal(injectedAt, nb.cells.findIndex((c) => cellTags(c).includes("parameters")) + 1, "injected right after the parameters cell");
    assert.ok(status(nb).every((s) => s === "completed"));
    assert.equal((nb.metadata.papermill as { parameters: { count: number } }).parameters.count, 42);
    await checkNbformat(t, out);
  });

  test("an existing injected cell is replaced, and -f reads YAML with -p winning over it", KERNEL, async (t) => {
    const dir = projectTempDir(t);
    const first = path.join(dir, "first.ipynb");
    const second = path.join(dir, "second.ipynb");
    assert.equal((await runCli(["run", fixture("params"), first, "--prepare-only", "-p", "count", "1"])).code, 0);
    const r = await runCli(["run", first, second, "--no-progress-bar", "-f", path.join(fixtures, "params.yaml"), "-p", "count", "99", "--cwd", dir]);
    assert.equal(r.code, 0, r.stderr);
    const nb = read(second);
    const injected = nb.cells.filter((c) => cellTags(c).includes("injected-parameters"));
    assert.equal(injected.length, 1);
    const scraps = readScraps(second);
    assert.equal(scraps.title, "from a file");
    assert.equal(scraps.count, 99, "-p is applied after -f");
    assert.deepEqual(scraps.items, [10, 20]);
    assert.equal(scraps.cwd, fs.realpathSync(dir), "--cwd sets the kernel's working directory");
  });

  test("--prepare-only writes the parameterised notebook without executing it", async (t) => {
    const out = path.join(tempDir(t), "prepared.ipynb");
    const r = await runCli(["run", fixture("params"), out, "--prepare-only", "-p", "count", "5"]);
    assert.equal(r.code, 0, r.stderr);
    const nb = read(out);
    assert.ok(status(nb).every((s) => s === "pending"));
    assert.ok(nb.cells.every((c) => c.cell_type !== "code" || (c.outputs.length === 0 && c.execution_count === null)));
    assert.match(joinSource(nb.cells.find((c) => cellTags(c).includes("injected-parameters"))!.source), /let count: number = 5;/);
    await checkNbformat(t, out);
  });

  test("--report-mode hides sources and --inject-paths injects the input and output paths", async (t) => {
    const out = path.join(tempDir(t), "report.ipynb");
    const r = await runCli(["run", fixture("params"), out, "--prepare-only", "--report-mode", "--inject-paths"]);
    assert.equal(r.code, 0, r.stderr);
    const nb = read(out);
    assert.ok(nb.cells.every((c) => (c.metadata.jupyter as { source_hidden?: boolean } | undefined)?.source_hidden === true));
    const injected = joinSource(nb.cells.find((c) => cellTags(c).includes("injected-parameters"))!.source);
    assert.match(injected, new RegExp(`let PAPERMILL_INPUT_PATH = ${JSON.stringify(fixture("params")).replace(/[/.]/g, "\\$&")};`));
    assert.match(injected, /let PAPERMILL_OUTPUT_PATH = ".*report\.ipynb";/);
  });

  test("with no parameters cell the injected cell goes first, with a warning", KERNEL, async (t) => {
    const out = path.join(tempDir(t), "noparams.ipynb");
    const r = await runCli(["run", fixture("noparams"), out, "--no-progress-bar", "-p", "greeting", "hi"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no cell tagged "parameters"/);
    const nb = read(out);
    assert.deepEqual(cellTags(nb.cells[0]), ["injected-parameters"]);
    assert.equal(readScraps(out).greeting, "hi");
  });

  test("a failing cell: exit 1, banner and anchor cells, later cells pending, notebook saved", KERNEL, async (t) => {
    const out = path.join(tempDir(t), "failing.ipynb");
    const r = await runCli(["run", fixture("failing"), out, "--no-progress-bar"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cell 2 of 3 .*failed/);
    assert.match(r.stderr, /boom from cell two/);
    const nb = read(out);
    assert.deepEqual(nb.cells.map((c) => cellTags(c).includes("papermill-error-cell-tag")), [true, false, true, false, false]);
    assert.match(joinSource(nb.cells[0].source), /href="#papermill-error-cell"/);
    assert.match(joinSource(nb.cells[2].source), /id="papermill-error-cell"/);
    const [, ok, , failed, later] = nb.cells as CodeCell[];
    assert.equal((ok.metadata.papermill as { status: string }).status, "completed");
    assert.equal((failed.metadata.papermill as { status: string; exception: boolean }).status, "failed");
    assert.equal((failed.metadata.papermill as { exception: boolean }).exception, true);
    assert.match(failed.outputs.map((o) => (o.output_type === "stream" ? joinSource(o.text) : "")).join(""), /boom from cell two/);
    assert.equal((later.metadata.papermill as { status: string }).status, "pending");
    assert.equal((nb.metadata.papermill as { exception: boolean }).exception, true);
    await checkNbformat(t, out);
  });

  test("a TypeScript type error fails its cell with the diagnostic", KERNEL, async (t) => {
    const out = path.join(tempDir(t), "typeerror.ipynb");
    const r = await runCli(["run", fixture("typeerror"), out, "--no-progress-bar"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Type 'string' is not assignable to type 'number'/);
    assert.equal(status(read(out)).filter((s) => s === "failed").length, 1);
  });

  test("a parameter of the wrong type fails the injected cell with a clear message", KERNEL, async (t) => {
    const out = path.join(tempDir(t), "wrongtype.ipynb");
    const r = await runCli(["run", fixture("params"), out, "--no-progress-bar", "-p", "count", "many"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Type 'string' is not assignable to type 'number'/);
  });

  test("--execution-timeout interrupts an endless cell and fails it within seconds", KERNEL, async (t) => {
    const out = path.join(tempDir(t), "endless.ipynb");
    const r = await runCli(["run", fixture("endless"), out, "--no-progress-bar", "--execution-timeout", "3"], { timeoutMs: 150_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /--execution-timeout 3/);
    const nb = read(out);
    assert.deepEqual(status(nb).filter((s) => s !== "error-cell"), ["completed", "failed", "pending"]);
    // The endless cell's own run time (kernel start-up, slow on a loaded machine, is not in it): it
    // ran its 3 s, and was then stopped well before anything else would have stopped it.
    const endless = nb.cells.find((c) => (c.metadata.papermill as { status?: string } | undefined)?.status === "failed")!;
    const seconds = (endless.metadata.papermill as { duration: number }).duration;
    assert.ok(seconds >= 3 && seconds < 60, `the endless cell ran ${seconds} s`);
  });

  test("a cell that kills its own kernel: exit 138, partial notebook saved", KERNEL, async (t) => {
    const out = path.join(tempDir(t), "suicide.ipynb");
    const r = await runCli(["run", fixture("suicide"), out, "--no-progress-bar"]);
    assert.equal(r.code, 138, r.stderr);
    assert.match(r.stderr, /kernel died/);
    const nb = read(out);
    assert.deepEqual(status(nb).filter((s) => s !== "error-cell"), ["completed", "failed", "pending"]);
    assert.match(JSON.stringify(nb.cells[1].cell_type === "code" && nb.cells[1].outputs), /about to die/);
    await checkNbformat(t, out);
  });

  test("display updates by display_id, streams merged, skip-execution and empty cells", KERNEL, async (t) => {
    const out = path.join(tempDir(t), "display.ipynb");
    const r = await runCli(["run", fixture("display"), out, "--no-progress-bar"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "", "without --log-output cell output stays in the notebook");
    const cells = read(out).cells as CodeCell[];
    // Cell 0 shows the display (updated by cell 1 to its second version) and one merged stdout stream.
    assert.deepEqual(cells[0].outputs.map((o) => o.output_type), ["display_data", "stream"]);
    assert.deepEqual(cells[0].outputs[0].output_type === "display_data" && cells[0].outputs[0].data, { "text/plain": ["second version"] });
    assert.deepEqual(cells[0].outputs[1].output_type === "stream" && cells[0].outputs[1].text, ["a\n", "b\n"]);
    // The update itself adds no output to cell 1; its own html display does.
    assert.deepEqual(cells[1].outputs.map((o) => o.output_type === "display_data" && Object.keys(o.data)), [["text/html"]]);
    assert.equal(cells[2].execution_count, null);
    assert.equal(cells[3].execution_count, null, "skip-execution cells are not run");
    assert.deepEqual(cells[3].outputs, []);
    await checkNbformat(t, out);
  });

  test("--log-output copies cell output (streams and the plain form of displays) to the terminal", KERNEL, async (t) => {
    const out = path.join(tempDir(t), "logged.ipynb");
    const r = await runCli(["run", fixture("display"), out, "--no-progress-bar", "--log-output"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "first version\na\nb\nsecond version\n", "the display, the stream, then the display's update, in order");
    assert.doesNotMatch(r.stdout, /skipped!/, "skip-execution cells print nothing");
    assert.deepEqual(status(read(out)), ["completed", "completed", "completed", "completed"]);
  });

  test("--start-timeout: a kernel that does not answer in time fails the run with the time-out error and exit 138", KERNEL, async (t) => {
    const out = path.join(tempDir(t), "never-started.ipynb");
    // 1 ms: no tslab kernel answers that fast, however idle the machine.
    const r = await runCli(["run", fixture("params"), out, "--no-progress-bar", "--start-timeout", "0.001"]);
    assert.equal(r.code, 138, r.stderr);
    assert.match(r.stderr, /The tslab kernel did not answer within \d+ s\. Raise --start-timeout/);
    const nb = read(out);
    assert.ok(status(nb).every((s) => s === "pending"), `no cell ran: ${status(nb).join(", ")}`);
    assert.equal((nb.metadata.papermill as { exception: boolean }).exception, true);
  });

  test("bad input exits 2 with a clear message and never overwrites the input", async (t) => {
    const dir = tempDir(t);
    const notNotebook = path.join(dir, "notes.ipynb");
    fs.writeFileSync(notNotebook, "just some text");
    const copy = path.join(dir, "copy.ipynb");
    fs.copyFileSync(fixture("params"), copy);
    const before = fs.readFileSync(copy, "utf8");
    const unknownKernel = path.join(dir, "python.ipynb");
    const nb = read(fixture("failing"));
    nb.metadata.kernelspec = { name: "python3", display_name: "Python 3", language: "python" };
    fs.writeFileSync(unknownKernel, JSON.stringify(nb));

    const cases: [string[], RegExp][] = [
      [["run", path.join(dir, "missing.ipynb"), path.join(dir, "o1.ipynb")], /No notebook at .*missing\.ipynb/],
      [["run", notNotebook, path.join(dir, "o2.ipynb")], /is not a notebook: it is not valid JSON/],
      [["run", unknownKernel, path.join(dir, "o3.ipynb")], /Unknown kernel "python3"/],
      [["run", copy, path.join(dir, "o4.ipynb"), "-p", "not-a-name", "1"], /"not-a-name" is not a TypeScript identifier/],
      [["run", copy, copy, "-p", "count", "3"], /the input is never overwritten/],
      [["run", copy, path.join(dir, "o5.ipynb"), "--execution-timeout", "soon"], /--execution-timeout "soon" is not a positive number/],
      [["run", copy, path.join(dir, "o6.ipynb"), "--no-such-option"], /Unknown option "--no-such-option"/],
      [["inspect", notNotebook], /is not a notebook/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(fs.readFileSync(copy, "utf8"), before, "the input notebook is unchanged");
    for (const o of ["o1", "o2", "o3", "o4", "o5", "o6"]) assert.equal(fs.existsSync(path.join(dir, `${o}.ipynb`)), false);
  });
});

describe("workbook inspect and run-all", () => {
  test("inspect lists parameters with type, default and help", async () => {
    const r = await runCli(["inspect", fixture("params"), "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const params = JSON.parse(r.stdout) as { name: string; type: string; default: string; help: string }[];
    assert.deepEqual(params.map((p) => p.name), ["title", "count", "ratio", "enabled", "nothing", "items", "options"]);
    assert.deepEqual(params[4], { name: "nothing", type: "string | null", annotated: true, default: '"x"', help: "null allowed" });
    assert.equal(params[1].type, "number");
    const text = await runCli(["inspect", fixture("params")]);
    assert.match(text.stdout, /count\s+number\s+1\s+an integer/);
  });

  test("run-all runs two notebooks in parallel and prints the summary", { timeout: 300_000 }, async (t) => {
    const dir = projectTempDir(t);
    const nbs = path.join(dir, "notebooks");
    fs.mkdirSync(nbs);
    fs.copyFileSync(fixture("params"), path.join(nbs, "a-params.ipynb"));
    fs.copyFileSync(fixture("display"), path.join(nbs, "b-display.ipynb"));
    const out = path.join(dir, "out");
    const home = path.join(dir, "home");
    const r = await runCli(["run-all", "--jobs", "2", "--notebooks", nbs, "--out", out, "-p", "count", "11"], { env: { WORKBOOK_HOME: home } });
    assert.equal(r.code, 0, r.stderr);
    // side by side, each notebook has a work folder of its own (no waiting for another kernel's database files)
    assert.match(r.stderr, /each with its work folder in .*run-all/);
    assert.deepEqual(fs.readdirSync(path.join(home, "run-all")).sort(), ["a-params", "b-display"]);
    assert.match(r.stdout, /a-params\.ipynb\s+completed\s+4\s+[\d.]+ s\s+title="default" count=11/);
    assert.match(r.stdout, /b-display\.ipynb\s+completed\s+2/);
    assert.equal(readScraps(path.join(out, "a-params.ipynb")).count, 11);
    const display = read(path.join(out, "b-display.ipynb"));
    assert.ok(!display.cells.some((c) => cellTags(c).includes("injected-parameters")), "count is not injected where it is not declared");
    // Both ran at once: their executions overlap in time.
    const times = ["a-params", "b-display"].map((n) => read(path.join(out, `${n}.ipynb`)).metadata.papermill as { start_time: string; end_time: string });
    assert.ok(Date.parse(times[0].start_time) < Date.parse(times[1].end_time) && Date.parse(times[1].start_time) < Date.parse(times[0].end_time), JSON.stringify(times));

    fs.copyFileSync(fixture("failing"), path.join(nbs, "c-failing.ipynb"));
    const failed = await runCli(["run-all", "--jobs", "2", "--notebooks", nbs, "--out", out], { env: { WORKBOOK_HOME: home } });
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /c-failing\.ipynb\s+failed/);
    assert.match(failed.stdout, /1 of 3 notebooks failed: c-failing\.ipynb/);
  });
});
