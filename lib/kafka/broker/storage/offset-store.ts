/**
 * Committed consumer-group offsets, kept in memory and persisted as an append-only JSON-lines file
 * (`<dataDir>/consumer-offsets.jsonl`, one commit per line). On open the file is replayed and
 * rewritten compactly, so it holds at most the latest commit of every (group, topic, partition) plus
 * the commits made since the broker started.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface CommittedOffset {
  offset: number;
  metadata: string | null;
}

interface Line {
  g: string;
  t: string;
  p: number;
  o: number;
  m: string | null;
  /** Present (true) on a tombstone: the offsets of topic `t` in group `g` were deleted. */
  d?: boolean;
}

export class OffsetStore {
  private groups = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  private fd: number;
  private readonly file: string;

  constructor(dataDir: string, private readonly fsyncEachCommit: boolean) {
    this.file = path.join(dataDir, "consumer-offsets.jsonl");
    if (fs.existsSync(this.file)) {
      for (const raw of fs.readFileSync(this.file, "utf8").split("\n")) {
        if (!raw) continue;
        let line: Line;
        try {
          line = JSON.parse(raw) as Line;
        } catch {
          continue; // a torn last line after a crash
        }
        if (line.d) this.groups.get(line.g)?.delete(line.t);
        else this.put(line.g, line.t, line.p, { offset: line.o, metadata: line.m });
      }
    }
    const lines: string[] = [];
    for (const [g, topics] of this.groups) {
      for (const [t, parts] of topics) for (const [p, c] of parts) lines.push(JSON.stringify({ g, t, p, o: c.offset, m: c.metadata }));
    }
    fs.writeFileSync(`${this.file}.tmp`, lines.map((l) => `${l}\n`).join(""));
    fs.renameSync(`${this.file}.tmp`, this.file);
    this.fd = fs.openSync(this.file, "a");
  }

  private put(group: string, topic: string, partition: number, c: CommittedOffset): void {
    let topics = this.groups.get(group);
    if (!topics) this.groups.set(group, (topics = new Map()));
    let parts = topics.get(topic);
    if (!parts) topics.set(topic, (parts = new Map()));
    parts.set(partition, c);
  }

  commit(group: string, entries: { topic: string; partition: number; offset: number; metadata: string | null }[]): void {
    let text = "";
    for (const e of entries) {
      this.put(group, e.topic, e.partition, { offset: e.offset, metadata: e.metadata });
      text += `${JSON.stringify({ g: group, t: e.topic, p: e.partition, o: e.offset, m: e.metadata })}\n`;
    }
    fs.writeSync(this.fd, text);
    if (this.fsyncEachCommit) fs.fdatasyncSync(this.fd);
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(group)?.get(topic)?.get(partition);
  }

  /** Topic -> partitions with a commit, for one group. */
  committed(group: string): Map<string, Map<number, CommittedOffset>> {
    return this.groups.get(group) ?? new Map();
  }

  groupIds(): string[] {
    return [...this.groups.keys()].filter((g) => (this.groups.get(g)?.size ?? 0) > 0);
  }

  /** Forgets the offsets of a deleted topic in every group. */
  deleteTopic(topic: string): void {
    for (const [g, topics] of this.groups) {
      if (topics.delete(topic)) fs.writeSync(this.fd, `${JSON.stringify({ g, t: topic, p: -1, o: -1, m: null, d: true })}\n`);
    }
  }

  /** Forgets every offset of one group (DeleteGroups). */
  deleteGroup(group: string): void {
    const topics = this.groups.get(group);
    if (!topics) return;
    let text = "";
    for (const t of topics.keys()) text += `${JSON.stringify({ g: group, t, p: -1, o: -1, m: null, d: true })}\n`;
    this.groups.delete(group);
    if (text) fs.writeSync(this.fd, text);
  }

  flush(): void {
    fs.fdatasyncSync(this.fd);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
