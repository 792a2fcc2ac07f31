/**
 * Paths inside a lake, with no I/O: validation, Hive-style partition folders
 * (`web_logs/dt=2021-03-26/hour=14`) and deterministic part-file names.
 */
import { WorkbookError } from "../errors";

/** Partition values by key, in folder order, e.g. `{ dt: "2021-03-26", hour: 14 }`. */
export type PartitionValues = Record<string, string | number>;

const EXAMPLE = `e.g. "web_logs/dt=2021-03-26/hour=14/part-00003.parquet"`;

function invalid(path: string, problem: string, fix: string): WorkbookError {
  return new WorkbookError("LAKE_PATH_INVALID", `lake path ${JSON.stringify(path)} ${problem}; ${fix}.`);
}

/**
 * Checks a path relative to the lake root and returns it. Rules: relative, "/" between segments,
 * no empty, "." or ".." segments, no backslashes or control characters, and no segment starting
 * with "." (hidden names are the lake's temporary files). `allowRoot` accepts "" (the root itself)
 * and a trailing "/" (dropped), for folders. Throws WorkbookError LAKE_PATH_INVALID.
 */
export function checkLakePath(path: string, options: { allowRoot?: boolean } = {}): string {
  if (typeof path !== "string") throw invalid(String(path), "is not a string", `pass a path such as ${EXAMPLE}`);
  let p = path;
  if (options.allowRoot && p.endsWith("/") && !p.endsWith("//")) p = p.slice(0, -1);
  if (p === "") {
    if (options.allowRoot) return "";
    throw invalid(path, "is empty", `name a file, ${EXAMPLE}`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) throw invalid(path, "is a URI, not a path in the lake", `pass the part after the lake root, ${EXAMPLE}`);
  if (p.includes("\\")) throw invalid(path, "contains a backslash", `separate folders with "/", ${EXAMPLE}`);
  if (p.startsWith("/")) throw invalid(path, "is absolute", `pass it relative to the lake root, without the leading "/"`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(p)) throw invalid(path, "contains a control character", "remove it (partitionPath() escapes values that contain one)");
  for (const segment of p.split("/")) {
    if (segment === "") throw invalid(path, "has an empty segment (\"//\" or a trailing \"/\")", "remove the extra \"/\"");
    if (segment === "..") throw invalid(path, "contains \"..\"", "name the file from the lake root down; a lake path cannot leave the lake");
    if (segment === ".") throw invalid(path, "contains \".\"", "remove the \"./\" segment");
    if (segment.startsWith(".")) throw invalid(path, `has a segment starting with "." (${JSON.stringify(segment)})`, "rename it: hidden names are reserved for the lake's temporary files");
  }
  return p;
}

// The characters Hive escapes in partition keys and values (FileUtils.escapePathName): control
// characters and " # % ' * / : = ? \ { [ ] ^ DEL, each as %XX.
const HIVE_ESCAPED = /[\u0000-\u001f"#%'*/:=?\\{[\]^\u007f]/g; // eslint-disable-line no-control-regex

/** Escapes a partition key or value as Hive does: `a/b=c` -> `a%2Fb%3Dc`. */
export function escapePartitionValue(value: string): string {
  return value.replace(HIVE_ESCAPED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/** Reverses `escapePartitionValue` (%XX sequences; anything else is kept as is). */
export function unescapePartitionValue(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The folder of one partition: `partitionPath("web_logs", { dt: "2021-03-26", hour: 14 })` is
 * "web_logs/dt=2021-03-26/hour=14". Keys come in the order given; keys and values are escaped as
 * Hive does. Throws LAKE_PATH_INVALID for a bad dataset, no keys, or an empty key or value.
 */
export function partitionPath(dataset: string, values: PartitionValues): string {
  const base = checkLakePath(dataset);
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) throw invalid(base, "was given no partition values", `pass at least one, e.g. partitionPath(${JSON.stringify(base)}, { dt: "2021-03-26" })`);
  const segments = entries.map(([key, raw]) => {
    const value = String(raw);
    if (key === "" || value === "") {
      throw invalid(`${base}/${key}=${value}`, "has an empty partition key or value", "give every key a non-empty value (Hive writes missing values as __HIVE_DEFAULT_PARTITION__)");
    }
    return `${escapePartitionValue(key)}=${escapePartitionValue(value)}`;
  });
  return `${base}/${segments.join("/")}`;
}

/** What `parsePartitionPath` finds in a path. */
export interface ParsedPartitionPath {
  /** The segments before the first `key=value` segment, e.g. "web_logs" (the whole path when there is none). */
  dataset: string;
  /** The `key=value` segments, unescaped, e.g. `{ dt: "2021-03-26", hour: "14" }`. */
  values: Record<string, string>;
  /** The segments after the last `key=value` one, e.g. "part-00003.parquet"; undefined when there are none. */
  file?: string;
}

/** Splits "web_logs/dt=2021-03-26/hour=14/part-00003.parquet" into dataset, partition values and file. */
export function parsePartitionPath(path: string): ParsedPartitionPath {
  const segments = checkLakePath(path, { allowRoot: true }).split("/").filter(Boolean);
  const isPair = (s: string) => /^[^=]+=[^=]*$/.test(s);
  const first = segments.findIndex(isPair);
  if (first < 0) return { dataset: segments.join("/"), values: {} };
  let last = first;
  const values: Record<string, string> = {};
  segments.forEach((s, i) => {
    if (i < first || !isPair(s)) return;
    const at = s.indexOf("=");
    values[unescapePartitionValue(s.slice(0, at))] = unescapePartitionValue(s.slice(at + 1));
    last = i;
  });
  const rest = segments.slice(last + 1);
  return { dataset: segments.slice(0, first).join("/"), values, ...(rest.length ? { file: rest.join("/") } : {}) };
}

/** The partition values of a file: those of its folders (the file name itself never counts). */
export function partitionOfFile(path: string): Record<string, string> {
  const at = path.lastIndexOf("/");
  return at < 0 ? {} : parsePartitionPath(path.slice(0, at)).values;
}

export interface PartFileNameOptions {
  /** Kafka topic (letters, digits, ".", "_", "-"). Default: none (left out of the name). */
  topic?: string;
  /** Input partition number, zero-padded to 5 digits. */
  partition: number;
  /** First and last input offsets in the file (inclusive), zero-padded to 19 digits (any int64). */
  firstOffset: number | bigint | string;
  lastOffset: number | bigint | string;
  /** Extension, with or without the dot, e.g. "parquet". */
  ext: string;
}

function offset(name: string, value: number | bigint | string): bigint {
  const text = String(value);
  if (!/^\d{1,19}$/.test(text)) {
    throw new WorkbookError("LAKE_PATH_INVALID", `part file ${name} ${JSON.stringify(text)} is not an offset; pass a non-negative integer such as 42 or "42".`);
  }
  return BigInt(text);
}

/**
 * A deterministic part-file name from input positions, e.g.
 * `partFileName({ topic: "clicks", partition: 3, firstOffset: 100, lastOffset: 199, ext: "parquet" })`
 * is "part-clicks-00003-0000000000000000100-0000000000000000199.parquet": a re-run over the same
 * offsets after a crash writes the same name, overwriting the file instead of adding a duplicate.
 */
export function partFileName(options: PartFileNameOptions): string {
  const { topic, partition, ext } = options;
  if (topic !== undefined && !/^[A-Za-z0-9._-]+$/.test(topic)) {
    throw new WorkbookError("LAKE_PATH_INVALID", `part file topic ${JSON.stringify(topic)} has characters a file name should not; Kafka topics use letters, digits, ".", "_" and "-".`);
  }
  if (!Number.isInteger(partition) || partition < 0 || partition > 99999) {
    throw new WorkbookError("LAKE_PATH_INVALID", `part file partition ${JSON.stringify(partition)} is not a partition number; pass an integer from 0 to 99999.`);
  }
  const first = offset("firstOffset", options.firstOffset);
  const last = offset("lastOffset", options.lastOffset);
  if (last < first) {
    throw new WorkbookError("LAKE_PATH_INVALID", `part file offsets ${first}..${last} are reversed; lastOffset must be at least firstOffset.`);
  }
  const extension = ext.replace(/^\./, "");
  if (!/^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$/.test(extension)) {
    throw new WorkbookError("LAKE_PATH_INVALID", `part file extension ${JSON.stringify(ext)} is not an extension; pass e.g. "parquet" or "json.gz".`);
  }
  const pad = (n: bigint) => n.toString().padStart(19, "0");
  return ["part", ...(topic === undefined ? [] : [topic]), String(partition).padStart(5, "0"), pad(first), pad(last)].join("-") + `.${extension}`;
}
