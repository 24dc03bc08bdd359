/**
 * Reading, editing and writing ONNX models through `onnx-proto` (protobufjs code generated from ONNX's
 * own onnx.proto, MIT), so that no code of ours parses the protobuf wire format.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
export type Model = onnxProto.onnx.ModelProto;
export type Graph = onnxProto.onnx.GraphProto;
export type Node = onnxProto.onnx.INodeProto;

/** A dimension: a fixed size, or a symbolic name that makes it dynamic. */
export type Dim = number | string;

/**
 * Parses ONNX model bytes.
 * @throws Error "not a valid ONNX file" when the bytes are not a ModelProto with a graph.
 */
export function decodeModel(bytes: Uint8Array): Model {
  let model: Model;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new Error(`not a valid ONNX file (${(err as Error).message})`);
  }
  if (!model.graph) throw new Error('not a valid ONNX file (no graph)');
  return model;
}

/**
 * Serializes a model. protobufjs writes fields in schema order and repeated numbers packed, so the
 * bytes can differ from the exporter's while meaning the same; they are the same for the same model.
 */
export function encodeModel(model: Model): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** The model's graph (decodeModel guarantees one). */
export function graphOf(model: Model): Graph {
  return model.graph as Graph;
}

function shapeOf(dims: readonly Dim[]): onnxProto.onnx.ITensorShapeProto {
  return { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
}

/**
 * Gives the named graph inputs and outputs the given shapes (e.g. a fixed [10,3,32,32] input
 * becomes ['B',3,'H','W']), in place.
 * @throws Error naming every key of `shapes` that is neither a graph input nor a graph output.
 */
function setDims(model: Model, shapes: Readonly<Record<string, readonly Dim[]>>): void {
  const g = graphOf(model);
  const seen = new Set<string>();
  for (const info of [...g.input, ...g.output]) {
    const name = info.name ?? '';
    const dims = shapes[name];
    const tensor = info.type?.tensorType;
    if (!dims || !tensor) continue;
    tensor.shape = onnx.TensorShapeProto.create(shapeOf(dims));
    seen.add(name);
  }
  const missing = Object.keys(shapes).filter((n) => !seen.has(n));
  if (missing.length > 0) throw new Error(`the model has no graph input or output named ${missing.join(', ')}`);
}

/** Returns a copy of the model in which the named graph inputs and outputs have the given shapes (see setDims). */
export function setGraphDims(bytes: Uint8Array, shapes: Readonly<Record<string, readonly Dim[]>>): Uint8Array {
  const model = decodeModel(bytes);
  setDims(model, shapes);
  return encodeModel(model);
}
