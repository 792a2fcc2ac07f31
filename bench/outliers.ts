/**
 * Outliers benchmark (npm run bench:outliers [airports]): the traffic-outliers detection over every
 * airport of vega-datasets' flights-3m (229 airports x 4345 hours, about a million points).
 * 1. Stream, with the broker in the loop: the embedded broker runs as a child process (as a real
 *    broker would be another process); the points are produced into a topic first (timed on its
 *    own), then the stream detector reads them from the broker, validates them, closes the hourly
 *    windows, scores every point (seasonal MAD), and publishes alerts and resolutions to the alerts
 *    topic, checkpointing after each batch. Points/s = points scored / seconds from start to the
 *    last batch committed (goal: 100,000 points/s).
 * 2. Baseline: the same detection as one batch SQL query in DuckDB (batchAlertsSql) over the same
 *    hourly table; its alerts must equal the stream's.
 * Ends with `RESULT outliers points_per_s=<stream> points/s baseline=<sql> ratio=<stream/sql>`.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { startBroker } from "../lib/kafka";
import { progress } from "../lib/progress";
import { openWarehouse } from "../lib/warehouse";
import { loadTraffic, readSeries } from "../scenarios/traffic-outliers/series";
import { replayPoints } from "../scenarios/traffic-outliers/producer";
import { startTrafficDetector } from "../scenarios/traffic-outliers/stream";
import { readAlerts } from "../scenarios/traffic-outliers/consumer";
import { batchAlerts } from "../scenarios/traffic-outliers/batch";

const AIRPORTS = Number(process.argv[2] ?? 229);

async function brokerChild(): Promise<void> {
  const broker = await startBroker({});
  process.stdout.write(`${JSON.stringify({ brokers: broker.brokers })}\n`);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once("end", resolve));
  await broker.close();
}

async function main(): Promise<void> {
  process.env.TZ = "UTC";
  const steps = progress({ total: 5, label: "bench:outliers" });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-outliers-"));
  const child = spawn(process.execPath, [__filename, "--child"], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const wh = await openWarehouse({ memory: true });
  try {
    const brokers = await new Promise<string>((resolve, reject) => {
      let text = "";
      child.stdout!.on("data", (d: Buffer) => {
        text += d.toString();
        if (text.includes("\n")) resolve((JSON.parse(text.slice(0, text.indexOf("\n"))) as { brokers: string }).brokers);
      });
      void exited.then(() => reject(new Error("the broker child exited before answering")));
    });
    const kafka = new Kafka({ brokers: [brokers], clientId: "bench-outliers", logLevel: logLevel.NOTHING });
    const load = await loadTraffic(wh, { top: AIRPORTS });
    const points = await readSeries(wh);
    steps.tick(1, `${points.length} points of ${load.series.length} airports`);

    const topic = "bench-points";
    const alertsTopic = "bench-alerts";
    const produced = await replayPoints({ kafka, topic, points, batchSize: 1000 });
    steps.tick(1, "produced");

    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const detector = await startTrafficDetector({ kafka, topic, alertsTopic, checkpointDir: path.join(dir, "checkpoint"), triggerMs: 100 });
    await detector.processor.finish({ timeoutMs: 600_000 });
    const streamS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    const stats = detector.processor.stats();
    const scored = detector.sink.points;
    await detector.close();
    steps.tick(1, "stream");
    const alerts = (await readAlerts(kafka, alertsTopic, { timeoutMs: 120_000 })).filter((a) => a.type === "alert");

    const t1 = performance.now();
    const rows = await batchAlerts(wh);
    const sqlS = (performance.now() - t1) / 1000;
    steps.tick(1, "batch SQL");
    const a = alerts.map((x) => `${x.airport} ${x.started_at} ${x.at}`).sort();
    const b = rows.map((r) => `${r.airport} ${r.started_at.toISOString()} ${r.fired_at.toISOString()}`).sort();
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`the stream's ${a.length} alerts differ from the batch query's ${b.length}`);
    steps.done();

    const pps = scored / streamS;
    const sqlPps = points.length / sqlS;
    console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} cores (a shared machine runs everything slower)`);
    console.log(`${load.flights} flights -> ${points.length} points (${load.series.length} airports x ${points.length / load.series.length} hours)`);
    console.log(`produced ${produced.sent} messages in ${(produced.durationMs / 1000).toFixed(2)} s (${(produced.sent / (produced.durationMs / 1000)).toFixed(0)} msg/s)`);
    console.log(`stream: ${scored} points scored in ${stats.batches} batches, ${streamS.toFixed(2)} s (read from the broker, windows, detector, ${alerts.length} alerts to the alerts topic, checkpoint per batch)`);
    console.log(`stream CPU time of this process (consumer, windows, detector, producer of alerts; the broker's is not counted): ${cpuS.toFixed(2)} s, ${(scored / cpuS).toFixed(0)} points per CPU-second`);
    console.log(`batch SQL in DuckDB: ${sqlS.toFixed(2)} s, the same ${rows.length} alerts`);
    console.log(`RESULT outliers points_per_s=${pps.toFixed(0)} points/s baseline=${sqlPps.toFixed(0)} ratio=${(pps / sqlPps).toFixed(2)}`);
  } finally {
    await wh.close();
    child.stdin!.end();
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") {
  void brokerChild();
} else {
  main().catch((err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
