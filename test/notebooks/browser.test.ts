/**
 * Every notebook as a learner meets it: Jupyter Notebook (Debian) in Chromium (Debian), driven by
 * playwright-core. For each notebooks/*.ipynb: run it in batch (`workbook run`'s runner) into out/,
 * open that executed copy (Jupyter opens it "Not Trusted", as a learner who opens a batch result
 * would) and check that every picture still shows (as its PNG) and that opening it changes nothing
 * (the kernelspec matches the installed one); then Kernel > Restart & Run All in the page, wait until
 * every cell has run and the kernel is idle, and check that no cell shows an error or stderr, and
 * that the page holds the tables and pictures the batch run produced. Screenshots go to
 * <work folder>/browser-test/ so a failure can be looked at.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { test } from "node:test";
import { installKernelSpec } from "../../lib/cli/kernel-install";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { executedCopy, projectTempDir, tempDir } from "../helpers";

const CHROMIUM = "/usr/bin/chromium";
const jupyterOk = spawnSync("jupyter", ["notebook", "--version"], { stdio: "ignore" }).status === 0;
const missing = !jupyterOk ? "Jupyter Notebook is not installed (apt-get install jupyter-notebook; scripts/install.sh does it)" : !fs.existsSync(CHROMIUM) ? `${CHROMIUM} is missing (apt-get install chromium; scripts/install.sh does it)` : undefined;

/**
 * Small parameters, for the notebooks whose defaults are larger than a test needs; `solutions` is
 * set for every notebook that declares it, so the exercises run to "Correct" in the browser too.
 */
const SMALL: Record<string, Record<string, string | number | boolean>> = {
  "04-sparkify-star-schema.ipynb": { days: 5, events: 1000, songs: 60, users: 10 },
  "09-sql-to-neural-net.ipynb": { epochs: 20 },
};

/** What an executed notebook file holds: pictures (an output with image/png) and HTML tables. */
function expectedOutputs(file: string): { pictures: number; svgWithoutPng: number; tables: number } {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  let pictures = 0;
  let svgWithoutPng = 0;
  let tables = 0;
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      const data = o.data ?? {};
      if ("image/png" in data) pictures++;
      else if ("image/svg+xml" in data) svgWithoutPng++;
      const html = data["text/html"];
      if (html && /<table/.test(Array.isArray(html) ? html.join("") : String(html))) tables++;
    }
  }
  return { pictures, svgWithoutPng, tables };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Starts Jupyter Notebook on a free port with a token, serving `root`; resolves when it answers. */
