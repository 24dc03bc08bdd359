/**
 * Rewrites the declared shapes of an ONNX graph's inputs and outputs, so that a model exported with a
 * fixed input size (as CenterFace's published file is) accepts any size. It edits the protobuf
 * directly, following only the path ModelProto.graph → GraphProto.input/output → ValueInfoProto.type
 * → TypeProto.tensor_type → shape → dim, and copies every other byte unchanged.
 */

/** A dimension: a fixed size, or a symbolic name that makes it dynamic. */
export type Dim = number | string;

interface Field {
  field: number;
  wire: number;
  /** Offsets of the whole field (tag included) and of its payload. */
  start: number;
  end: number;
  payloadStart: number;
}

const GRAPH = 7;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const DIM_PARAM = 2;

function readVarint(buf: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  let mul = 1;
  for (let i = pos; i < buf.length; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * mul;
    mul *= 128;
    if ((b & 0x80) === 0) return [value, i + 1];
    if (i - pos > 9) break;
  }
  throw new Error('not a valid ONNX file (bad varint)');
}

function writeVarint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return Uint8Array.from(out);
}

function parseFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let payloadStart = afterTag;
    let end: number;
    if (wire === 0) end = readVarint(buf, afterTag)[1];
    else if (wire === 1) end = afterTag + 8;
    else if (wire === 5) end = afterTag + 4;
    else if (wire === 2) {
      const [len, next] = readVarint(buf, afterTag);
      payloadStart = next;
      end = next + len;
    } else throw new Error(`not a valid ONNX file (wire type ${wire})`);
    if (end > buf.length) throw new Error('not a valid ONNX file (truncated)');
    fields.push({ field, wire, start, end, payloadStart });
    pos = end;
  }
  return fields;
}

function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  return concat([writeVarint(field * 8 + 2), writeVarint(payload.length), payload]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Rebuilds `buf`, replacing each length-delimited field that `edit` returns new bytes for. */
function rewrite(buf: Uint8Array, edit: (f: Field, payload: Uint8Array) => Uint8Array | undefined): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of parseFields(buf)) {
    const replaced = f.wire === 2 ? edit(f, buf.subarray(f.payloadStart, f.end)) : undefined;
    parts.push(replaced ? lengthDelimited(f.field, replaced) : buf.subarray(f.start, f.end));
  }
  return concat(parts);
}

function encodeShape(dims: readonly Dim[]): Uint8Array {
  return concat(
    dims.map((d) => {
      const dim =
        typeof d === 'number'
          ? concat([writeVarint(DIM_VALUE * 8), writeVarint(d)])
          : lengthDelimited(DIM_PARAM, new TextEncoder().encode(d));
      return lengthDelimited(SHAPE_DIM, dim);
    }),
  );
}

function valueInfoName(payload: Uint8Array): string | undefined {
  const f = parseFields(payload).find((x) => x.field === VALUE_INFO_NAME && x.wire === 2);
  return f ? new TextDecoder().decode(payload.subarray(f.payloadStart, f.end)) : undefined;
}

function rewriteValueInfo(payload: Uint8Array, dims: readonly Dim[]): Uint8Array {
  return rewrite(payload, (f, typeProto) =>
    f.field !== VALUE_INFO_TYPE
      ? undefined
      : rewrite(typeProto, (t, tensor) =>
          t.field !== TYPE_TENSOR
            ? undefined
            : rewrite(tensor, (s) => (s.field === TENSOR_SHAPE ? encodeShape(dims) : undefined)),
        ),
  );
}

/** Returns a copy of the model in which the named graph inputs and outputs have the given shapes. */
export function setGraphDims(model: Uint8Array, shapes: Readonly<Record<string, readonly Dim[]>>): Uint8Array {
  const seen = new Set<string>();
  const result = rewrite(model, (f, graph) =>
    f.field !== GRAPH
      ? undefined
      : rewrite(graph, (g, info) => {
          if (g.field !== GRAPH_INPUT && g.field !== GRAPH_OUTPUT) return undefined;
          const name = valueInfoName(info);
          const dims = name === undefined ? undefined : shapes[name];
          if (!dims || name === undefined) return undefined;
          seen.add(name);
          return rewriteValueInfo(info, dims);
        }),
  );
  const missing = Object.keys(shapes).filter((n) => !seen.has(n));
  if (missing.length > 0) throw new Error(`the model has no graph input or output named ${missing.join(', ')}`);
  return result;
}
