/**
 * A small language for Kafka message layouts, and one generic codec that reads and writes any
 * message in any version from its layout.
 *
 * A layout is a list of fields; each field says in which versions it is present, in which it may be
 * null, and whether it is a tagged field (KIP-482). In a "flexible" version strings, bytes and
 * arrays are compact (unsigned varint length + 1, 0 for null) and every struct ends with a
 * tagged-field section; older versions use int16 string lengths and int32 byte and array lengths
 * (-1 for null). The layouts themselves, one per API, are in messages.ts.
 */
import { ProtocolError, Reader, Writer } from "./codec";

/** Inclusive version range; `to` is Infinity for "n+". */
export interface VersionRange {
  from: number;
  to: number;
}

export type ScalarType = "int8" | "int16" | "int32" | "int64" | "bool" | "string" | "bytes" | "records" | "uuid";
export type FieldType = ScalarType | { array: FieldType } | { struct: readonly Field[] };

export interface Field {
  name: string;
  type: FieldType;
  versions: VersionRange;
  /** Versions in which the value may be null (strings, bytes, records, arrays, structs). */
  nullable?: VersionRange;
  /** Tag number when this is a tagged field (it then lives in the tagged-field section). */
  tag?: number;
  /** Value when absent in a version (or when a tagged field is not sent). */
  default?: unknown;
}

/** "3+" or "0-7" or "1" to a range. */
export function versions(spec: string): VersionRange {
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return { from: Number(plus[1]), to: Infinity };
  const range = /^(\d+)-(\d+)$/.exec(spec);
  if (range) return { from: Number(range[1]), to: Number(range[2]) };
  if (/^\d+$/.test(spec)) return { from: Number(spec), to: Number(spec) };
  throw new Error(`bad version range "${spec}"`);
}

export function inRange(range: VersionRange | undefined, v: number): boolean {
  return range !== undefined && v >= range.from && v <= range.to;
}

/** Field options: nullable versions, tag and default. */
export interface FieldOptions {
  nullable?: string;
  tag?: number;
  default?: unknown;
}

/** One field: `field("throttleTimeMs", "int32", "1+")`. */
export function field(name: string, type: FieldType, spec: string, options: FieldOptions = {}): Field {
  const f: Field = { name, type, versions: versions(spec) };
  if (options.nullable !== undefined) f.nullable = versions(options.nullable);
  if (options.tag !== undefined) f.tag = options.tag;
  if (options.default !== undefined) f.default = options.default;
  return f;
}

/** An array of structs (given their fields) or of a scalar type. */
export function arrayOf(item: readonly Field[] | FieldType): FieldType {
  return Array.isArray(item) ? { array: { struct: item as readonly Field[] } } : { array: item as FieldType };
}

export function struct(fields: readonly Field[]): FieldType {
  return { struct: fields };
}

/** One API: the versions this broker serves, the first flexible version, and both layouts. */
export interface ApiSchema {
  key: number;
  name: string;
  /** Versions this broker advertises. */
  min: number;
  max: number;
  /** First flexible version (Infinity when none is served). */
  flexibleFrom: number;
  request: readonly Field[];
  response: readonly Field[];
}

/** A decoded message: field names to values (numbers, strings, Buffers, arrays, nested messages). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Message = Record<string, any>;

const ZERO_UUID = "00000000000000000000000000000000";

/** The value of a field that is absent in a version. */
export function defaultValue(f: Field): unknown {
  if (f.default !== undefined) return f.default;
  const t = f.type;
  if (typeof t === "string") {
    switch (t) {
      case "bool":
        return false;
      case "string":
        return "";
      case "bytes":
        return Buffer.alloc(0);
      case "records":
        return null;
      case "uuid":
        return ZERO_UUID;
      default:
        return 0;
    }
  }
  return "array" in t ? [] : null;
}

function decodeValue(t: FieldType, nullable: boolean, v: number, flexible: boolean, r: Reader, name: string): unknown {
  if (typeof t === "string") {
    switch (t) {
      case "int8":
        return r.int8();
      case "int16":
        return r.int16();
      case "int32":
        return r.int32();
      case "int64":
        return r.int64();
      case "bool":
        return r.bool();
      case "uuid":
        return r.raw(16).toString("hex");
      case "string": {
        const s = flexible ? r.compactNullableString() : r.nullableString();
        if (s === null && !nullable) throw new ProtocolError(`${name}: null in a non-nullable string`);
        return s;
      }
      case "bytes":
      case "records": {
        const b = flexible ? r.compactBytes() : r.bytes();
        if (b === null && !nullable) throw new ProtocolError(`${name}: null in non-nullable bytes`);
        return b;
      }
    }
  }
  if ("array" in t) {
    const n = flexible ? r.uvarint() - 1 : r.int32();
    if (n < 0) {
      if (!nullable) throw new ProtocolError(`${name}: null in a non-nullable array`);
      return null;
    }
    if (n > r.remaining()) throw new ProtocolError(`${name}: array of ${n} items in ${r.remaining()} bytes`);
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = decodeValue(t.array, false, v, flexible, r, name);
    return out;
  }
  if (flexible && nullable && r.int8() < 0) return null;
  return decodeStruct(t.struct, v, flexible, r);
}

