// Keeps CMUDeepLens's ELUs inside onnxruntime's blocked NCHWc layout.
//
// onnxruntime's CPU optimiser ("all" level) rewrites convolutions into NCHWc kernels and keeps
// tensors blocked across ReLU, Sigmoid, Tanh, Add and BN — but not across Elu, which it does not
// list (nchwc_transformer.cc). So every one of the network's 45 ELUs is wrapped as
//   ReorderOutput (NCHWc → NCHW) → Elu → ReorderInput (NCHW → NCHWc)
// and the two copies cost as much as the ELUs' convs: the same graph with ReLU ran 1.7× faster.
// An ELU is elementwise, so it gives the same numbers on the blocked tensor (padding channels are
// 0 and stay 0). This pass takes the model onnxruntime optimised for this machine and drops such
// reorder pairs around Elu. Pure bytes in, bytes out; the caller checks the result numerically.
import { concatBytes, decodeUtf8 } from '../../bytes';
import { ProtoWriter, scanFields, type RawField } from './protobuf';

const NCHWC = 'com.microsoft.nchwc';
const dec = (b: Uint8Array, f: RawField) => decodeUtf8(b, f.payloadStart, f.payloadEnd);

interface NodeInfo {
  raw: Uint8Array;
  fields: RawField[];
  inputs: string[];
  outputs: string[];
  op: string;
  domain: string;
  /** Integer attributes (name → value); others by name only. */
  attrs: Map<string, number | null>;
  removed: boolean;
}

function readNode(b: Uint8Array, f: RawField): NodeInfo {
  const raw = b.subarray(f.payloadStart, f.payloadEnd);
  const fields = scanFields(raw);
  const n: NodeInfo = { raw, fields, inputs: [], outputs: [], op: '', domain: '', attrs: new Map(), removed: false };
  for (const g of fields) {
    if (g.field === 1) n.inputs.push(dec(raw, g));
    else if (g.field === 2) n.outputs.push(dec(raw, g));
    else if (g.field === 4) n.op = dec(raw, g);
    else if (g.field === 7) n.domain = dec(raw, g);
    else if (g.field === 5) {
      const a = scanFields(raw, g.payloadStart, g.payloadEnd);
      const name = a.find((x) => x.field === 1);
      const int = a.find((x) => x.field === 3 && x.wire === 0);
      if (name) n.attrs.set(dec(raw, name), int ? raw[int.payloadStart] : null); // small ints only (0/1 flags)
    }
  }
  return n;
}

function writeNode(n: NodeInfo): Uint8Array {
  // inputs and outputs re-encoded; every other field copied byte for byte
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  const rest = n.fields.filter((f) => f.field !== 1 && f.field !== 2).map((f) => n.raw.subarray(f.start, f.end));
  return concatBytes([w.finish(), ...rest]);
}

/** Returns the rewritten model and how many ELUs now run on blocked tensors (0: bytes unchanged). */
export function keepEluInNchwc(model: Uint8Array): { model: Uint8Array; elus: number } {
  const top = scanFields(model);
  const graphField = top.find((f) => f.field === 7);
  if (!graphField) throw new Error('ONNX model without a graph');
  const graphFields = scanFields(model, graphField.payloadStart, graphField.payloadEnd);
  const nodes = graphFields.filter((f) => f.field === 1).map((f) => readNode(model, f));
  const graphOutputs = new Set(
    graphFields.filter((f) => f.field === 12).map((f) => dec(model, scanFields(model, f.payloadStart, f.payloadEnd).find((g) => g.field === 1)!)),
  );
  const producer = new Map<string, NodeInfo>();
  const consumers = new Map<string, NodeInfo[]>();
  for (const n of nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  let elus = 0;
  for (const elu of nodes) {
    if (elu.op !== 'Elu' || elu.domain !== '') continue;
    const [b] = elu.inputs;
    const [c] = elu.outputs;
    const reorderOut = producer.get(b);
    const blocked = (n: NodeInfo) => n.domain === NCHWC && !n.attrs.get('channels_last');
    if (!reorderOut || reorderOut.op !== 'ReorderOutput' || !blocked(reorderOut)) continue;
    if ((consumers.get(b) ?? []).length !== 1 || graphOutputs.has(b) || graphOutputs.has(c)) continue;
    const uses = consumers.get(c) ?? [];
    const reorderIns = uses.filter((u) => u.op === 'ReorderInput' && blocked(u));
    if (reorderIns.length === 0) continue;
    const others = uses.filter((u) => !reorderIns.includes(u));
    // a → ReorderOutput → b → Elu → c → ReorderInput → dᵢ   becomes   a → Elu → c, with dᵢ read as c;
    // users of c that need NCHW (e.g. an Add left unblocked) get it from the ReorderOutput, moved after the Elu.
    elu.inputs = [reorderOut.inputs[0]];
    if (others.length) {
      reorderOut.inputs = [c];
      for (const user of others) user.inputs = user.inputs.map((x) => (x === c ? b : x));
      // keep topological order: the moved ReorderOutput must come after the Elu
      nodes.splice(nodes.indexOf(reorderOut), 1);
      nodes.splice(nodes.indexOf(elu) + 1, 0, reorderOut);
    } else reorderOut.removed = true;
    for (const r of reorderIns) {
      r.removed = true;
      const d = r.outputs[0];
      for (const user of consumers.get(d) ?? []) user.inputs = user.inputs.map((x) => (x === d ? c : x));
    }
    elus++;
  }
  if (elus === 0) return { model, elus };
  // Graph: nodes re-encoded in order, value_info (13) dropped (shapes of rewired tensors changed
  // meaning; onnxruntime infers them again), everything else copied.
  const graphParts: Uint8Array[] = [];
  let k = 0;
  for (const f of graphFields) {
    if (f.field === 1) {
      const n = nodes[k++];
      if (!n.removed) graphParts.push(new ProtoWriter().bytes(1, writeNode(n)).finish());
    } else if (f.field !== 13) graphParts.push(model.subarray(f.start, f.end));
  }
  const parts = top.map((f) => (f.field === 7 ? new ProtoWriter().bytes(7, concatBytes(graphParts)).finish() : model.subarray(f.start, f.end)));
  return { model: concatBytes(parts), elus };
}
