/**
 * CPU caps for bench:scale: one cgroup per slot (an instance, or a worker of the job pool) under the
 * cgroup v1 `cpu` controller, each capped at the same share of a core with cpu.cfs_quota_us /
 * cpu.cfs_period_us, as if every slot ran on a machine of its own of that size; beside them an
 * uncapped group for the broker, the producer and the benchmark. The parent group weighs 64 times a
 * process (cpu.shares), so other load on the machine does not keep the slots below their quotas. Needs root and the
 * v1 controller mounted at /sys/fs/cgroup/cpu; otherwise cpuGroups() says why and caps nothing.
 * remove() moves what is left back to the root group and deletes every group it made; it also runs
 * when the process exits, and a later run deletes the groups of a run that was killed.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = "/sys/fs/cgroup/cpu";
/** The cpuacct controller, when mounted apart (cgroup v1): each group's CPU use, for the report. */
const ACCT_ROOT = "/sys/fs/cgroup/cpuacct";
const PREFIX = "workbook-scale-";
const PERIOD_US = 100_000;
/** cpu.shares of the benchmark's group (the default of a group or process is 1024). */
const WEIGHT = 65_536;

/** One group so far: periods, periods in which the cap was hit, time held back (cpu.stat), CPU used (cpuacct.usage; NaN without it). */
export interface CpuStat {
  periods: number;
  throttled: number;
  throttledMs: number;
  usageMs: number;
}

export interface CpuGroups {
  /** True when the slots are capped; false: the runs are uncapped (`why` says why). */
  readonly capped: boolean;
  readonly why: string;
  /** Places a process (all its threads, and the processes it starts) in a slot's group. */
  add(slot: number, pid: number): void;
  /** Places a process in the uncapped group (the broker, the producer, the benchmark itself). */
  addOutside(pid: number): void;
  stat(slot: number): CpuStat;
  remove(): void;
}

function writeFile(file: string, text: string): void {
  fs.writeFileSync(file, text);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Moves the processes of a group to the root group, then deletes it; missing groups are fine. */
function removeGroup(dir: string, root = ROOT): void {
  if (!fs.existsSync(dir)) return;
  for (const sub of fs.readdirSync(dir, { withFileTypes: true })) if (sub.isDirectory()) removeGroup(path.join(dir, sub.name), root);
  for (let attempt = 0; attempt < 50; attempt++) {
    for (const pid of fs.readFileSync(path.join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) {
      try {
        writeFile(path.join(root, "cgroup.procs"), pid);
      } catch {
        // it exited meanwhile
      }
    }
    try {
      fs.rmdirSync(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EBUSY") throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  throw new Error(`could not remove cgroup ${dir}: processes are still in it`);
}

/** Why the CPU controller cannot be used here, or undefined when it can. */
export function whyNoCgroups(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not root (writing /sys/fs/cgroup/cpu needs root)";
  if (!fs.existsSync(path.join(ROOT, "cpu.cfs_quota_us"))) {
    return fs.existsSync("/sys/fs/cgroup/cgroup.controllers") ? "cgroup v2 only (this benchmark uses the v1 cpu controller at /sys/fs/cgroup/cpu)" : "no cgroup v1 cpu controller at /sys/fs/cgroup/cpu";
  }
  try {
    fs.accessSync(ROOT, fs.constants.W_OK);
  } catch {
    return `${ROOT} is read-only (a container?)`;
  }
  return undefined;
}

/**
 * `slots` groups capped at `share` of a core each (0.25: 25 ms of CPU in every 100 ms period).
 * Without cgroups, an object that caps nothing (capped: false) and says why.
 */
export function cpuGroups(slots: number, share: number): CpuGroups {
  const none = (why: string): CpuGroups => ({ capped: false, why, add: () => undefined, addOutside: () => undefined, stat: () => ({ periods: 0, throttled: 0, throttledMs: 0, usageMs: NaN }), remove: () => undefined });
  const why = whyNoCgroups();
  if (why) return none(why);
  // Groups left by a run that was killed (its pid is gone).
  // cpuacct mounted apart (as here), or together with cpu (then the groups above report their use themselves).
  const together = fs.existsSync(path.join(ROOT, "cpuacct.usage"));
  const acct = !together && fs.existsSync(path.join(ACCT_ROOT, "cpuacct.usage"));
  for (const root of acct ? [ROOT, ACCT_ROOT] : [ROOT]) {
    for (const name of fs.readdirSync(root)) {
      const pid = Number(name.slice(PREFIX.length));
      if (name.startsWith(PREFIX) && Number.isInteger(pid) && !alive(pid)) removeGroup(path.join(root, name), root);
    }
  }
  const top = path.join(ROOT, `${PREFIX}${process.pid}`);
  const acctTop = path.join(ACCT_ROOT, `${PREFIX}${process.pid}`);
  const slot = (i: number) => path.join(top, `slot-${i}`);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    process.off("exit", remove);
    removeGroup(top);
    if (acct) removeGroup(acctTop, ACCT_ROOT);
  };
  try {
    fs.mkdirSync(top);
    process.on("exit", remove);
    // On a busy machine every process at the top level weighs as much as this whole group (cpu.shares
    // 1024 each), so N capped slots would share one process's worth of CPU and never reach their
    // quotas. A large weight lets the quotas bind instead; they still cap the slots at slots x share.
    writeFile(path.join(top, "cpu.shares"), String(WEIGHT));
    fs.mkdirSync(path.join(top, "outside"));
    for (let i = 0; i < slots; i++) {
      fs.mkdirSync(slot(i));
      writeFile(path.join(slot(i), "cpu.cfs_period_us"), String(PERIOD_US));
      writeFile(path.join(slot(i), "cpu.cfs_quota_us"), String(Math.round(share * PERIOD_US)));
      if (acct) fs.mkdirSync(path.join(acctTop, `slot-${i}`), { recursive: true });
    }
  } catch (err) {
    remove();
    return none(`cannot create cgroups under ${ROOT}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    capped: true,
    why: `each slot in its own cgroup under ${top}, cpu.cfs_quota_us=${Math.round(share * PERIOD_US)} per cpu.cfs_period_us=${PERIOD_US}`,
    add: (i, pid) => {
      writeFile(path.join(slot(i), "cgroup.procs"), String(pid));
      if (acct) writeFile(path.join(acctTop, `slot-${i}`, "cgroup.procs"), String(pid));
    },
    addOutside: (pid) => writeFile(path.join(top, "outside", "cgroup.procs"), String(pid)),
    stat: (i) => {
      const fields = new Map(fs.readFileSync(path.join(slot(i), "cpu.stat"), "utf8").split("\n").filter(Boolean).map((l) => l.split(" ") as [string, string]));
      const usageFile = together ? path.join(slot(i), "cpuacct.usage") : acct ? path.join(acctTop, `slot-${i}`, "cpuacct.usage") : undefined;
      const usageMs = usageFile ? Number(fs.readFileSync(usageFile, "utf8")) / 1e6 : NaN;
      return { periods: Number(fields.get("nr_periods") ?? 0), throttled: Number(fields.get("nr_throttled") ?? 0), throttledMs: Number(fields.get("throttled_time") ?? 0) / 1e6, usageMs };
    },
    remove,
  };
}

/** CPU time (user + system) a live process has used, in ms, from /proc/<pid>/stat. */
export function processCpuMs(pid: number): number {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}
