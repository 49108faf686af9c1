import assert from 'node:assert/strict';
import { UserError } from '../../../src/util/errors';
import { parseModel } from '../../../src/inference/onnxModel';
import {
  buildModel,
  classifierModel,
  matmulStackModel,
  mlpModel,
  perColumnRegressorModel,
} from '../../../src/inference/onnxBuilder';
import { peer } from '../peers';

describe('inference/onnxModel parse', () => {
  it('reads producer, versions, typed inputs/outputs with symbolic dims and metadata', () => {
    const m = parseModel(
      classifierModel(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [0, 0, 0],
        ['a', 'b', 'c'],
        'unit-test',
      ),
    );
    assert.equal(m.producerName, 'unit-test');
    assert.equal(m.irVersion, 8);
    assert.deepEqual(m.opsets, [{ domain: '', version: 17 }]);
    assert.deepEqual(
      m.inputs.map((i) => [i.name, i.elemType, i.shape]),
      [['X', 'float', ['N', 2]]],
    );
    assert.deepEqual(
      m.outputs.map((o) => [o.name, o.elemType, o.shape]),
      [
        ['label', 'int64', ['N']],
        ['probabilities', 'float', ['N', 3]],
      ],
    );
    assert.deepEqual(JSON.parse(m.metadata['flowbench.classes']), ['a', 'b', 'c']);
  });

  it('counts parameters, bytes and operators', () => {
    const m = parseModel(
      mlpModel([
        {
          w: [
            [1, 2, 3],
            [4, 5, 6],
          ],
          b: [0, 0, 0],
        },
        {
          w: [
            [1, 0],
            [0, 1],
            [1, 1],
          ],
          b: [1, 2],
        },
      ]),
    );
    assert.equal(m.parameterCount, 6 + 3 + 6 + 2);
    assert.equal(m.parameterBytes, 17 * 4);
    assert.equal(m.initializerCount, 4);
    assert.deepEqual(m.operators, [
      { op: 'Gemm', count: 2 },
      { op: 'Relu', count: 1 },
      { op: 'Softmax', count: 1 },
    ]);
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
    assert.deepEqual(
      m.inputs.map((i) => i.name),
      ['a', 'b'],
    );
    assert.deepEqual(m.operators.map((o) => o.op).sort(), ['Add', 'Concat', 'MatMul']);
  });

  it('refuses truncated, empty and non-ONNX bytes with a clear UserError', () => {
    const bytes = classifierModel([[1, 2]], [0, 0]);
    for (const cut of [10, 40, bytes.length - 5]) {
      assert.throws(
        () => parseModel(bytes.subarray(0, cut), 'm.onnx'),
        (e: unknown) => e instanceof UserError && /m\.onnx/.test(e.message) && /truncated|not an ONNX/.test(e.message),
      );
    }
    assert.throws(() => parseModel(new Uint8Array(0), 'm.onnx'), /empty/);
    assert.throws(
      () => parseModel(new TextEncoder().encode('sepal_length,species\n1,a\n'), 'x.onnx'),
      (e: unknown) => e instanceof UserError && /not an ONNX model/.test(e.message),
    );
  });
});

