/**
 * The master data set: every raw message of the tweets topic, as it came (malformed ones too),
 * in the lake under `lambda-urls/master/<topic>/dt=YYYY-MM-DD/hour=HH/`, by the hour the producer
 * stamped on the message. Append-only and immutable: an archive run adds new files, named after the
 * offsets they hold (`part-<topic>-<partition>-<first>-<last>.json`), and never rewrites or deletes
 * one. A marker `_archived.json` beside the partitions says up to which offset each Kafka partition
 * is archived; it is written after the files, so a run that crashed is done again from the old
 * marker, and readers count a message once by its own key (partition, offset).
 */
import { randomUUID } from "node:crypto";
import type { Kafka } from "kafkajs";
import { WorkbookError } from "../../lib/errors";
import type { Lake } from "../../lib/lake/lake";
import { partFileName } from "../../lib/lake/paths";
import { hourOf, type RawTweet } from "./tweets";

export const MASTER_PREFIX = "lambda-urls/master";

/** One archived message (a line of a master file). */
export interface MasterRecord extends RawTweet {
  /** The producer's timestamp, epoch ms. */
  timestamp: number;
  key: string | null;
}

/** Next offset to archive, per Kafka partition. */
export type ArchivedOffsets = Record<number, number>;

export function masterDataset(topic: string): string {
  return `${MASTER_PREFIX}/${topic}`;
}

function markerPath(topic: string): string {
  return `${masterDataset(topic)}/_archived.json`;
}

/** How far the master data set of `topic` reaches: the next offset per partition ({} when empty). */
export async function archivedOffsets(lake: Lake, topic: string): Promise<ArchivedOffsets> {
  if (!(await lake.exists(markerPath(topic)))) return {};
  return JSON.parse((await lake.readFile(markerPath(topic))).toString("utf8")) as ArchivedOffsets;
}

export interface ArchiveResult {
  /** Messages appended by this run. */
  appended: number;
  files: string[];
  /** The next offset to archive per partition, after this run. */
  offsets: ArchivedOffsets;
}

/** Appends the topic's messages not yet archived (up to its end when called) to the master data set. */
export async function archiveTweets(options: { kafka: Kafka; lake: Lake; topic: string; timeoutMs?: number }): Promise<ArchiveResult> {
  const { kafka, lake, topic } = options;
  const from = await archivedOffsets(lake, topic);
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; high: string; low: string }[];
  try {
    if (!(await admin.listTopics()).includes(topic)) throw new WorkbookError("INPUT_MISSING", `there is no topic ${JSON.stringify(topic)} to archive; produce tweets to it first (\`workbook data tweets --topic ${topic}\`).`);
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const wanted = ends
    .map((e) => ({ partition: e.partition, start: Math.max(from[e.partition] ?? 0, Number(e.low)), end: Number(e.high) }))
    .filter((w) => w.end > w.start);
  const records: MasterRecord[] = [];
  if (wanted.length > 0) {
    const consumer = kafka.consumer({ groupId: `archive-${topic}-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const remaining = new Set(wanted.map((w) => w.partition));
      let finished!: () => void;
      const done = new Promise<void>((resolve) => (finished = resolve));
      await consumer.run({
        eachBatch: async ({ batch }) => {
          const w = wanted.find((x) => x.partition === batch.partition);
          if (!w) return;
          for (const m of batch.messages) {
            const offset = Number(m.offset);
            if (offset < w.start || offset >= w.end) continue;
            records.push({ partition: batch.partition, offset, timestamp: Number(m.timestamp), key: m.key ? m.key.toString("utf8") : null, value: m.value ? m.value.toString("utf8") : "" });
            if (offset + 1 >= w.end) remaining.delete(batch.partition);
          }
          if (remaining.size === 0) finished();
        },
      });
      for (const w of wanted) consumer.seek({ topic, partition: w.partition, offset: String(w.start) });
      const timeoutMs = options.timeoutMs ?? 60_000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new WorkbookError("STREAM_TIMEOUT", `archiving ${topic} timed out after ${timeoutMs} ms with partitions ${[...remaining].join(", ")} unfinished; is the broker reachable?`)), timeoutMs);
      });
      try {
        await Promise.race([done, timeout]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await consumer.disconnect();
    }
  }
  // one file per (Kafka partition, hour) of this run
  const groups = new Map<string, MasterRecord[]>();
  for (const r of records) {
    const k = `${r.partition}\t${hourOf(r.timestamp)}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const files: string[] = [];
  for (const [k, rs] of groups) {
    const [partition, hour] = k.split("\t").map(Number);
    rs.sort((a, b) => a.offset - b.offset);
    const iso = new Date(hour).toISOString();
    const dir = `${masterDataset(topic)}/dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
    const name = partFileName({ topic, partition, firstOffset: rs[0].offset, lastOffset: rs[rs.length - 1].offset, ext: "json" });
    await lake.writeFile(`${dir}/${name}`, rs.map((r) => JSON.stringify(r)).join("\n") + "\n");
    files.push(`${dir}/${name}`);
  }
  const offsets: ArchivedOffsets = { ...from };
  for (const w of wanted) offsets[w.partition] = w.end;
  await lake.writeFile(markerPath(topic), JSON.stringify(offsets));
  return { appended: records.length, files: files.sort(), offsets };
}

/** Every message of the master data set, each once (by partition and offset), in offset order. */
export async function readMaster(lake: Lake, topic: string): Promise<MasterRecord[]> {
  const byKey = new Map<string, MasterRecord>();
  for (const f of await lake.list(masterDataset(topic))) {
    if (!f.path.endsWith(".json") || f.path.endsWith("_archived.json")) continue;
    const text = (await lake.readFile(f.path)).toString("utf8");
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const r = JSON.parse(line) as MasterRecord;
      byKey.set(`${r.partition}:${r.offset}`, r);
    }
  }
  return [...byKey.values()].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
