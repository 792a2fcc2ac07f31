/**
 * The local lake: a folder on this machine. Writes are atomic (a hidden temporary name in the same
 * folder, fsync, rename), so a reader, DuckDB included, never sees half a file.
 */
import * as crypto from "node:crypto";
import { constants } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { WorkbookError } from "../errors";
import type { Lake, LakeFile, LakePartition, PartitionFile } from "./lake";
import { byPath, deletePartitionFiles, groupPartitions, lakeFile, replacePartitionFiles } from "./partitions";
import { checkLakePath, partitionPath, type PartitionValues } from "./paths";

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

export class LocalLake implements Lake {
  readonly kind = "local" as const;
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  /** Opens (and creates) the lake folder `root`. */
  static async create(root: string): Promise<LocalLake> {
    const abs = path.resolve(root);
    try {
      await fs.mkdir(abs, { recursive: true });
    } catch (err) {
      throw new WorkbookError("LAKE_WRITE_FAILED", `cannot create the lake folder ${abs}: ${(err as Error).message}; set LAKE (or the root option) to a folder you can write to.`, { cause: err });
    }
    return new LocalLake(abs);
  }

  uri(p = ""): string {
    return this.file(p, true);
  }

  localPath(p = ""): string {
    return this.file(p, true);
  }

  private file(p: string, allowRoot = false): string {
    const rel = checkLakePath(p, { allowRoot });
    return rel === "" ? this.root : path.join(this.root, ...rel.split("/"));
  }

  async writeFile(p: string, data: Buffer | string): Promise<LakeFile> {
    const rel = checkLakePath(p);
    await this.atomically(rel, async (temp) => {
      const handle = await fs.open(temp, "wx");
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
    return lakeFile(rel, typeof data === "string" ? Buffer.byteLength(data) : data.length);
  }

  async upload(p: string, localFile: string): Promise<LakeFile> {
    const rel = checkLakePath(p);
    const stat = await fs.stat(localFile).catch(() => undefined);
    if (!stat?.isFile()) {
      throw new WorkbookError("LAKE_WRITE_FAILED", `cannot upload ${localFile} to ${this.file(rel)}: ${localFile} is not a file; check the local path.`);
    }
    await this.atomically(rel, async (temp) => {
      await fs.copyFile(localFile, temp, constants.COPYFILE_EXCL);
      const handle = await fs.open(temp, "r+");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
    return lakeFile(rel, stat.size);
  }

  /** Fills a hidden temporary file next to the target with `fill`, then renames it into place. */
  private async atomically(rel: string, fill: (temp: string) => Promise<void>): Promise<void> {
    const target = this.file(rel);
    const dir = path.dirname(target);
    const temp = path.join(dir, `.${path.basename(target)}.${crypto.randomBytes(6).toString("hex")}.tmp`);
    try {
      await fs.mkdir(dir, { recursive: true });
      await fill(temp);
      await fs.rename(temp, target);
    } catch (err) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw new WorkbookError("LAKE_WRITE_FAILED", `could not write ${target}: ${(err as Error).message}. Nothing was written; check that no file stands where a folder of this path should be, and that the disk is writable.`, { cause: err });
    }
    // Make the rename itself durable; some file systems cannot fsync a folder, which is fine.
    const folder = await fs.open(dir, "r").catch(() => undefined);
    await folder?.sync().catch(() => undefined);
    await folder?.close();
  }

  async readFile(p: string): Promise<Buffer> {
    const target = this.file(p);
    try {
      return await fs.readFile(target);
    } catch (err) {
      if (errno(err) === "ENOENT" || errno(err) === "ENOTDIR") {
        throw new WorkbookError("LAKE_NOT_FOUND", `${target} does not exist in the lake; check the path (lake.list() shows what is there).`, { cause: err });
      }
      throw new WorkbookError("LAKE_READ_FAILED", `could not read ${target}: ${(err as Error).message}; check that it is a file you may read.`, { cause: err });
    }
  }

  async exists(p: string): Promise<boolean> {
    const stat = await fs.stat(this.file(p)).catch(() => undefined);
    return stat?.isFile() ?? false;
  }

  async list(prefix = ""): Promise<LakeFile[]> {
    const rel = checkLakePath(prefix, { allowRoot: true });
    const files: LakeFile[] = [];
    const walk = async (dir: string, relDir: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (errno(err) === "ENOENT" || errno(err) === "ENOTDIR") return;
        throw new WorkbookError("LAKE_READ_FAILED", `could not list ${dir}: ${(err as Error).message}; check that you may read it.`, { cause: err });
      }
      for (const entry of entries) {
        if (entry.name.startsWith(".")) continue; // temporary files of writes in progress
        const abs = path.join(dir, entry.name);
        const relPath = relDir ? `${relDir}/${entry.name}` : entry.name;
        const stat = entry.isSymbolicLink() ? await fs.stat(abs).catch(() => undefined) : entry;
        if (stat?.isDirectory()) await walk(abs, relPath);
        else if (stat?.isFile()) files.push(lakeFile(relPath, (await fs.stat(abs)).size));
      }
    };
    await walk(this.file(rel, true), rel);
    return byPath(files);
  }

  async partitions(dataset: string): Promise<LakePartition[]> {
    return groupPartitions(await this.list(checkLakePath(dataset)));
  }

  replacePartition(dataset: string, values: PartitionValues, files: PartitionFile[]): Promise<LakePartition> {
    return replacePartitionFiles(this, dataset, values, files);
  }

  async deletePartition(dataset: string, values: PartitionValues): Promise<number> {
    const count = await deletePartitionFiles(this, dataset, values);
    await fs.rm(this.file(partitionPath(dataset, values)), { recursive: true, force: true });
    return count;
  }

  async delete(p: string): Promise<boolean> {
    const target = this.file(p);
    try {
      await fs.unlink(target);
      return true;
    } catch (err) {
      if (errno(err) === "ENOENT" || errno(err) === "ENOTDIR") return false;
      throw new WorkbookError("LAKE_WRITE_FAILED", `could not delete ${target}: ${(err as Error).message}; check that it is a file you may delete.`, { cause: err });
    }
  }

  async close(): Promise<void> {}
}
