#!/usr/bin/env node
/**
 * Makes kafkajs 2.2.4's producer group a send's messages per partition in linear time (npm
 * "postinstall"; safe to run again).
 *
 * kafkajs builds each partition's list with `[...current, message]`, copying the list for every
 * message: a send of n messages to one partition costs n^2 / 2 copies (an open kafkajs pull request,
 * #1576, reports 1.9 s for 20,000 messages). Group mode sends each changelog commit as ONE send to one
 * partition (so it is one record batch), so a large commit paid this on every commit, and the larger
 * the batches, the more: one instance with big batches paid more per event than four with small
 * ones. The replacement below returns the same object (partition -> messages, in send order).
 *
 * The file is replaced only when it is the known original; a kafkajs of another version is left as
 * it is, with a warning (test/scripts/patch-kafkajs.test.ts fails then, so it is noticed).
 */
const fs = require("node:fs");
const path = require("node:path");

const MARKER = "de-workbook: linear grouping";
const ORIGINAL_LINE = "return Object.assign(result, { [partition]: [...current, message] })";

const LINEAR = `// ${MARKER} (scripts/patch-kafkajs.js): kafkajs's version copied a partition's list per message.
module.exports = ({ topic, partitionMetadata, messages, partitioner }) => {
  const result = {}
  if (partitionMetadata.length === 0) {
    return result
  }
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message })
    const list = result[partition]
    if (list) list.push(message)
    else result[partition] = [message]
  }
  return result
}
`;

function target(root) {
  return path.join(root, "node_modules", "kafkajs", "src", "producer", "groupMessagesPerPartition.js");
}

/** Patches the kafkajs under `root`; returns what it did: "patched", "already", "missing" or "unknown". */
function patch(root) {
  const file = target(root);
  if (!fs.existsSync(file)) return "missing";
  const text = fs.readFileSync(file, "utf8");
  if (text.includes(MARKER)) return "already";
  if (!text.includes(ORIGINAL_LINE)) return "unknown";
  fs.writeFileSync(file, LINEAR);
  return "patched";
}

module.exports = { patch, target, MARKER };

if (require.main === module) {
  const root = path.resolve(__dirname, "..");
  const what = patch(root);
  if (what === "unknown") {
    process.stderr.write(`patch-kafkajs: ${target(root)} is not the kafkajs 2.2.4 file this script knows; left as it is (large producer sends may be slow). Check scripts/patch-kafkajs.js against this kafkajs version.\n`);
  } else if (what === "patched") {
    process.stdout.write("patch-kafkajs: kafkajs's producer now groups messages per partition in linear time\n");
  }
}
