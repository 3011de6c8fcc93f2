/**
 * A small ONNX graph builder over onnx-proto: named values, float initializers, one method per
 * operator we use. Shapes are symbolic `B` (batch) and `T` (padded length) where dynamic.
 */
import { createRequire } from 'node:module';
import type * as OnnxProto from 'onnx-proto';

// onnx-proto is CommonJS without ESM named exports: require it.
const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof OnnxProto;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT32 = onnx.TensorProto.DataType.INT32;
const INT64 = onnx.TensorProto.DataType.INT64;
const ATTR = onnx.AttributeProto.AttributeType;

/** Opset of the exported graphs (LayerNormalization needs ≥ 17). */
export const OPSET = 17;

type Dim = number | string;

function valueInfo(name: string, elemType: number, dims: readonly Dim[]): OnnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export class GraphBuilder {
  private readonly nodes: OnnxProto.onnx.INodeProto[] = [];
  private readonly initializers: OnnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: OnnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: OnnxProto.onnx.IValueInfoProto[] = [];
  private counter = 0;

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  input(name: string, type: 'float' | 'int32', dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, type === 'float' ? FLOAT : INT32, dims));
    return name;
  }

  output(name: string, value: string, dims: readonly Dim[]): void {
    this.op('Identity', [value], {}, name);
    this.outputs.push(valueInfo(name, FLOAT, dims));
  }

  /** A float32 constant (copied). */
  float(values: Float32Array | readonly number[], dims: readonly number[], name = this.fresh('c')): string {
    const data = values instanceof Float32Array ? new Float32Array(values) : Float32Array.from(values);
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: FLOAT,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  int64(values: readonly number[]): string {
    const name = this.fresh('i');
    this.initializers.push({ name, dims: [values.length], dataType: INT64, int64Data: [...values] });
    return name;
  }

  op(
    opType: string,
    inputs: readonly string[],
    attrs: Record<string, number | readonly number[]> = {},
    output = this.fresh(opType.toLowerCase()),
  ): string {
    const attribute: OnnxProto.onnx.IAttributeProto[] = Object.entries(attrs).map(([name, v]) => {
      if (Array.isArray(v)) return { name, ints: [...v], type: ATTR.INTS };
      const n = v as number;
      return Number.isInteger(n) && name !== 'epsilon' && name !== 'alpha'
        ? { name, i: n, type: ATTR.INT }
        : { name, f: n, type: ATTR.FLOAT };
    });
    this.nodes.push({ opType, input: [...inputs], output: [output], name: output, attribute });
    return output;
  }

  /** x [..., in] · w [in, out] (+ b). */
  dense(x: string, w: string, b?: string): string {
    const y = this.op('MatMul', [x, w]);
    return b ? this.op('Add', [y, b]) : y;
  }

  /** Layer normalisation over the last axis (eps 1e-5, as the encoder's layerNorm). */
  layerNorm(x: string, gain: string, bias: string): string {
    return this.op('LayerNormalization', [x, gain, bias], { axis: -1, epsilon: 1e-5 });
  }

  finish(name: string): Uint8Array {
    const model: OnnxProto.onnx.IModelProto = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'nerima',
      graph: {
        name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}
