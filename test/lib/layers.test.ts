/**
 * The shape of the package: layers point one way (lib/ never imports scenarios/), each scenario is
 * its own entry `de-workbook/<scenario>` that resolves in plain Node and in TypeScript's Node10
 * resolution (tslab's), and the broker's files have distinct names.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { projectTempDir } from "../helpers";

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** Relative module specifiers of imports, re-exports and require() calls in a source file. */
function specifiers(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const re = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)["'](\.[^"']*)["']/gm;
  return [...text.matchAll(re)].map((m) => m[1]);
}

function importsInto(dir: string, forbidden: string): string[] {
  const bad: string[] = [];
  for (const file of tsFiles(dir)) {
    for (const spec of specifiers(file)) {
      const target = path.resolve(path.dirname(file), spec);
      if (target === forbidden || target.startsWith(forbidden + path.sep)) bad.push(`${path.relative(projectRoot, file)} imports ${spec}`);
    }
  }
  return bad;
}

const scenariosDir = path.join(projectRoot, "scenarios");
const scenarioNames = fs.readdirSync(scenariosDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as {
  exports: Record<string, unknown>;
  typesVersions: Record<string, Record<string, string[]>>;
};

test("nothing under lib/ imports scenarios/, and tests of lib/ do not either", { timeout: 30_000 }, () => {
  assert.deepEqual(importsInto(path.join(projectRoot, "lib"), scenariosDir), []);
  assert.deepEqual(importsInto(path.join(projectRoot, "test", "lib"), scenariosDir), []);
});

test("the checker of layers sees an import into scenarios/ when there is one", { timeout: 30_000 }, (t) => {
  const dir = projectTempDir(t);
  fs.writeFileSync(path.join(dir, "bad.ts"), `import { x } from "${path.relative(dir, path.join(scenariosDir, "netflix")).split(path.sep).join("/")}";\n`);
  assert.equal(importsInto(dir, scenariosDir).length, 1);
});

test("every scenario is its own entry in package.json: exports for Node, typesVersions for tslab", { timeout: 30_000 }, () => {
  assert.ok(scenarioNames.length >= 2, `scenarios: ${scenarioNames.join(", ")}`);
  for (const name of scenarioNames) {
    assert.deepEqual(pkg.exports[`./${name}`], { types: `./dist/scenarios/${name}/index.d.ts`, default: `./dist/scenarios/${name}/index.js` }, `exports["./${name}"]`);
    assert.deepEqual(pkg.typesVersions["*"][name], [`dist/scenarios/${name}/index.d.ts`], `typesVersions["*"]["${name}"]`);
    assert.ok(fs.existsSync(path.join(scenariosDir, name, "index.ts")), `scenarios/${name}/index.ts`);
  }
});

test("de-workbook and de-workbook/<scenario> load in plain Node, and the library exports no scenario", { timeout: 60_000 }, () => {
  const script = `const lib = require("de-workbook");
const out = { lib: Object.keys(lib).length, scenarios: {} };
for (const name of ${JSON.stringify(scenarioNames)}) out.scenarios[name] = Object.keys(require("de-workbook/" + name));
process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ["-e", script], { cwd: projectRoot, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { lib: number; scenarios: Record<string, string[]> };
  const lib = require(path.join(projectRoot, "dist", "lib", "index.js")) as Record<string, unknown>;
  for (const [name, keys] of Object.entries(out.scenarios)) {
    assert.ok(keys.length > 0, `de-workbook/${name} exports something`);
    const shared = keys.filter((k) => k in lib);
    assert.deepEqual(shared, [], `de-workbook/${name} and de-workbook export the same names`);
  }
});

test("TypeScript resolves de-workbook/<scenario> the Node10 way (as tslab does) and the nodenext way", { timeout: 120_000 }, (t) => {
  const dir = projectTempDir(t);
  const lines = scenarioNames.map((name, i) => `import * as s${i} from "de-workbook/${name}";\nvoid s${i};`);
  fs.writeFileSync(path.join(dir, "entries.ts"), `import { openWarehouse } from "de-workbook";\nvoid openWarehouse;\n${lines.join("\n")}\n`);
  const tsc = path.join(projectRoot, "node_modules", "typescript", "bin", "tsc");
  for (const resolution of [["--module", "commonjs", "--moduleResolution", "node10"], ["--module", "nodenext", "--moduleResolution", "nodenext"]]) {
    const r = spawnSync(process.execPath, [tsc, "--noEmit", "--skipLibCheck", "--types", "node", ...resolution, "entries.ts"], { cwd: dir, encoding: "utf8" });
    const output = `${r.stdout}${r.stderr}`.replace(/.*TS5103.*\n?/g, "");
    assert.equal(r.status === 0 ? "" : output, "", `tsc ${resolution.join(" ")}`);
  }
});

test("the broker's folders show its layers, and no two of its files share a name", { timeout: 10_000 }, () => {
  const broker = path.join(projectRoot, "lib", "kafka", "broker");
  for (const layer of ["protocol", "apis", "storage"]) assert.ok(fs.statSync(path.join(broker, layer)).isDirectory(), layer);
  const names = tsFiles(broker).map((f) => path.basename(f));
  assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
});
