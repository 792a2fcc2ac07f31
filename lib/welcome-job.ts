/** The job the welcome notebook runs on the local worker pool: squares a number, saying which process did it. */
import { defineJob } from "./jobs/job";

export const job = defineJob<{ n: number }, { n: number; square: number; pid: number }>({
  name: "welcome-square",
  map: (r) => ({ n: r.n, square: r.n * r.n, pid: process.pid }),
});
