// Makes `import ... from "de-workbook"` resolve to this project, for notebooks on tslab's compiler
// (Node10 module resolution, no tsconfig paths): node_modules/de-workbook -> the project root.
// Runs after the build (npm install / npm ci); the runner repeats it before starting a kernel.
"use strict";
require("../dist/lib/paths.js").ensureSelfLink();