async function startJupyter(root: string, env: Record<string, string>): Promise<{ url: string; token: string; proc: ChildProcess; log: () => string }> {
  const port = await freePort();
  const token = Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  const proc = spawn("jupyter", ["notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", `--NotebookApp.token=${token}`, `--notebook-dir=${root}`, ...(process.getuid?.() === 0 ? ["--allow-root"] : [])], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  proc.stdout?.on("data", (d) => (log += d));
  proc.stderr?.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`jupyter notebook exited (${proc.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${url}/api/status?token=${token}`);
      if (r.ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`jupyter notebook did not answer within 60 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, token, proc, log: () => log };
}

async function stopJupyter(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || !proc.pid) return;
  const exited = new Promise((r) => proc.once("exit", r));
  try {
    process.kill(-proc.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-proc.pid!, "SIGKILL");
    } catch {
      // gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}

const notebooks = fs.readdirSync(path.join(projectRoot, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort();

test("every notebook in Jupyter Notebook + Chromium: its executed copy shows its pictures untrusted; Restart & Run All runs clean", { skip: missing ?? false, timeout: 580_000 }, async (t) => {
  const { chromium } = await import("playwright-core");
  const served = projectTempDir(t, "browser-"); // inside the project: the notebooks import de-workbook
  const home = path.join(served, "home");
  const shots = path.join(projectRoot, ".workbook", "browser-test");
  fs.rmSync(shots, { recursive: true, force: true });
  fs.mkdirSync(shots, { recursive: true });
  const jupyterDirs = tempDir(t, "workbook-jupyter-");
  for (const d of ["data", "config", "runtime"]) fs.mkdirSync(path.join(jupyterDirs, d));
  installKernelSpec({ dataDir: path.join(jupyterDirs, "data") });
  const env = {
    JUPYTER_DATA_DIR: path.join(jupyterDirs, "data"),
    JUPYTER_CONFIG_DIR: path.join(jupyterDirs, "config"),
    JUPYTER_RUNTIME_DIR: path.join(jupyterDirs, "runtime"),
    WORKBOOK_HOME: home,
    DATABASE_URL: "",
  };
  const out = path.join(served, "out");
  fs.mkdirSync(out);

  const jupyter = await startJupyter(served, env);
  t.after(() => stopJupyter(jupyter.proc));
  const browser = await chromium.launchPersistentContext(tempDir(t, "workbook-chromium-"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
  });
  t.after(() => browser.close());

  // 1. the executed copies: the ones the notebook tests of this run left (keepExecuted), else made
  // here as `workbook run` writes them (two at a time, as `workbook run-all --jobs 2`);
  // each with its own work folder, so that no two runs share a warehouse file
  const batch = new Map<string, { error?: string; seconds: number; reused?: boolean }>();
  const queue = [...notebooks];
  await Promise.all([0, 1].map(async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      const started = Date.now();
      // the copy the notebook's own test executed in this run (it runs with solutions too), if any
      const kept = await executedCopy(name, 300_000);
      if (kept) {
        fs.copyFileSync(kept, path.join(out, name));
        batch.set(name, { seconds: 0, reused: true });
        continue;
      }
      const source = fs.readFileSync(path.join(projectRoot, "notebooks", name), "utf8");
      const parameters = { ...(SMALL[name] ?? {}), ...(/\blet solutions\b/.test(source) ? { solutions: true } : {}) };
      const r = await runNotebook({ input: path.join(projectRoot, "notebooks", name), output: path.join(out, name), parameters, progressBar: false, env: { ...env, WORKBOOK_HOME: path.join(home, `batch-${name}`) } });
      batch.set(name, { error: r.status === "completed" ? undefined : (r.error ?? r.status), seconds: (Date.now() - started) / 1000 });
    }
  }));

  for (const name of notebooks) {
    await t.test(name, async () => {
      const started = Date.now();
      const copy = path.join(out, name);
      const ran = batch.get(name);
      assert.equal(ran?.error, undefined, `workbook run ${name}: ${ran?.error}`);
      t.diagnostic(ran?.reused ? `${name}: the executed copy of its notebook test` : `${name}: workbook run ${ran?.seconds.toFixed(1)} s`);
      const expected = expectedOutputs(copy);
      assert.equal(expected.svgWithoutPng, 0, "every SVG picture has a PNG beside it");

      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      try {
        await page.goto(`${jupyter.url}/notebooks/out/${name}?token=${jupyter.token}`);
        await page.waitForFunction("window.Jupyter?.notebook?.kernel?.is_connected() === true", undefined, { timeout: 60_000 });
        await page.waitForTimeout(1000);
        await page.screenshot({ path: path.join(shots, `${name}.opened.png`), fullPage: true });
        const opened = (await page.evaluate(`(() => {
          const nb = window.Jupyter.notebook;
          const pictures = [...document.querySelectorAll(".output_png img")];
          return { trusted: nb.trusted, dirty: nb.dirty, title: document.title, pictures: pictures.length,
            broken: pictures.filter((i) => !i.complete || i.naturalWidth === 0).length,
            svg: document.querySelectorAll(".output_svg").length, tables: document.querySelectorAll(".output_html table").length };
        })()`)) as { trusted: boolean; dirty: boolean; title: string; pictures: number; broken: number; svg: number; tables: number };
        assert.equal(opened.trusted, false, "an executed copy from workbook run opens Not Trusted");
        assert.equal(opened.dirty, false, "opening the copy changes nothing (kernelspec as installed)");
        assert.doesNotMatch(opened.title, /unsaved/);
        assert.equal(opened.svg, 0, "untrusted: Jupyter drops the SVG");
        assert.equal(opened.pictures, expected.pictures, "untrusted: every picture shows as its PNG");
        assert.equal(opened.broken, 0, "every PNG decodes");
        assert.equal(opened.tables, expected.tables, "tables stay tables without their style");

        // 2. Kernel > Restart & Run All, as a learner would
        await page.click("#kernellink");
        await page.click("#restart_run_all");
        await page.click(".modal-dialog .btn-danger");
        // every code cell has its execution number (tslab may report idle between queued cells) and the kernel is idle
        await page.waitForFunction(`(() => {
          const code = window.Jupyter.notebook.get_cells().filter((c) => c.cell_type === "code");
          return code.every((c) => typeof c.input_prompt_number === "number") &&
            document.querySelector("#kernel_indicator_icon")?.classList.contains("kernel_idle_icon") === true;
        })()`, undefined, { timeout: 600_000, polling: 500 });
        await page.waitForTimeout(500);
        await page.screenshot({ path: path.join(shots, `${name}.run.png`), fullPage: true });
        const shown = (await page.evaluate(`(() => ({
          errors: [...document.querySelectorAll(".output_error, .output_stderr")].map((e) => (e.textContent ?? "").slice(0, 500)),
          pictures: document.querySelectorAll(".output_svg, .output_png").length,
          tables: document.querySelectorAll(".output_html table").length,
          exerciseVerdicts: [...document.querySelectorAll(".output_html b")].map((b) => b.textContent).filter((s) => s === "Correct" || s === "Not yet" || s === "Not attempted yet"),
        }))()`)) as { errors: string[]; pictures: number; tables: number; exerciseVerdicts: string[] };
        assert.deepEqual(shown.errors, [], "no cell shows an error or stderr");
        assert.equal(shown.pictures, expected.pictures, "the pictures of the batch run");
        assert.equal(shown.tables, expected.tables, "the tables of the batch run");
        assert.ok(shown.exerciseVerdicts.every((v) => v === "Correct"), `with solutions every exercise checks Correct: ${shown.exerciseVerdicts.join(", ")}`);
        assert.deepEqual(errors, [], "no JavaScript error in the page");
      } catch (err) {
        await page.screenshot({ path: path.join(shots, `${name}.failed.png`), fullPage: true }).catch(() => undefined);
        throw err;
      } finally {
        // File > Close and Halt: the kernel ends and lets go of the warehouse file, which the next
        // notebook's batch run opens (one process at a time holds a DuckDB file)
        await page.evaluate("new Promise((done) => window.Jupyter.notebook.session.delete(done, done))").catch(() => undefined);
        await page.close();
        t.diagnostic(`${name}: in the browser ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    });
  }
});
