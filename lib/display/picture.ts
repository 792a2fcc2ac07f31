/**
 * A picture for a notebook: SVG for viewers that trust the notebook, and a PNG of the same picture
 * beside it, so an executed copy opened "Not Trusted" (Jupyter drops untrusted SVG), on GitHub or
 * in any other viewer still shows it. The PNG is rendered by sharp (librsvg) at 2x for sharp text.
 */
import type { MimeBundle } from "./output";

/** Renders SVG text to PNG bytes. */
export async function svgToPng(svg: string, options: { scale?: number } = {}): Promise<Buffer> {
  const sharp = (await import("sharp")).default;
  return sharp(Buffer.from(svg), { density: 72 * (options.scale ?? 2) }).flatten({ background: "#ffffff" }).png({ compressionLevel: 9 }).toBuffer();
}

/** The bundle of a picture: image/svg+xml, image/png (base64) and a text form. */
export async function pictureBundle(svg: string, text: string): Promise<MimeBundle> {
  const png = await svgToPng(svg);
  return { "image/svg+xml": svg, "image/png": png.toString("base64"), "text/plain": text };
}
