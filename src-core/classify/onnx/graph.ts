// A small ONNX model builder and encoder (onnx/onnx.proto, IR version 7, https://onnx.ai/onnx/repo-docs/IR.html).
// Only what a feed-forward float32 CNN needs: nodes with int/float/ints attributes, float32 and
// int64 initializers, graph inputs/outputs with symbolic dimensions. onnx.proto is proto2, so
// repeated scalars are written unpacked (each element with its own key).
import { ProtoWriter, utf8 } from './protobuf';

export type Attr = number | number[] | { float: number } | string;
export type Dim = number | string;

interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: Record<string, Attr>;
}
interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

const FLOAT = 1;
const INT64 = 7;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

export class OnnxGraph {
  readonly nodes: Node[] = [];
  readonly initializers: Initializer[] = [];
  readonly inputs: { name: string; dims: Dim[] }[] = [];
  readonly outputs: { name: string; dims: Dim[] }[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  /** Adds a node; returns its (first) output name. Integer-valued numbers become INT attributes. */
  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}, output?: string): string {
    const out = output ?? `${op.toLowerCase()}_${this.counter++}`;
    this.nodes.push({ op, inputs, outputs: [out], name: `${out}_node`, attrs });
    return out;
  }

  float32(name: string, dims: number[], data: Float32Array): string {
    const n = dims.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new Error(`initializer ${name}: ${data.length} values for dims [${dims}]`);
    this.initializers.push({ name, dims, data });
    return name;
  }

  int64(name: string, values: number[]): string {
    this.initializers.push({ name, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  }

  input(name: string, dims: Dim[]): string {
    this.inputs.push({ name, dims });
    return name;
  }

  output(name: string, dims: Dim[]): void {
    this.outputs.push({ name, dims });
  }

  /** Serialises a ModelProto with one opset import (default domain). */
  encode(opts: { opset: number; producer: string; producerVersion: string; docString?: string }): Uint8Array {
    const w = new ProtoWriter();
    w.varint(1, 7); // ir_version 7 (ONNX 1.8+, covers opset 13)
    w.string(2, opts.producer);
    w.string(3, opts.producerVersion);
    if (opts.docString) w.string(6, opts.docString);
    w.message(7, (g) => this.writeGraph(g));
    w.message(8, (o) => o.varint(2, opts.opset));
    return w.finish();
  }

  private writeGraph(g: ProtoWriter): void {
    for (const n of this.nodes) g.message(1, (w) => writeNode(w, n));
    g.string(2, this.name);
    for (const t of this.initializers) g.message(5, (w) => writeTensor(w, t));
    for (const v of this.inputs) g.message(11, (w) => writeValueInfo(w, v.name, v.dims));
    for (const v of this.outputs) g.message(12, (w) => writeValueInfo(w, v.name, v.dims));
  }
}

function writeNode(w: ProtoWriter, n: Node): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.op);
  for (const [name, value] of Object.entries(n.attrs)) {
    w.message(5, (a) => {
      a.string(1, name);
      if (typeof value === 'string') a.bytes(4, utf8(value)).varint(20, ATTR_STRING);
      else if (Array.isArray(value)) {
        for (const v of value) a.varint(8, v);
        a.varint(20, ATTR_INTS);
      } else if (typeof value === 'object') a.float(2, value.float).varint(20, ATTR_FLOAT);
      else if (Number.isInteger(value)) a.varint(3, value).varint(20, ATTR_INT);
      else a.float(2, value).varint(20, ATTR_FLOAT);
    });
  }
}

function writeTensor(w: ProtoWriter, t: Initializer): void {
  for (const d of t.dims) w.varint(1, d);
  w.varint(2, t.data instanceof Float32Array ? FLOAT : INT64);
  w.string(8, t.name);
  // raw_data is little-endian (onnx.proto); copy so a subarray view cannot leak neighbouring bytes.
  const bytes = new Uint8Array(t.data.byteLength);
  bytes.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  w.bytes(9, bytes);
}

function writeValueInfo(w: ProtoWriter, name: string, dims: Dim[]): void {
  w.string(1, name);
  w.message(2, (type) =>
    type.message(1, (tt) => {
      tt.varint(1, FLOAT);
      tt.message(2, (shape) => {
        for (const d of dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.varint(1, d) : dim.string(2, d)));
      });
    }),
  );
}
