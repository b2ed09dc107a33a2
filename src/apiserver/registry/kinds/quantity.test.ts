import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalQuantity, compareQuantity, parseQuantity, QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR } from './quantity.ts';

describe('resource.Quantity', () => {
  it('serializes in the canonical form upstream prints', () => {
    const cases: [unknown, string][] = [
      ['0.5', '500m'],
      ['1000m', '1'],
      ['1.5', '1500m'],
      ['2000', '2k'],
      ['1500', '1500'],
      ['1.5Gi', '1536Mi'],
      ['1Gi', '1Gi'],
      ['1024Mi', '1Gi'],
      ['512', '512'],
      ['0.5Ki', '512'],
      ['100m', '100m'],
      ['1e3', '1e3'],
      ['1.5e3', '1500'],
      [1, '1'],
      [0.25, '250m'],
      ['0', '0'],
      ['-1500m', '-1500m'],
      ['1n', '1n'],
      ['0.1n', '1n'],
    ];
    for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, String(input));
    assert.equal(canonicalQuantity('0.1m', true), '1m'); // ResourceList defaulting rounds up to milli
  });

  it('compares exactly across formats and rejects what does not parse', () => {
    assert.equal(compareQuantity(parseQuantity('1Gi'), parseQuantity('1073741824')), 0);
    assert.equal(compareQuantity(parseQuantity('1G'), parseQuantity('1Gi')), -1);
    assert.equal(compareQuantity(parseQuantity('2'), parseQuantity('1999m')), 1);
    assert.throws(() => parseQuantity('lots'), { message: QUANTITY_FORMAT_ERROR });
    assert.throws(() => parseQuantity('1.2.3'), { message: QUANTITY_FORMAT_ERROR });
    assert.throws(() => parseQuantity('1Kb'), { message: QUANTITY_FORMAT_ERROR });
    assert.throws(() => parseQuantity('1KM'), { message: QUANTITY_SUFFIX_ERROR });
  });
});