/** Reads one struct (or a whole message body) of version `v`. */
export function decodeStruct(fields: readonly Field[], v: number, flexible: boolean, r: Reader): Message {
  const out: Message = {};
  let tagged: Field[] | null = null;
  for (const f of fields) {
    if (!inRange(f.versions, v)) {
      out[f.name] = defaultValue(f);
    } else if (f.tag !== undefined) {
      out[f.name] = defaultValue(f);
      if (flexible) (tagged ??= []).push(f);
    } else {
      out[f.name] = decodeValue(f.type, inRange(f.nullable, v), v, flexible, r, f.name);
    }
  }
  if (flexible) {
    const n = r.uvarint();
    for (let i = 0; i < n; i++) {
      const tag = r.uvarint();
      const size = r.uvarint();
      const known = tagged?.find((f) => f.tag === tag);
      if (!known) {
        r.raw(size); // a tag this broker does not know: skipped, as Kafka does
        continue;
      }
      const sub = new Reader(r.raw(size));
      out[known.name] = decodeValue(known.type, inRange(known.nullable, v), v, flexible, sub, known.name);
    }
  }
  return out;
}

function encodeValue(t: FieldType, nullable: boolean, v: number, flexible: boolean, w: Writer, value: unknown, name: string): void {
  if (value === null && !nullable) throw new Error(`${name}: null is not allowed in version ${v}`);
  if (typeof t === "string") {
    switch (t) {
      case "int8":
        w.int8(value as number);
        return;
      case "int16":
        w.int16(value as number);
        return;
      case "int32":
        w.int32(value as number);
        return;
      case "int64":
        w.int64(value as number);
        return;
      case "bool":
        w.bool(value as boolean);
        return;
      case "uuid":
        w.raw(Buffer.from(value as string, "hex"));
        return;
      case "string":
        if (flexible) w.compactString(value as string | null);
        else w.string(value as string | null);
        return;
      case "bytes":
      case "records": {
        // Records may be given as several pieces written under one length prefix.
        const parts = value === null ? null : Array.isArray(value) ? (value as Uint8Array[]) : [value as Uint8Array];
        if (flexible) w.compactBytesList(parts);
        else w.bytesList(parts);
        return;
      }
    }
  }
  if ("array" in t) {
    const items = value as readonly unknown[] | null;
    if (items === null) {
      if (flexible) w.uvarint(0);
      else w.int32(-1);
      return;
    }
    if (flexible) w.uvarint(items.length + 1);
    else w.int32(items.length);
    for (const item of items) encodeValue(t.array, false, v, flexible, w, item, name);
    return;
  }
  if (flexible && nullable) {
    w.int8(value === null ? -1 : 1);
    if (value === null) return;
  }
  encodeStruct(t.struct, v, flexible, w, value as Message);
}

function isDefault(f: Field, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  const d = defaultValue(f);
  if (Array.isArray(value)) return value.length === 0;
  return value === d;
}

/** Writes one struct (or a whole message body) of version `v`; missing fields take their default. */
export function encodeStruct(fields: readonly Field[], v: number, flexible: boolean, w: Writer, msg: Message): void {
  let tagged: Field[] | null = null;
  for (const f of fields) {
    if (!inRange(f.versions, v)) continue;
    if (f.tag !== undefined) {
      if (flexible && !isDefault(f, msg[f.name])) (tagged ??= []).push(f);
      continue;
    }
    const value = msg[f.name];
    encodeValue(f.type, inRange(f.nullable, v), v, flexible, w, value === undefined ? defaultValue(f) : value, f.name);
  }
  if (!flexible) return;
  if (!tagged) {
    w.uvarint(0);
    return;
  }
  tagged.sort((a, b) => (a.tag as number) - (b.tag as number));
  w.uvarint(tagged.length);
  for (const f of tagged) {
    const sub = new Writer(64);
    encodeValue(f.type, inRange(f.nullable, v), v, flexible, sub, msg[f.name], f.name);
    const bytes = sub.toBuffer();
    w.uvarint(f.tag as number).uvarint(bytes.length).raw(bytes);
  }
}

export function isFlexibleVersion(api: ApiSchema, v: number): boolean {
  return v >= api.flexibleFrom;
}

export function decodeRequest(api: ApiSchema, v: number, r: Reader): Message {
  return decodeStruct(api.request, v, isFlexibleVersion(api, v), r);
}

export function encodeResponse(api: ApiSchema, v: number, msg: Message, w = new Writer()): Writer {
  encodeStruct(api.response, v, isFlexibleVersion(api, v), w, msg);
  return w;
}
