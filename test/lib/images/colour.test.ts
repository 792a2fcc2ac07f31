import { test } from "node:test";
import assert from "node:assert/strict";
import { colourDistance, hueName, parseHex, rgbToHex, rgbToHsl } from "../../../lib/images/colour";

test("hex and RGB convert both ways, with rounding and clamping", () => {
  assert.equal(rgbToHex([255, 127.6, -3]), "#ff8000");
  assert.deepEqual(parseHex("#ff8000"), [255, 128, 0]);
  assert.deepEqual(parseHex("f80"), [255, 136, 0]);
  assert.equal(parseHex("orange"), undefined);
});

test("hueName puts colours in their family and greys apart", () => {
  assert.equal(hueName([220, 30, 30]), "red");
  assert.equal(hueName([240, 140, 30]), "orange");
  assert.equal(hueName([40, 150, 70]), "green");
  assert.equal(hueName([40, 70, 200]), "blue");
  assert.equal(hueName([130, 70, 190]), "purple");
  assert.equal(hueName([230, 80, 170]), "pink");
  assert.equal(hueName([240, 20, 60]), "red");
  assert.equal(hueName([10, 10, 12]), "black");
  assert.equal(hueName([250, 250, 250]), "white");
  assert.equal(hueName([120, 125, 120]), "grey");
  assert.equal(rgbToHsl([0, 0, 255]).hue, 240);
});

test("colourDistance is the Euclidean RGB distance", () => {
  assert.equal(colourDistance([0, 0, 0], [3, 4, 0]), 5);
  assert.equal(colourDistance([10, 20, 30], [10, 20, 30]), 0);
});
