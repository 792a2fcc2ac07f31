import { test } from "node:test";
import assert from "node:assert/strict";
import { swatchesSvg, swatchesText } from "../../../scenarios/image-kmeans/swatches";

const colours = [
  { hex: "#ff0000", r: 255, g: 0, b: 0, share: 0.75, hue: "red" },
  { hex: "#0000ff", r: 0, g: 0, b: 255, share: 0.25, hue: "blue" },
];

test("swatchesSvg draws each colour as wide as its share, one bar per image", () => {
  const svg = swatchesSvg([{ uri: "/x/one.png", colours }, { uri: "gs://b/two<&>.png", colours: colours.slice(1) }], { width: 200, labelWidth: 100 });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="300" height="68"/);
  assert.match(svg, /<rect x="100.0" y="0" width="150.0" height="28" fill="#ff0000"><title>#ff0000 75.0 %<\/title>/);
  assert.match(svg, /<rect x="250.0" y="0" width="50.0" height="28" fill="#0000ff">/);
  assert.match(svg, />one\.png</);
  assert.match(svg, />two&#60;&#38;&#62;\.png</);
  assert.equal((svg.match(/<rect /g) ?? []).length, 3);
});

test("swatchesText lists each image's colours with their share", () => {
  assert.equal(swatchesText([{ uri: "/x/one.png", colours }]), "one.png                #ff0000 75%  #0000ff 25%");
});
