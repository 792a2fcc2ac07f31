/**
 * k-means on RGB pixels: k-means++ seeding from a seeded generator, then Lloyd's iterations by
 * ml-kmeans. The seeding is done here over typed arrays: ml-kmeans's own k-means++ builds an
 * ml-matrix per candidate and takes about 80 % of the time on a 100-pixel image; this is the same
 * greedy k-means++ (2 + ln k candidates per centre, the best kept), so the result only depends on
 * the pixels, k and the seed.
 */
type MlKmeans = typeof import("ml-kmeans");
let mlKmeans: MlKmeans | undefined;

export interface ClusterOptions {
  /** Number of clusters. */
  k: number;
  /** Seed of the k-means++ seeding. Default 42. */
  seed?: number;
  /** Maximum Lloyd iterations. Default 100. */
  maxIterations?: number;
  /** Stop when no centre moves more than this squared RGB distance. Default 0.25 (half a level). */
  tolerance?: number;
}

export interface Cluster {
  /** Centre, channels 0..255 (not rounded). */
  centre: [number, number, number];
  /** Pixels assigned to it. */
  count: number;
}

export interface ClusterResult {
  /** Non-empty clusters, in no particular order. */
  clusters: Cluster[];
  /** Lloyd iterations run (0 when the image has k or fewer distinct colours). */
  iterations: number;
}

import { seededRandom } from "../random";

/** Re-exported for existing importers; defined in lib/random.ts. */
export { seededRandom };

function squared(p: number[], q: number[]): number {
  const a = p[0] - q[0];
  const b = p[1] - q[1];
  const c = p[2] - q[2];
  return a * a + b * b + c * c;
}

/** Clusters `pixels` (RGB triples, 3 bytes each) into at most `k` colours. */
export function clusterPixels(pixels: Uint8Array, options: ClusterOptions): ClusterResult {
  const { k, seed = 42, maxIterations = 100, tolerance = 0.25 } = options;
  const n = Math.floor(pixels.length / 3);
  if (n === 0) return { clusters: [], iterations: 0 };

  // k or fewer distinct colours: the exact answer, no clustering needed.
  const distinct = new Map<number, number>();
  for (let i = 0; i < n && distinct.size <= k; i++) {
    const key = (pixels[3 * i] << 16) | (pixels[3 * i + 1] << 8) | pixels[3 * i + 2];
    distinct.set(key, (distinct.get(key) ?? 0) + 1);
  }
  if (distinct.size <= k) {
    const clusters = [...distinct].map(([key, count]): Cluster => ({ centre: [key >> 16, (key >> 8) & 255, key & 255], count }));
    return { clusters, iterations: 0 };
  }

  const points: number[][] = new Array(n);
  for (let i = 0; i < n; i++) points[i] = [pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2]];
  const initial = kmeansPlusPlus(pixels, n, k, seededRandom(seed));
  mlKmeans ??= require("ml-kmeans") as MlKmeans;
  const result = mlKmeans.kmeans(points, k, { initialization: initial, maxIterations, tolerance, distanceFunction: squared });

  const counts = new Array<number>(k).fill(0);
  for (const c of result.clusters) counts[c]++;
  const clusters: Cluster[] = [];
  for (let c = 0; c < k; c++) {
    if (counts[c] > 0) clusters.push({ centre: result.centroids[c].slice(0, 3) as [number, number, number], count: counts[c] });
  }
  return { clusters, iterations: result.iterations };
}

/** Greedy k-means++ (Arthur and Vassilvitskii 2007, with 2 + ln k local trials). */
function kmeansPlusPlus(px: Uint8Array, n: number, k: number, random: () => number): number[][] {
  const trials = 2 + Math.floor(Math.log(k));
  const centres: number[][] = [];
  const pick = (i: number) => [px[3 * i], px[3 * i + 1], px[3 * i + 2]];
  const distancesTo = (c: number[], into: Float64Array, bound: Float64Array | undefined): number => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const a = px[3 * i] - c[0];
      const b = px[3 * i + 1] - c[1];
      const d = px[3 * i + 2] - c[2];
      let v = a * a + b * b + d * d;
      if (bound && bound[i] < v) v = bound[i];
      into[i] = v;
      total += v;
    }
    return total;
  };

  centres.push(pick(Math.floor(random() * n)));
  let closest = new Float64Array(n);
  let potential = distancesTo(centres[0], closest, undefined);
  let candidate = new Float64Array(n);
  let best = new Float64Array(n);
  while (centres.length < k) {
    let bestPotential = Infinity;
    let bestIndex = -1;
    for (let t = 0; t < trials; t++) {
      // Sample a pixel with probability proportional to its squared distance to the nearest centre.
      let target = random() * potential;
      let index = n - 1;
      for (let i = 0; i < n; i++) {
        target -= closest[i];
        if (target < 0) { index = i; break; }
      }
      const p = distancesTo(pick(index), candidate, closest);
      if (p < bestPotential) {
        bestPotential = p;
        bestIndex = index;
        [best, candidate] = [candidate, best];
      }
    }
    centres.push(pick(bestIndex));
    [closest, best] = [best, closest];
    potential = bestPotential;
  }
  return centres;
}
