/**
 * Reads an image's bytes from a local path, file://, http(s):// or gs:// URI. Every failure is a
 * WorkbookError INPUT_UNREADABLE whose message is the reason a rejected row carries.
 */
import * as fs from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { WorkbookError } from "../../lib/errors";

export interface ReadImageOptions {
  /** Give up on an http(s):// or gs:// download after this long. Default 10000 ms. */
  timeoutMs?: number;
  /** Refuse images larger than this. Default 50 MB. */
  maxBytes?: number;
  /** Cloud Storage API endpoint, e.g. a local stand-in "http://127.0.0.1:4443". Default: Google's. */
  gcsEndpoint?: string;
}

export const READ_IMAGE_DEFAULTS = { timeoutMs: 10_000, maxBytes: 50 * 1024 * 1024 } as const;

function unreadable(reason: string, cause?: unknown): WorkbookError {
  return new WorkbookError("INPUT_UNREADABLE", reason, { cause });
}

/** The bytes of the image at `uri`. */
export async function readImage(uri: string, options: ReadImageOptions = {}): Promise<Buffer> {
  const { timeoutMs, maxBytes } = { ...READ_IMAGE_DEFAULTS, ...options };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === "file") return readFile(scheme === "file" ? fileURLToPath(uri) : uri, maxBytes);
  if (scheme === "http" || scheme === "https") return readHttp(uri, timeoutMs, maxBytes);
  if (scheme === "gs") return readGcs(uri, timeoutMs, maxBytes, options.gcsEndpoint);
  throw unreadable(`unsupported URI scheme "${scheme}:" in ${uri}; use a path, file://, http(s):// or gs://`);
}

async function readFile(file: string, maxBytes: number): Promise<Buffer> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw unreadable(`missing file: ${file} does not exist`, err);
    throw unreadable(`cannot read ${file}: ${(err as Error).message}`, err);
  }
  if (!stat.isFile()) throw unreadable(`not a file: ${file} is a ${stat.isDirectory() ? "folder" : "special file"}`);
  if (stat.size > maxBytes) throw unreadable(`too large: ${file} has ${stat.size} bytes, more than ${maxBytes}`);
  return fs.readFile(file);
}

async function readHttp(url: string, timeoutMs: number, maxBytes: number): Promise<Buffer> {
  // Not AbortSignal.timeout(): its timer does not keep the process alive, and a job's worker process
  // whose only pending work is a download that undici keeps retrying (a server that hangs up on
  // every connection) would exit in the middle of the partition.
  const controller = new AbortController();
  const signal = controller.signal;
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { signal, redirect: "follow" });
    if (!response.ok) {
      await response.body?.cancel();
      throw unreadable(`unreachable URL: ${url} answered HTTP ${response.status} ${response.statusText}`.trim());
    }
    const length = Number(response.headers.get("content-length") ?? 0);
    if (length > maxBytes) {
      await response.body?.cancel();
      throw unreadable(`too large: ${url} has ${length} bytes, more than ${maxBytes}`);
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > maxBytes) throw unreadable(`too large: ${url} has ${bytes.length} bytes, more than ${maxBytes}`);
    return bytes;
  } catch (err) {
    if (err instanceof WorkbookError) throw err;
    if (signal.aborted) throw unreadable(`unreachable URL: ${url} did not answer within ${timeoutMs} ms (time-out)`, err);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw unreadable(`unreachable URL: ${url} (${cause?.code ?? cause?.message ?? (err as Error).message})`, err);
  } finally {
    clearTimeout(timer);
  }
}

type StorageModule = typeof import("@google-cloud/storage");
const storages = new Map<string, InstanceType<StorageModule["Storage"]>>();

async function readGcs(uri: string, timeoutMs: number, maxBytes: number, endpoint: string | undefined): Promise<Buffer> {
  const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw unreadable(`bad gs:// URI ${uri}; write gs://bucket/path/to/image.png`);
  const key = endpoint ?? "";
  let storage = storages.get(key);
  if (!storage) {
    const { Storage } = require("@google-cloud/storage") as StorageModule;
    storage = new Storage({ ...(endpoint ? { apiEndpoint: endpoint } : {}), retryOptions: { maxRetries: 1 } });
    storages.set(key, storage);
  }
  const file = storage.bucket(m[1]).file(m[2]);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unreadable(`unreachable URL: ${uri} did not answer within ${timeoutMs} ms (time-out)`)), timeoutMs);
  });
  try {
    const [bytes] = await Promise.race([file.download(), timeout]);
    if (bytes.length > maxBytes) throw unreadable(`too large: ${uri} has ${bytes.length} bytes, more than ${maxBytes}`);
    return bytes;
  } catch (err) {
    if (err instanceof WorkbookError) throw err;
    const code = (err as { code?: number }).code;
    if (code === 404) throw unreadable(`missing object: ${uri} does not exist`, err);
    throw unreadable(`unreachable URL: ${uri} (${(err as Error).message})`, err);
  } finally {
    clearTimeout(timer);
  }
}
