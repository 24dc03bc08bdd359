/**
 * Turns a model file as its upstream repository publishes it into the file faceblur runs: the same
 * weights and graph, with the static input shape of the export made dynamic. Deterministic: the same
 * upstream bytes always give the same result bytes, whose sha256 the manifest pins.
 */
import { decodeModel, encodeModel, graphOf, onnx, type Graph, type Model, type Node } from '../detect/onnx-dims.js';

/**
 * - `symbolic-input`: the input's height and width become symbols (SCRFD's exports: the graph computes
 *   every later shape from the input's).
 * - `retinaface-dynamic`: as symbolic-input, and first each FPN Resize whose target size is a constant
 *   of the 640x640 export gets the size of the map it is added to instead (RetinaFace's export).
 */
export type ModelEdit = 'symbolic-input' | 'retinaface-dynamic';

const producerOf = (g: Graph, tensor: string): Node | undefined => g.node.find((n) => n.output?.includes(tensor));
const consumersOf = (g: Graph, tensor: string): Node[] => g.node.filter((n) => n.input?.includes(tensor));

/**
 * Replaces the constant [H, W] that each Resize's `sizes` Concat holds with Shape(start=2, end=4) of
 * the tensor its output is added to: `F.interpolate(x, size=[h, w])` in biubug6/Pytorch_Retinaface's
 * FPN (models/net.py) is exported as Resize(x, sizes=Concat(Shape(x)[0:2], Constant([h, w]))), and the
 * Add that follows needs [h, w] to be the lateral map's size at every input size.
 * @throws Error when the graph has no such Resize (not the expected export).
 */
function resizeToAddend(g: Graph): void {
  let fixed = 0;
  for (const resize of g.node.filter((n) => n.opType === 'Resize')) {
    const sizes = resize.input?.[3];
    const concat = sizes ? producerOf(g, sizes) : undefined;
    if (concat?.opType !== 'Concat') continue;
    const constantAt = (concat.input ?? []).findIndex((t) => producerOf(g, t)?.opType === 'Constant');
    const add = consumersOf(g, resize.output![0]!).find((n) => n.opType === 'Add');
    const addend = add?.input?.find((t) => t !== resize.output![0]);
    if (constantAt < 0 || !addend) continue;
    const constant = concat.input![constantAt]!;
    const target = `${resize.name}/addend_size_output_0`;
    const shape = onnx.NodeProto.create({
      name: `${resize.name}/addend_size`,
      opType: 'Shape',
      input: [addend],
      output: [target],
      attribute: [
        onnx.AttributeProto.create({ name: 'start', type: onnx.AttributeProto.AttributeType.INT, i: 2 }),
        onnx.AttributeProto.create({ name: 'end', type: onnx.AttributeProto.AttributeType.INT, i: 4 }),
      ],
    });
    concat.input![constantAt] = target;
    if (consumersOf(g, constant).length === 0) g.node.splice(g.node.indexOf(producerOf(g, constant)!), 1);
    // Right after the addend's producer, which comes before the Add and so before the Resize's users.
    const producer = producerOf(g, addend);
    g.node.splice(producer ? g.node.indexOf(producer) + 1 : 0, 0, shape);
    fixed++;
  }
  if (fixed === 0) throw new Error('no Resize with a constant target size feeds an Add: not the expected RetinaFace export');
  sortNodes(g);
}

/**
 * Orders the nodes so that each comes after the producers of its inputs, as ONNX requires, keeping
 * the existing order wherever it is already valid (so the result is deterministic).
 * @throws Error on a cycle or an input nothing produces.
 */
function sortNodes(g: Graph): void {
  const ready = new Set<string>(['', ...g.input.map((i) => i.name ?? ''), ...g.initializer.map((t) => t.name ?? '')]);
  const pending = [...g.node];
  const sorted: Node[] = [];
  while (pending.length > 0) {
    const i = pending.findIndex((n) => (n.input ?? []).every((t) => ready.has(t)));
    if (i < 0) throw new Error(`graph node ${pending[0]!.name} has an input nothing produces`);
    const [n] = pending.splice(i, 1);
    sorted.push(n!);
    for (const t of n!.output ?? []) ready.add(t);
  }
  g.node = sorted;
}

/** Input height and width become the symbols `height` and `width`; output shapes and value_info, computed for the export's size, go. */
function symbolicInput(g: Graph): void {
  const input = g.input.find((i) => !g.initializer.some((t) => t.name === i.name));
  const dims = input?.type?.tensorType?.shape?.dim;
  if (!dims || dims.length !== 4) throw new Error('the model has no 4-D graph input');
  dims[2] = { dimParam: 'height' };
  dims[3] = { dimParam: 'width' };
  for (const o of g.output) if (o.type?.tensorType) o.type.tensorType.shape = null;
  g.valueInfo = [];
}

/**
 * Applies `edit` to an upstream model file and returns the runnable file's bytes.
 * @throws Error when the bytes are not an ONNX model, or not one the edit fits.
 */
export function makeRunnable(upstream: Uint8Array, edit: ModelEdit): Uint8Array {
  const model: Model = decodeModel(upstream);
  const g = graphOf(model);
  if (edit === 'retinaface-dynamic') resizeToAddend(g);
  symbolicInput(g);
  return encodeModel(model);
}
