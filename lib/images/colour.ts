/** Colour helpers: hex and RGB, hue, named hue families, distance. Plain functions, no engines. */

export type Rgb = [number, number, number];

/** `[255, 128, 0]` -> `"#ff8000"` (channels rounded and clamped to 0..255). */
export function rgbToHex(rgb: readonly number[]): string {
  return "#" + rgb.slice(0, 3).map((c) => Math.max(0, Math.min(255, Math.round(c))).toString(16).padStart(2, "0")).join("");
}

/** `"#ff8000"` or `"ff8000"` or `"#f80"` -> `[255, 128, 0]`; undefined when it is not a hex colour. */
export function parseHex(hex: string): Rgb | undefined {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return undefined;
  const h = m[1].length === 3 ? m[1].split("").map((c) => c + c).join("") : m[1];
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

/** Hue in degrees (0..360), saturation and lightness (0..1) of an RGB colour. */
export function rgbToHsl([r, g, b]: readonly number[]): { hue: number; saturation: number; lightness: number } {
  const [rn, gn, bn] = [r / 255, g / 255, b / 255];
  const max = Math.max(rn, gn, bn);
  const min = Math.min(rn, gn, bn);
  const lightness = (max + min) / 2;
  const d = max - min;
  if (d === 0) return { hue: 0, saturation: 0, lightness };
  const saturation = d / (1 - Math.abs(2 * lightness - 1));
  let hue: number;
  if (max === rn) hue = ((gn - bn) / d) % 6;
  else if (max === gn) hue = (bn - rn) / d + 2;
  else hue = (rn - gn) / d + 4;
  hue = (hue * 60 + 360) % 360;
  return { hue, saturation, lightness };
}

/** Hue families and where they end on the colour wheel (degrees; red wraps around 360). */
export const HUE_FAMILIES: readonly { name: string; until: number }[] = [
  { name: "red", until: 15 }, { name: "orange", until: 45 }, { name: "yellow", until: 70 }, { name: "green", until: 165 },
  { name: "cyan", until: 195 }, { name: "blue", until: 255 }, { name: "purple", until: 290 }, { name: "pink", until: 345 },
  { name: "red", until: 360 },
];

/** Names hueName can give. */
export const HUE_NAMES = ["red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink", "black", "white", "grey"] as const;

/**
 * A colour's family for grouping: "black", "white" or "grey" when it has (almost) no hue,
 * otherwise red, orange, yellow, green, cyan, blue, purple or pink.
 */
export function hueName(rgb: readonly number[]): string {
  const { hue, saturation, lightness } = rgbToHsl(rgb);
  if (lightness < 0.15) return "black";
  if (lightness > 0.92) return "white";
  if (saturation < 0.15) return "grey";
  return HUE_FAMILIES.find((f) => hue < f.until)?.name ?? "red";
}

/** Euclidean distance between two RGB colours (0 .. about 441.7). */
export function colourDistance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
