// A node:test reporter used by scripts/run-tests.js: writes one JSON line per skipped test
// ({ file, name, reason }) so that the runner can list the skips and, in CI, fail on them.
// Tests skipped only because --test-name-pattern left them out are not listed.
"use strict";

const NAME_PATTERN = "test name does not match pattern";

module.exports = async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { skip, name, file } = event.data;
    if (skip === undefined || skip === false) continue;
    const reason = typeof skip === "string" ? skip : "";
    if (reason === NAME_PATTERN) continue;
    yield `${JSON.stringify({ file: file ?? "", name, reason })}\n`;
  }
};
