/**
 * Checkpoints: the engine state and the input offsets, written TOGETHER in one file, replaced
 * atomically (write a temporary file, fsync, rename). Before a batch is processed its planned
 * offset range is written too (`pending.json`, Spark's "offset log"): after a crash the restarted
 * processor replays exactly that range from the last committed state, so it writes the same rows
 * again (sinks are idempotent) and then carries on.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EngineSnapshot } from "./engine";
import { WorkbookError } from "../errors";

/** Next offset to read, per partition (as decimal strings, like kafkajs). */
export type Offsets = Record<number, string>;

export interface Committed {
  /** Input topic the offsets belong to. */
  topic: string;
  /** Offsets of the first record NOT yet in `state`. */
  offsets: Offsets;
  state: EngineSnapshot;
  /** Messages sent to the dead-letter topic so far. */
  deadLetters?: number;
  /** ISO time of the commit. */
  committedAt: string;
}

/** What commit() stores: `state` may be the engine's snapshotText(), written as it is. */
export type CommitInput = Omit<Committed, "state"> & { state: EngineSnapshot | string };

export interface Pending {
  batchId: number;
  /** Offsets just past the last record of the batch, per partition. */
  end: Offsets;
}

export class FileCheckpoint {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    fs.mkdirSync(dir, { recursive: true });
  }

  /** The last committed state, or undefined when the processor never committed. */
  load(): Committed | undefined {
    return this.read<Committed>("state.json");
  }

  /** The batch planned but not committed, if the last run stopped in the middle of one. */
  pending(): Pending | undefined {
    return this.read<Pending>("pending.json");
  }

  plan(pending: Pending): void {
    this.write("pending.json", JSON.stringify(pending));
  }

  /**
   * Stores state and offsets as one atomic step, then clears the plan. Give the state as the engine's
   * snapshotText() taken right after the batch: a value, which later batches cannot change.
   */
  commit(committed: CommitInput): void {
    this.write("state.json", jsonWithState(committed));
    fs.rmSync(path.join(this.dir, "pending.json"), { force: true });
  }

  private read<V>(name: string): V | undefined {
    const file = path.join(this.dir, name);
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    try {
      return JSON.parse(text) as V;
    } catch (err) {
      throw new WorkbookError("STREAM_CHECKPOINT_INVALID", `checkpoint file ${file} is not valid JSON; delete the folder ${this.dir} to start the stream over.`, { cause: err });
    }
  }

  private write(name: string, text: string): void {
    const file = path.join(this.dir, name);
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, "w");
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  }
}

/** JSON text of an object whose `state` may be JSON text already (an engine's snapshotText()): spliced in as it is. */
export function jsonWithState(value: { state: unknown }): string {
  const { state, ...rest } = value;
  if (typeof state !== "string") return JSON.stringify(value);
  const head = JSON.stringify(rest);
  return head === "{}" ? `{"state":${state}}` : `${head.slice(0, -1)},"state":${state}}`;
}
