/**
 * A benchmark running parts of itself in child processes (a broker, a producer): `startChild(script,
 * args)` runs `node script --child ...args` and resolves `ready` with the child's first stdout line.
 */
import { type ChildProcess, spawn } from "node:child_process";

export function startChild(script: string, args: string[]): { child: ChildProcess; ready: Promise<string>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [script, "--child", ...args], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout!.on("data", (d: Buffer) => {
      text += d.toString();
      if (text.includes("\n")) resolve(text.slice(0, text.indexOf("\n")));
    });
    void exited.then((code) => reject(new Error(`child ${args[0]} exited with code ${code} before answering`)));
  });
  return { child, ready, exited };
}
