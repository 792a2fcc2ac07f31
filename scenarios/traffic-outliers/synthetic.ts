/**
 * A small synthetic traffic series for tests and exercises: a daily shape (quiet nights, morning
 * and evening banks), quieter weekends, and seeded Poisson-like noise; starts on a Monday.
 */
import { seededRandom } from "../../lib/random";
import { HOUR_MS } from "./detectors";
import type { Point } from "./detect";

const SHAPE = [1, 0, 0, 0, 1, 4, 12, 20, 22, 18, 16, 17, 18, 17, 16, 18, 20, 22, 20, 15, 10, 6, 3, 2];

export function syntheticSeries(options: { airports?: string[]; weeks?: number; seed?: number; start?: string; level?: number } = {}): Point[] {
  const airports = options.airports ?? ["AAA"];
  const hours = (options.weeks ?? 6) * 168;
  const start = Date.parse(options.start ?? "2001-01-01T00:00:00Z");
  const random = seededRandom(options.seed ?? 1);
  const points: Point[] = [];
  for (let h = 0; h < hours; h++) {
    const t = start + h * HOUR_MS;
    const d = new Date(t);
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 0.7 : 1;
    airports.forEach((airport, i) => {
      const mean = SHAPE[d.getUTCHours()] * weekend * (options.level ?? 1) * (1 + i * 0.5);
      // normal approximation of a Poisson count (Box-Muller)
      const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      points.push({ airport, hour: t, departures: Math.max(0, Math.round(mean + Math.sqrt(mean) * z)) });
    });
  }
  return points;
}
