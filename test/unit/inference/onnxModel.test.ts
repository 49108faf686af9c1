import assert from 'node:assert/strict';
import { UserError } from '../../../src/util/errors';
import { parseModel } from '../../../src/inference/onnxModel';
import { buildModel, classifierModel, matmulStackModel, mlpModel, perColumnRegressorModel } from '../../../src/inference/onnxBuilder';

describe('inference/onnxModel parse', () => {
  it('reads producer, versions, typed inputs/outputs with symbolic dims and metadata', () => {
    const m = parseModel(classifierModel([[1, 2, 3], [4, 5, 6]], [0, 0, 0], ['a', 'b', 'c'], 'unit-test'));
    assert.equal(m.producerName, 'unit-test');
    assert.equal(m.irVersion, 8);
    assert.deepEqual(m.opsets, [{ domain: '', version: 17 }]);
    assert.deepEqual(m.inputs.map((i) => [i.name, i.elemType, i.shape]), [['X', 'float', ['N', 2]]]);
    assert.deepEqual(m.outputs.map((o) => [o.name, o.elemType, o.shape]), [['label', 'int64', ['N']], ['probabilities', 'float', ['N', 3]]]);
    assert.deepEqual(JSON.parse(m.metadata['flowbench.classes']), ['a', 'b', 'c']);
  });

  it('counts parameters, bytes and operators', () => {
    const m = parseModel(mlpModel([
      { w: [[1, 2, 3], [4, 5, 6]], b: [0, 0, 0] },
      { w: [[1, 0], [0, 1], [1, 1]], b: [1, 2] },
    ]));
    assert.equal(m.parameterCount, 6 + 3 + 6 + 2);
    assert.equal(m.parameterBytes, 17 * 4);
    assert.equal(m.initializerCount, 4);
    assert.deepEqual(m.operators, [{ op: 'Gemm', count: 2 }, { op: 'Relu', count: 1 }, { op: 'Softmax', count: 1 }]);
    // 2·(2·3) + 2·(3·2) per row
    assert.equal(m.flopsPerRow, 24);
  });

  it('estimates MatMul and Conv FLOPs from shapes', () => {
    assert.equal(parseModel(matmulStackModel(32, 3)).flopsPerRow, 3 * 2 * 32 * 32);
    const conv = buildModel({
      inputs: [{ name: 'X', type: 'float', shape: ['N', 3, 8, 8] }],
      outputs: [{ name: 'Y', type: 'float' }],
      initializers: [{ name: 'W', dims: [4, 3, 3, 3], data: new Array(108).fill(0.1) }],
      nodes: [{ op: 'Conv', inputs: ['X', 'W'], outputs: ['Y'], attrs: { pads: [1, 1, 1, 1], strides: [2, 2] } }],
    });
    // out 4×4×4, each 3·3·3 MACs
    assert.equal(parseModel(conv).flopsPerRow, 2 * 4 * 4 * 4 * 27);
  });

  it('lists one input per column for skl2onnx-style models', () => {
    const m = parseModel(perColumnRegressorModel(['a', 'b'], [1, 2], 0));
    assert.deepEqual(m.inputs.map((i) => i.name), ['a', 'b']);
    assert.deepEqual(m.operators.map((o) => o.op).sort(), ['Add', 'Concat', 'MatMul']);
  });

  it('refuses truncated, empty and non-ONNX bytes with a clear UserError', () => {
    const bytes = classifierModel([[1, 2]], [0, 0]);
    for (const cut of [10, 40, bytes.length - 5]) {
      assert.throws(() => parseModel(bytes.subarray(0, cut), 'm.onnx'), (e: unknown) => e instanceof UserError && /m\.onnx/.test(e.message) && /truncated|not an ONNX/.test(e.message));
    }
    assert.throws(() => parseModel(new Uint8Array(0), 'm.onnx'), /empty/);
    assert.throws(() => parseModel(new TextEncoder().encode('sepal_length,species\n1,a\n'), 'x.onnx'), (e: unknown) => e instanceof UserError && /not an ONNX model/.test(e.message));
  });
});
