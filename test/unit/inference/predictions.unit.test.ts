import assert from 'node:assert/strict';
import { parseModel } from '../../../src/inference/onnxModel';
import {
  buildModel,
  classifierModel,
  linearRegressorModel,
  logisticRegressionModel,
  mlpModel,
} from '../../../src/inference/onnxBuilder';
import {
  classSpace,
  concatOutputs,
  decodeClassifier,
  decodeRegressor,
  outputRoles,
} from '../../../src/inference/predictions';
import type { WireTensor } from '../../../src/inference/protocol';

const f32 = (dims: number[], v: number[]): WireTensor => ({ type: 'float32', dims, data: Float32Array.from(v) });
const i64 = (v: number[]): WireTensor => ({ type: 'int64', dims: [v.length], data: BigInt64Array.from(v.map(BigInt)) });

describe('inference/predictions: what the outputs mean', () => {
  it('recognises classifiers (label + probabilities, probabilities only) and regressors', () => {
    const c = outputRoles(parseModel(classifierModel([[1, 2]], [0, 0])));
    assert.equal(c.task, 'classification');
    assert.ok(c.task === 'classification' && c.label?.name === 'label' && c.probabilities?.name === 'probabilities');
    const p = outputRoles(parseModel(mlpModel([{ w: [[1, 2]], b: [0, 0] }])));
    assert.ok(p.task === 'classification' && p.label === null && p.probabilities?.name === 'probabilities');
    const l = outputRoles(parseModel(logisticRegressionModel([1], 0)));
    assert.ok(l.task === 'classification' && l.probabilities?.name === 'probability');
    const r = outputRoles(parseModel(linearRegressorModel([1], 0)));
    assert.ok(r.task === 'regression' && r.value.name === 'variable');
  });

  it('refuses models whose only outputs are ZipMap-style sequences', () => {
    const m = parseModel(
      buildModel({
        inputs: [{ name: 'X', type: 'float', shape: ['N', 1] }],
        outputs: [{ name: 'Y', type: 'float', shape: ['N', 1] }],
        nodes: [{ op: 'Identity', inputs: ['X'], outputs: ['Y'] }],
      }),
    );
    m.outputs[0] = { ...m.outputs[0], kind: 'sequence', elemType: 'seq(map(int64,float))' };
    assert.throws(() => outputRoles(m), /zipmap/);
  });

  it('class order: model metadata first, else sorted target values (numbers numerically)', () => {
    const withMeta = parseModel(classifierModel([[1, 2, 3]], [0, 0, 0], ['virginica', 'setosa', 'versicolor']));
    assert.deepEqual(classSpace(withMeta, ['setosa']).names, ['virginica', 'setosa', 'versicolor']);
    const plain = parseModel(classifierModel([[1, 2, 3]], [0, 0, 0]));
    assert.deepEqual(classSpace(plain, ['b', 'a', 'c', 'a']).names, ['a', 'b', 'c']);
    assert.deepEqual(classSpace(plain, ['10', '9', '2.5']).names, ['2.5', '9', '10']);
  });

  it('decodes integer labels as indices, or as class values when the classes are numbers (skl2onnx)', () => {
    const model = parseModel(classifierModel([[1, 2, 3]], [0, 0, 0]));
    const roles = outputRoles(model) as Extract<ReturnType<typeof outputRoles>, { task: 'classification' }>;
    const probs = f32([2, 3], [0.7, 0.2, 0.1, 0.1, 0.1, 0.8]);
    const idx = decodeClassifier(
      roles,
      { label: i64([0, 2]), probabilities: probs },
      2,
      classSpace(model, ['x', 'y', 'z']),
    );
    assert.deepEqual(Array.from(idx.codes), [0, 2]);
    const byValue = decodeClassifier(
      roles,
      { label: i64([5, 9]), probabilities: probs },
      2,
      classSpace(model, ['5', '7', '9']),
    );
    assert.deepEqual(Array.from(byValue.codes), [0, 2]);
    assert.throws(
      () =>
        decodeClassifier(roles, { label: i64([0, 4]), probabilities: probs }, 2, classSpace(model, ['x', 'y', 'z'])),
      /predicted label '4'/,
    );
  });

  it('decodes string labels by name and a single probability column as binary P(class 1)', () => {
    const roles = {
      task: 'classification' as const,
      label: { name: 'label', kind: 'tensor', elemType: 'string', elemTypeId: 8, shape: ['N'] },
      probabilities: { name: 'p', kind: 'tensor', elemType: 'float', elemTypeId: 1, shape: ['N', 1] },
    };
    const space = { names: ['no', 'yes'], numeric: false, source: 'sorted target values' as const };
    const r = decodeClassifier(
      roles,
      { label: { type: 'string', dims: [2], data: ['yes', 'no'] }, p: f32([2, 1], [0.75, 0.25]) },
      2,
      space,
    );
    assert.deepEqual(Array.from(r.codes), [1, 0]);
    assert.deepEqual(Array.from(r.proba!), [0.25, 0.75, 0.75, 0.25]);
    assert.throws(
      () =>
        decodeClassifier(
          { ...roles, probabilities: { ...roles.probabilities, name: 'q' } },
          { label: { type: 'string', dims: [1], data: ['yes'] }, q: f32([1, 3], [0.2, 0.3, 0.5]) },
          1,
          space,
        ),
      /gives 3 probabilities per row but there are 2 classes/,
    );
  });

  it('argmax of probabilities when there is no label; regressors need one value per row', () => {
    const roles = outputRoles(parseModel(mlpModel([{ w: [[1, 2, 3]], b: [0, 0, 0] }]))) as Extract<
      ReturnType<typeof outputRoles>,
      { task: 'classification' }
    >;
    const r = decodeClassifier(roles, { probabilities: f32([2, 3], [0.1, 0.6, 0.3, 0.5, 0.2, 0.3]) }, 2, {
      names: ['a', 'b', 'c'],
      numeric: false,
      source: 'sorted target values',
    });
    assert.deepEqual(Array.from(r.codes), [1, 0]);
    const reg = parseModel(linearRegressorModel([1], 0)).outputs[0];
    assert.deepEqual(Array.from(decodeRegressor(reg, { variable: f32([2, 1], [1.5, -2]) }, 2)), [1.5, -2]);
    assert.throws(() => decodeRegressor(reg, { variable: f32([2, 2], [1, 2, 3, 4]) }, 2), /one value per row/);
  });

  it('concatenates row chunks along the first dimension', () => {
    const c = concatOutputs([
      { y: f32([2, 2], [1, 2, 3, 4]), l: i64([1, 2]) },
      { y: f32([1, 2], [5, 6]), l: i64([3]) },
    ]);
    assert.deepEqual(c.y.dims, [3, 2]);
    assert.deepEqual(Array.from(c.y.data as Float32Array), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(Array.from(c.l.data as BigInt64Array, Number), [1, 2, 3]);
  });
});
