/**
 * Long work in a notebook that a learner can stop and start again (the one place that says how).
 *
 *   const run = await startOnce("netflix stream", () => startNetflixRun(options));  // a re-run stops the last one first
 *   const stats = await interruptible(run.finish());                                // the stop button stops it
 *
 * `startOnce(name, start)` keeps one running piece of work per name in the kernel: running the cell
 * again stops the previous one first and says so in one line, so two copies never run side by side.
 * Anything with a `stop()` or `close()` can be started so: a stream run, a DAG run, a job. A `stop()`
 * that resolves to a short note (what stopping did, e.g. "delete_cluster still ran: cluster x
 * deleted") has it added to the line in parentheses.
 *
 * Interrupts: Jupyter's stop button sends SIGINT to the kernel process (tslab has no interrupt
 * request). tslab's own handler only rejects the awaited promise of the cell, printing a stack
 * trace, and leaves whatever the cell started running in the background. The first `startOnce` or
 * `interruptible` in a kernel puts one handler in front of tslab's: on SIGINT it stops every piece
 * of work started with `startOnce` (closing its clients), and a cell waiting in `interruptible`
 * ends with ONE line on stderr naming what was stopped (the cell fails, so "Run All" stops there,
 * as with any interrupt). The kernel stays usable. When neither is in use, the interrupt goes to
 * tslab as before.
 *
 *   const wh = await openOnce("warehouse", () => openWarehouse());   // a re-run gets the same one
 *
 * `openOnce(name, open)` is for resources rather than work: the warehouse, a database. Re-running
 * the cell hands back the one already open (reopening it if something closed it), and an interrupt
 * leaves it open, so every later cell can be re-run alone and the last cell need not close it (the
 * kernel's end does).
 */

/** Work that can be stopped: `stop()` is preferred, else `close()`. */
export type Stoppable = { stop(): unknown } | { close(): unknown };

interface Running {
  name: string;
  work: Stoppable;
}

const running = new Map<string, Running>();
interface Waiter {
  interrupted: boolean;
  fail(message: string): void;
}

const waiting = new Set<Waiter>();
let previousHandlers: ((...args: unknown[]) => void)[] | undefined;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Stops the work; returns its name, with the note its stop() resolved to, if any. */
async function stopWork({ name, work }: Running): Promise<string> {
  let note: unknown;
  if ("stop" in work && typeof work.stop === "function") note = await work.stop();
  else if ("close" in work && typeof work.close === "function") await work.close();
  return typeof note === "string" && note !== "" ? `${name} (${note})` : name;
}

function onInterrupt(): void {
  const waiters = [...waiting];
  if (running.size === 0 && waiters.length === 0) {
    for (const handler of previousHandlers ?? []) handler("SIGINT");
    return;
  }
  // From now on these cells end with the interrupt line, even if stopping lets their promise settle.
  for (const w of waiters) w.interrupted = true;
  const done = (message: string): void => {
    if (waiters.length === 0) say(message);
    for (const w of waiters) w.fail(message);
  };
  void stopAll().then(
    (stopped) => done(`Interrupted: ${stopped.length > 0 ? `stopped ${stopped.join(", ")}` : "nothing else was running"}.`),
    (err: unknown) => done(`Interrupted, but stopping failed: ${err instanceof Error ? err.message : String(err)}`),
  );
  // A cell that awaits something else than `interruptible` still gets tslab's interrupt.
  if (waiters.length === 0) for (const handler of previousHandlers ?? []) handler("SIGINT");
}

/**
 * Puts the workbook's interrupt handler in place of the existing SIGINT handlers (tslab's), which it
 * calls itself when the interrupt is not the workbook's to handle. Called by `startOnce` and
 * `interruptible`; exported for tests.
 *
 * tslab runs the synchronous part of a cell under vm's `breakOnSigint`, which takes the SIGINT
 * handlers away while the cell runs and adds back the ones it took when the cell returns; and a
 * SIGINT handler ADDED while it runs is lost at the signal level (node restores the default
 * action, so the next SIGINT would kill the kernel). So the take-over is done outside the cell's
 * synchronous part, by setImmediate, on every call.
 */
export function installInterruptHandler(): void {
  previousHandlers ??= [];
  setImmediate(takeOver);
}

function takeOver(): void {
  if (!previousHandlers) return;
  for (const handler of process.rawListeners("SIGINT")) {
    if (handler === onInterrupt) continue;
    previousHandlers.push(handler as (...args: unknown[]) => void);
    process.removeListener("SIGINT", handler as (...args: unknown[]) => void);
  }
  if (!process.rawListeners("SIGINT").includes(onInterrupt)) process.on("SIGINT", onInterrupt);
}

/** Takes the handler out again and gives SIGINT back to the handlers it found (tests). */
export function uninstallInterruptHandler(): void {
  if (!previousHandlers) return;
  process.removeListener("SIGINT", onInterrupt);
  for (const handler of previousHandlers) process.on("SIGINT", handler);
  previousHandlers = undefined;
}

/**
 * Starts work under `name`, first stopping the work started under that name before (one line says
 * so). The work is stopped on an interrupt, or by `stopAll()`; `forget(name)` when it has finished
 * on its own (a later start then has nothing to stop).
 */
export async function startOnce<T extends Stoppable>(name: string, start: () => T | Promise<T>): Promise<T> {
  installInterruptHandler();
  const previous = running.get(name);
  if (previous) {
    running.delete(name);
    say(`Stopped the previous ${await stopWork(previous)} first (this cell was run again).`);
  }
  const work = await start();
  running.set(name, { name, work });
  return work;
}

const resources = new Map<string, { close(): unknown }>();

/**
 * Opens a resource once per kernel under `name`: later calls return the same one while it is open.
 * Its `close()` is wrapped so that a closed resource is forgotten and the next call opens a new one.
 */
export async function openOnce<T extends { close(): unknown }>(name: string, open: () => T | Promise<T>): Promise<T> {
  const existing = resources.get(name);
  if (existing) return existing as T;
  const resource = await open();
  const close = resource.close.bind(resource);
  resource.close = (() => {
    if (resources.get(name) === resource) resources.delete(name);
    return close();
  }) as T["close"];
  resources.set(name, resource);
  return resource;
}

/** Forgets the work started under `name` without stopping it (it has finished). */
export function forget(name: string): void {
  running.delete(name);
}

/** The names of the work running now. */
export function runningWork(): string[] {
  return [...running.keys()];
}

/** Stops everything started with `startOnce`, newest first; returns the names stopped (each with its stop note, if any). */
export async function stopAll(): Promise<string[]> {
  const all = [...running.values()].reverse();
  running.clear();
  const stopped: string[] = [];
  for (const r of all) stopped.push(await stopWork(r));
  return stopped;
}

/**
 * Waits for `promise`; on an interrupt the running work is stopped and this rejects with a single
 * line (a string, so tslab prints the line and no stack trace) naming what was stopped.
 */
export function interruptible<T>(promise: Promise<T>): Promise<T> {
  installInterruptHandler();
  return new Promise<T>((resolve, reject) => {
    const waiter: Waiter = {
      interrupted: false,
      fail(message) {
        waiting.delete(waiter);
        reject(message);
      },
    };
    waiting.add(waiter);
    const settle = (then: () => void): void => {
      if (waiter.interrupted) return;
      waiting.delete(waiter);
      then();
    };
    promise.then(
      (value) => settle(() => resolve(value)),
      (err: unknown) => settle(() => reject(err)),
    );
  });
}
