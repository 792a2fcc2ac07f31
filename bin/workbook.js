#!/usr/bin/env node
"use strict";
// The composition root: the one place that knows both lib/ and the scenarios. Each scenario with CLI
// commands or DAGs has a register module that adds them to lib/cli/registry (cheaply: the heavy
// modules load only when one of its entries is used). A new scenario adds one name here.
// The TypeScript compiler (for the parameters cell) and other big modules from V8's code cache.
require("../dist/lib/compile-cache.js").enableCompileCache();

const SCENARIOS_WITH_REGISTER = ["image-kmeans", "sparkify", "lambda-urls", "web-logs", "artmosphere", "football", "penguins", "netflix", "traffic-outliers"];

// A reader that stops early (`workbook quality export-dbt x | head`) ends the output, not the process with a stack.
process.stdout.on("error", (err) => { if (err && err.code === "EPIPE") process.exit(0); throw err; });

for (const name of SCENARIOS_WITH_REGISTER) require(`../dist/scenarios/${name}/register.js`);

require("../dist/lib/cli/main.js").main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 1; },
);