describe('inference/onnxModel vs the onnx Python package (python3 -m pip install onnx)', function () {
  this.timeout(60_000);
  it('builder output passes onnx.checker and the parser agrees with onnx.load', async () => {
    const { spawnSync } = await import('node:child_process');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-onnx-ref-'));
    try {
      const models: Record<string, Uint8Array> = {
        clf: classifierModel(
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          [0, 0, 0],
          ['a', 'b', 'c'],
        ),
        mlp: mlpModel([
          {
            w: [
              [1, 2],
              [3, 4],
            ],
            b: [0, 1],
          },
          {
            w: [
              [1, 0, 1],
              [0, 1, 1],
            ],
            b: [0, 0, 0],
          },
        ]),
        cols: perColumnRegressorModel(['a', 'b'], [1, 2], 0),
        stack: matmulStackModel(16, 2),
      };
      const files = Object.entries(models).map(([k, v]) => {
        const p = path.join(dir, `${k}.onnx`);
        fs.writeFileSync(p, v);
        return p;
      });
      const py = spawnSync('python3', [peer('onnx_inspect.py'), ...files], { encoding: 'utf8', timeout: 50_000 });
      if (py.status !== 0 && /No module named 'onnx'|ENOENT/.test(`${py.stderr}${py.error?.message ?? ''}`)) {
        // Without the onnx package the parser is still covered by the hand-checked tests above.
        assert.ok(parseModel(models.clf).inputs.length === 1);
        return;
      }
      assert.equal(py.status, 0, py.stderr);
      const refs = JSON.parse(py.stdout) as {
        producer: string;
        ir: number;
        opsets: [string, number][];
        inputs: [string, string, unknown[]][];
        outputs: [string, string, unknown[]][];
        parameters: number;
        operators: Record<string, number>;
        metadata: Record<string, string>;
        checker: true | string;
      }[];
      const np: Record<string, string> = { float: 'float32', double: 'float64', int64: 'int64' };
      Object.values(models).forEach((bytes, i) => {
        const ours = parseModel(bytes);
        const ref = refs[i];
        assert.equal(ref.checker, true, `onnx.checker: ${ref.checker}`);
        assert.equal(ours.producerName, ref.producer);
        assert.equal(ours.irVersion, ref.ir);
        assert.deepEqual(
          ours.opsets.map((o) => [o.domain, o.version]),
          ref.opsets,
        );
        assert.deepEqual(
          ours.inputs.map((v) => [v.name, np[v.elemType], v.shape]),
          ref.inputs,
        );
        assert.deepEqual(
          ours.outputs.map((v) => [v.name, np[v.elemType], v.shape]),
          ref.outputs,
        );
        assert.equal(ours.parameterCount, ref.parameters);
        assert.deepEqual(Object.fromEntries(ours.operators.map((o) => [o.op, o.count])), ref.operators);
        assert.deepEqual(ours.metadata, ref.metadata);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('inference/onnxModel on models written by the onnx Python package', function () {
  this.timeout(60_000);
  it('reads subgraphs, external data, float_data tensors and unknown dims as onnx.load does; the CNN runs', async () => {
    const { spawnSync } = await import('node:child_process');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { runInference } = await import('../../../src/inference/infer');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-foreign-'));
    try {
      const make = spawnSync('python3', [peer('make_foreign_models.py'), dir], {
        encoding: 'utf8',
        timeout: 50_000,
      });
      if (make.status !== 0 && /No module named 'onnx'|ENOENT/.test(`${make.stderr}${make.error?.message ?? ''}`)) {
        // Without the onnx package there are no foreign models; the builder-based tests cover the parser.
        assert.ok(!fs.existsSync(path.join(dir, 'if.onnx')));
        return;
      }
      assert.equal(make.status, 0, make.stderr);
      const files = ['if.onnx', 'cnn.onnx'].map((f) => path.join(dir, f));
      const py = spawnSync('python3', [peer('onnx_inspect.py'), ...files], {
        encoding: 'utf8',
        timeout: 50_000,
      });
      assert.equal(py.status, 0, py.stderr);
      const refs = JSON.parse(py.stdout) as {
        inputs: [string, string, unknown[]][];
        outputs: [string, string, unknown[] | null][];
        parameters: number;
        operators: Record<string, number>;
        metadata: Record<string, string>;
        checker: true | string;
      }[];
      const np: Record<string, string> = { float: 'float32', bool: 'bool' };
      const parsed = files.map((f) => parseModel(fs.readFileSync(f), path.basename(f)));
      parsed.forEach((ours, i) => {
        assert.equal(refs[i].checker, true, String(refs[i].checker));
        assert.deepEqual(
          ours.inputs.map((v) => [v.name, np[v.elemType], v.shape]),
          refs[i].inputs,
        );
        assert.deepEqual(
          ours.outputs.map((v) => [v.name, np[v.elemType], v.shape]),
          refs[i].outputs,
        );
        assert.equal(ours.parameterCount, refs[i].parameters);
        assert.deepEqual(Object.fromEntries(ours.operators.map((o) => [o.op, o.count])), refs[i].operators);
        assert.deepEqual(ours.metadata, refs[i].metadata);
      });
      const [ifModel, cnn] = parsed;
      assert.equal(ifModel.docString, 'an If model');
      assert.equal(cnn.externalInitializers, 1);
      assert.equal(cnn.parameterBytes, 252 * 4);
      // Conv 8×16×16 outputs × 27 MACs, Gemm 8×4.
      assert.equal(cnn.flopsPerRow, 2 * 8 * 16 * 16 * 27 + 2 * 8 * 4);
      // ONNX Runtime loads the external weights from beside the model (sessions open the path, not bytes).
      const r = await runInference({ model: files[1], batch: 2, providers: ['cpu'] });
      assert.deepEqual(r.table.columns, ['logits_0', 'logits_1', 'logits_2', 'logits_3']);
      assert.equal(r.rows, 2);
      assert.ok(r.table.values.every((c) => c.every((v) => Number.isFinite(v as number))));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
