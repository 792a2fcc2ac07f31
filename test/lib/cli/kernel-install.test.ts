import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../../helpers";
import { NOTEBOOK_KERNELSPEC } from "../../../lib/cli/kernel-install";
import { KERNEL_LAUNCHER } from "../../../lib/runner/kernel-command";

const jupyter = spawnSync("jupyter", ["--version"], { stdio: "ignore" }).status === 0;

test("kernel install writes a kernelspec that runs this project's tslab by absolute path", async (t) => {
  const dataDir = tempDir(t);
  const r = await runCli(["kernel", "install"], { env: { JUPYTER_DATA_DIR: dataDir } });
  assert.equal(r.code, 0, r.stderr);
  const dir = path.join(dataDir, "kernels", "tslab");
  assert.match(r.stdout, new RegExp(`Installed the kernelspec "tslab" in ${dir.replace(/[/.]/g, "\\$&")}`));
  const spec = JSON.parse(fs.readFileSync(path.join(dir, "kernel.json"), "utf8")) as { argv: string[]; language: string; display_name: string };
  assert.equal(spec.language, "typescript");
  // the committed notebooks carry the same metadata (checkCommittedNotebook), so opening one in Jupyter changes nothing
  assert.deepEqual({ name: "tslab", display_name: spec.display_name, language: spec.language }, { ...NOTEBOOK_KERNELSPEC });
  assert.equal(spec.display_name, "TypeScript");
  assert.ok(path.isAbsolute(spec.argv[0]) && path.isAbsolute(spec.argv[1]));
  assert.ok(fs.existsSync(spec.argv[1]), `${spec.argv[1]} exists`);
  assert.equal(spec.argv[1], KERNEL_LAUNCHER, "the same launcher as the batch runner's (its sends queued)");
  assert.deepEqual(spec.argv.slice(2), ["kernel", "--config-path", "{connection_file}"]);
});

test("Jupyter itself finds the installed kernel", { skip: jupyter ? false : "jupyter is not installed (apt-get install jupyter-notebook)" }, async (t) => {
  const dataDir = tempDir(t);
  assert.equal((await runCli(["kernel", "install"], { env: { JUPYTER_DATA_DIR: dataDir } })).code, 0);
  const r = spawnSync("jupyter", ["kernelspec", "list", "--json"], { env: { ...process.env, JUPYTER_DATA_DIR: dataDir }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const specs = (JSON.parse(r.stdout) as { kernelspecs: Record<string, { resource_dir: string }> }).kernelspecs;
  assert.equal(specs.tslab?.resource_dir, path.join(dataDir, "kernels", "tslab"));
});

test("through the installed kernelspec, Jupyter's own client keeps all 2,000 lines of a cell and sees the kernel go idle", { skip: jupyter ? false : "jupyter is not installed (apt-get install jupyter-notebook)", timeout: 180_000 }, async (t) => {
  const dataDir = tempDir(t);
  assert.equal((await runCli(["kernel", "install"], { env: { JUPYTER_DATA_DIR: dataDir } })).code, 0);
  const dir = tempDir(t);
  const input = path.join(dir, "lines.ipynb");
  fs.writeFileSync(input, JSON.stringify({
    nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { ...NOTEBOOK_KERNELSPEC } },
    cells: [{ id: "lines", cell_type: "code", metadata: {}, execution_count: null, outputs: [], source: "for (let i = 0; i < 2000; i++) console.log(`line ${i}`);" }],
  }));
  // nbclient waits for each cell's idle (a lost one makes it time out) and merges the stream. After the
  // reply it waits only iopub_timeout (4 s) for the rest of the outputs and then, by default, goes on with
  // a warning: on a loaded machine Python reads 2,000 messages slower than that, so the limit is raised
  // and made an error, and a cut output fails here instead of passing short.
  const r = spawnSync("jupyter", ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=120",
    "--ExecutePreprocessor.iopub_timeout=60", "--ExecutePreprocessor.raise_on_iopub_timeout=True", "--output", path.join(dir, "out.ipynb"), input], { env: { ...process.env, JUPYTER_DATA_DIR: dataDir }, encoding: "utf8", timeout: 170_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(fs.readFileSync(path.join(dir, "out.ipynb"), "utf8")) as { cells: { outputs: { text: string | string[] }[] }[] };
  const text = out.cells[0].outputs.map((o) => (Array.isArray(o.text) ? o.text.join("") : o.text)).join("");
  const lines = text.trimEnd().split("\n");
  assert.equal(lines.length, 2000);
  assert.equal(lines[1999], "line 1999");
});

test("without Jupyter on PATH, kernel install says how to get it", async (t) => {
  const r = await runCli(["kernel", "install"], { env: { JUPYTER_DATA_DIR: tempDir(t), PATH: tempDir(t) } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /apt-get install jupyter-notebook/);
  assert.match(r.stdout, /pip install jupyterlab/);
});
