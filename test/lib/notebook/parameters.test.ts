import assert from "node:assert/strict";
import { test } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import { type Notebook, joinSource } from "../../../lib/notebook/nbformat";
import { declaredParameters, injectParameters, isIdentifier, mergeParameters, parseParameterValue, renderParameters, renderValue } from "../../../lib/notebook/parameters";

test("-p values are typed as papermill types them", () => {
  assert.equal(parseParameterValue("True"), true);
  assert.equal(parseParameterValue("false"), false);
  for (const n of ["None", "none", "null"]) assert.equal(parseParameterValue(n), null);
  assert.equal(parseParameterValue("42"), 42);
  assert.equal(parseParameterValue("-7"), -7);
  assert.equal(parseParameterValue("-2.5"), -2.5);
  assert.equal(parseParameterValue("1e3"), 1000);
  assert.ok(Number.isNaN(parseParameterValue("nan") as number));
  assert.equal(parseParameterValue("-inf"), -Infinity);
  assert.equal(parseParameterValue("12abc"), "12abc");
  assert.equal(parseParameterValue("TRUE"), "TRUE", "only True/true are booleans");
  assert.equal(parseParameterValue(""), "");
});

test("values render as TypeScript expressions", () => {
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  assert.equal(renderValue('quote " and ✓ and \n newline', warn), JSON.stringify('quote " and ✓ and \n newline'));
  assert.equal(renderValue(NaN), "NaN");
  assert.equal(renderValue(-Infinity), "-Infinity");
  assert.equal(renderValue([1, "a", null, [true]]), '[1, "a", null, [true]]');
  assert.equal(renderValue({ "a b": { c: [] } }), '{"a b": {"c": []}}');
  assert.equal(warnings.length, 0);
  assert.equal(renderValue(2 ** 60, warn), String(2 ** 60));
  assert.match(warnings[0], /beyond 2\^53/);
  assert.throws(() => renderValue(new Date() as never), /plain data/);
});

test("declared parameters give name, type, default and help", () => {
  const src = 'let url = "http://example.com/a;b"; // where // to look\nconst k: number = 5;\nlet ratio = -0.5; /* a float */\nlet flags = [true];\nlet n = null;\n';
  const params = declaredParameters(src);
  assert.deepEqual(params.map((p) => [p.name, p.type, p.annotated, p.default, p.help]), [
    ["url", "string", false, '"http://example.com/a;b"', "where // to look"],
    ["k", "number", true, "5", ""],
    ["ratio", "number", false, "-0.5", "a float"],
    ["flags", "array", false, "[true]", ""],
    ["n", "null", false, "null", ""],
  ]);
});

test("the injected cell keeps declared and primitive types so a wrong type fails to compile", () => {
  const declared = declaredParameters('let k = 5;\nlet names: string[] = [];\nlet any = null;\n');
  assert.equal(renderParameters({ k: "x", names: ["a"], any: 1 }, declared), '// Parameters\nlet k: number = "x";\nlet names: string[] = ["a"];\nlet any = 1;\n');
});

test("names must be identifiers; later sources win", () => {
  assert.ok(isIdentifier("image_count"));
  assert.ok(!isIdentifier("2fast"));
  assert.ok(!isIdentifier("class"));
  assert.ok(!isIdentifier("a-b"));
  assert.deepEqual(mergeParameters({ yamls: ["{a: 1, b: 1}"], params: [["a", "2"]], raws: [["a", "3"]] }), { a: "3", b: 1 });
  assert.throws(() => mergeParameters({ params: [["bad name", "1"]] }), (e) => isWorkbookError(e, "PARAMETERS_INVALID") && /"bad name"/.test(e.message));
  assert.throws(() => mergeParameters({ yamls: ["[1, 2]"] }), /must be a mapping/);
  assert.throws(() => mergeParameters({ files: ["/no/such/params.yaml"] }), /Cannot read the parameters file/);
});

test("injection replaces an earlier injected cell and warns about undeclared names", () => {
  const nb: Notebook = {
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: [
      { id: "a", cell_type: "code", metadata: { tags: ["parameters"] }, source: "let k = 1;", outputs: [], execution_count: null },
      { id: "b", cell_type: "code", metadata: { tags: ["injected-parameters"] }, source: "let k = 2;", outputs: [], execution_count: null },
      { id: "c", cell_type: "code", metadata: {}, source: "k", outputs: [], execution_count: null },
    ],
  };
  const warnings: string[] = [];
  const out = injectParameters(nb, { k: 3, extra: "x" }, (m) => warnings.push(m));
  assert.deepEqual(out.cells.map((c) => c.id === "a" || c.id === "c" ? c.id : "new"), ["a", "new", "c"]);
  assert.match(joinSource(out.cells[1].source), /let k: number = 3;/);
  assert.match(warnings.join("\n"), /"extra" is not declared/);
  assert.equal(injectParameters(nb, {}), nb, "no parameters: unchanged");
});
