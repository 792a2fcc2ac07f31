/**
 * The songs job: one record per song file in the lake; a valid file gives one clean song, a bad
 * one is rejected by the job runner with the reason (a rejected record, not a failed job).
 */
import { defineJob } from "../../lib/jobs/job";
import { openLake } from "../../lib/lake";
import type { Lake } from "../../lib/lake/lake";
import { parseSongFile, type CleanSong } from "./events";

export interface SongsJobParams {
  /** Where the song files are: a folder or gs://bucket/prefix (record paths are relative to it). */
  sourceRoot: string;
}

let lake: Promise<Lake> | undefined;

export const job = defineJob<{ path: string }, CleanSong, SongsJobParams>({
  name: "sparkify-songs",
  concurrency: 16,
  async map(record, params) {
    lake ??= openLake({ root: params.sourceRoot });
    const text = (await (await lake).readFile(record.path)).toString("utf8");
    const parsed = parseSongFile(text);
    if (!parsed.ok) throw new Error(`${record.path}: ${parsed.reason}`);
    return parsed.song;
  },
});
