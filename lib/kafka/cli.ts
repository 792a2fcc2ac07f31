/**
 * `workbook broker [--port 9092] [--host 127.0.0.1] [--data-dir DIR] [--partitions N]`: runs the
 * broker in the foreground, prints one `listening on HOST:PORT` line, and stops cleanly (flushing
 * the logs) on SIGINT or SIGTERM.
 */
import * as path from "node:path";
import { config } from "../config";
import { startBroker } from "./broker/broker";

const USAGE = "usage: workbook broker [--port 9092] [--host 127.0.0.1] [--data-dir DIR] [--partitions N]";

interface BrokerArgs {
  port: number;
  host: string;
  dataDir?: string;
  partitions: number;
}

function parseArgs(argv: string[]): BrokerArgs | string {
  const args: BrokerArgs = { port: 9092, host: "127.0.0.1", partitions: 1 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if (flag === "--help" || flag === "-h") return USAGE;
    if (value === undefined) return `${flag} needs a value\n${USAGE}`;
    if (flag === "--port" || flag === "--partitions") {
      const n = Number(value);
      const ok = flag === "--port" ? Number.isInteger(n) && n >= 0 && n < 65536 : Number.isInteger(n) && n >= 1;
      if (!ok) return `${flag} ${JSON.stringify(value)} is not valid: give ${flag === "--port" ? "a port from 0 to 65535" : "a positive whole number"}\n${USAGE}`;
      if (flag === "--port") args.port = n;
      else args.partitions = n;
    } else if (flag === "--host") args.host = value;
    else if (flag === "--data-dir") args.dataDir = path.resolve(value);
    else return `unknown option ${JSON.stringify(argv[i])}\n${USAGE}`;
  }
  return args;
}

/** Runs the broker until SIGINT/SIGTERM; resolves with the process exit code. */
export async function brokerCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === "string") {
    process.stderr.write(`${args}\n`);
    return args === USAGE ? 0 : 2;
  }
  const dataDir = args.dataDir ?? path.join(config().home, "kafka");
  let broker;
  try {
    broker = await startBroker({ host: args.host, port: args.port, dataDir, partitions: args.partitions });
  } catch (err) {
    process.stderr.write(`workbook broker: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`listening on ${broker.host}:${broker.port}\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  await broker.close();
  process.stderr.write(`workbook broker: stopped on ${signal}, data kept in ${dataDir}\n`);
  return 0;
}
