import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { runBounded } from '../support/bounded.js';
import {
  canonicalQuantity,
  ceilToScale,
  compareQuantities,
  exceedsInt64,
  parseQuantity,
  quantityFromNumber,
  type Quantity,
} from '../../src/kube/quantity.js';

function parsed(text: string): Quantity {
  const quantity = parseQuantity(text);
  assert.ok(quantity, `expected ${JSON.stringify(text)} to parse`);
  return quantity;
}

describe('canonicalQuantity(parseQuantity(text)) prints what Kubernetes prints', () => {
  const cases: [string, string][] = [
    // the examples kaji documents
    ['1.5', '1500m'],
    ['0.1', '100m'],
    ['1000', '1k'],
    ['1024Mi', '1Gi'],
    ['0.5Gi', '512Mi'],
    ['1536Mi', '1536Mi'],
    ['100m', '100m'],
    ['2000m', '2'],
    ['1.5Gi', '1536Mi'],
    // plain and decimal SI
    ['0', '0'],
    ['1', '1'],
    ['-1', '-1'],
    ['250m', '250m'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['0.5', '500m'],
    ['0.25', '250m'],
    ['0.001', '1m'],
    ['0.0005', '500u'],
    ['1000000', '1M'],
    ['1000M', '1G'],
    ['10000', '10k'],
    ['12000', '12k'],
    ['1200', '1200'],
    ['128974848', '128974848'],
    ['129e6', '129M'],
    ['123Mi', '123Mi'],
    ['1k', '1k'],
    ['1.5k', '1500'],
    ['8.1k', '8100'],
    ['1M', '1M'],
    ['1G', '1G'],
    ['1T', '1T'],
    ['1P', '1P'],
    ['1E', '1E'],
    ['12E', '12E'],
    ['1000E', '1e21'],
    ['5n', '5n'],
    ['4u', '4u'],
    ['1000u', '1m'],
    ['1080000000n', '1080m'],
    ['-1.5', '-1500m'],
    // binary SI
    ['1Ki', '1Ki'],
    ['1Mi', '1Mi'],
    ['1Gi', '1Gi'],
    ['1Ti', '1Ti'],
    ['1Pi', '1Pi'],
    ['1Ei', '1Ei'],
    ['8Ki', '8Ki'],
    ['1024Ki', '1Mi'],
    ['307200Ki', '300Mi'],
    ['1025024Mi', '1001Gi'],
    ['1024Gi', '1Ti'],
    ['2048Mi', '2Gi'],
    ['0.5Mi', '512Ki'],
    ['0.25Gi', '256Mi'],
    ['1.5Ki', '1536'],
    ['1.1Ki', '1126400m'],
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    ['-1Ki', '-1Ki'],
    ['-1024Mi', '-1Gi'],
    ['0Gi', '0'],
    ['0.5Ki', '512'],
    ['9Ei', '9223372036854775807'],
    ['9223372036854775807Ki', '9223372036854775807'],
    ['-9Ei', '-9223372036854775807'],
    // exponents (kaji decision: printed in SI form, where Kubernetes keeps "1e3")
    ['1e3', '1k'],
    ['1E3', '1k'],
    ['1e6', '1M'],
    ['1E-3', '1m'],
    ['1e-9', '1n'],
    ['1.2e3', '1200'],
    ['1.3E+6', '1300k'],
    ['0.5e0', '500m'],
    ['1e2', '100'],
    ['1e21', '1e21'],
    // rounding up to nano
    ['0.0000000001', '1n'],
    ['0.9n', '1n'],
    ['3.001n', '4n'],
    ['1.1E-9', '2n'],
    ['0.00000012345', '124n'],
    ['0.000000000001Ki', '2n'],
    ['-0.0000000001', '-1n'],
    // zero however written
    ['0m', '0'],
    ['000', '0'],
    ['-0', '0'],
    ['0.0', '0'],
    ['0Ki', '0'],
    ['.', '0'],
    ['-', '0'],
    ['+', '0'],
    ['m', '0'],
    ['Gi', '0'],
    // text Kubernetes keeps as written (its fast path reuses text it takes for canonical)
    ['+100m', '+100m'],
    ['+1', '+1'],
    ['1.500', '1.500'],
    ['1.125', '1.125'],
    ['100.035k', '100.035k'],
    ['00100m', '00100m'],
    ['01Gi', '01Gi'],
    ['+1Gi', '+1Gi'],
    ['1.Gi', '1.Gi'],
    ['1.', '1.'],
    ['1.G', '1.G'],
    ['10.035M', '10.035M'],
    ['6.987654321G', '6.987654321G'],
    // ...and text it does not keep
    ['1.0', '1'],
    ['10.0350M', '10035k'],
    ['1.5000k', '1500'],
    ['1.000', '1'],
    ['0.500', '500m'],
    ['0.125', '125m'],
    ['+1000', '1k'],
    ['1.0Gi', '1Gi'],
    ['8Gi', '8Gi'],
    ['+8Gi', '8Gi'],
    ['1234567890123456789', '1234567890123456789'],
    ['+1234567890123456789', '1234567890123456789'],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(canonicalQuantity(parsed(input)), expected);
    });
  }
});

describe('parseQuantity rejects what Kubernetes rejects', () => {
  const cases: string[] = [
    '',
    ' 1',
    '1 ',
    ' ',
    '1.1.M',
    '1+1.0M',
    '0.1mi',
    '0.1am',
    'aoeu',
    '.5i',
    '1i',
    '-3.01i',
    '-3.01e-',
    '1e',
    '1e+',
    '1ee3',
    '1e3.5',
    '1K',
    '1KB',
    '1kb',
    '1gi',
    '1GB',
    '1Gib',
    '1 Gi',
    '1,5',
    '1_000',
    '--1',
    '+-1',
    '1-',
    '0x10',
    'Infinity',
    'NaN',
    '1e99999999999',
    '１',
  ];
  for (const input of cases) {
    test(`${JSON.stringify(input)} is not a quantity`, () => {
      assert.equal(parseQuantity(input), undefined);
    });
  }
});

describe('parseQuantity keeps the exact value', () => {
  const cases: [string, bigint, number, Quantity['format']][] = [
    ['1.5', 15n, -1, 'DecimalSI'],
    ['100m', 100n, -3, 'DecimalSI'],
    ['1Ki', 1024n, 0, 'BinarySI'],
    ['1.5Gi', 15n * 2n ** 30n, -1, 'BinarySI'],
    ['1e3', 1n, 3, 'DecimalExponent'],
    ['-2.5E-3', -25n, -4, 'DecimalExponent'],
    ['3.001n', 4n, -9, 'DecimalSI'],
    ['9Ei', 2n ** 63n - 1n, 0, 'BinarySI'],
    ['0.000000000001Ki', 2n, -9, 'DecimalSI'],
    ['18446744073709551616', 18446744073709551616n, 0, 'DecimalSI'],
  ];
  for (const [input, mantissa, exponent, format] of cases) {
    test(`${JSON.stringify(input)} = ${mantissa}e${exponent} (${format})`, () => {
      const quantity = parsed(input);
      assert.deepEqual([quantity.mantissa, quantity.exponent, quantity.format], [mantissa, exponent, format]);
    });
  }

  test('a huge exponent is kept without expanding it', () => {
    const quantity = parsed('1e2000000000');
    assert.deepEqual([quantity.mantissa, quantity.exponent], [1n, 2000000000]);
    assert.equal(compareQuantities(quantity, parsed('1E')), 1);
  });

  test('text up to 1,000 characters is read; longer text is not a quantity (its digits would cost seconds)', () => {
    assert.equal(parsed('9'.repeat(1000)).mantissa, 10n ** 1000n - 1n);
    assert.equal(parseQuantity('9'.repeat(1001)), undefined);
    assert.equal(parseQuantity(`1.${'0'.repeat(100_000)}`), undefined);
  });

  test('a tiny exponent rounds up to 1n', () => {
    assert.equal(canonicalQuantity(parsed('1e-2000000000')), '1n');
  });

  test('a quantity built by hand prints canonically', () => {
    assert.equal(canonicalQuantity({ mantissa: 1536n, exponent: 0, format: 'BinarySI' }), '1536');
    assert.equal(canonicalQuantity({ mantissa: 3n * 2n ** 20n, exponent: 0, format: 'BinarySI' }), '3Mi');
    assert.equal(canonicalQuantity({ mantissa: 1500n, exponent: -3, format: 'DecimalSI' }), '1500m');
    assert.equal(canonicalQuantity({ mantissa: 1n, exponent: -12, format: 'DecimalSI' }), '1e-12');
    assert.equal(canonicalQuantity({ ...parsed('+100m'), text: undefined }), '100m');
  });
});

describe('compareQuantities compares values across suffixes', () => {
  const cases: [string, string, -1 | 0 | 1][] = [
    ['1Gi', '1G', 1],
    ['1G', '1Gi', -1],
    ['100Mi', '104857600', 0],
    ['100Mi', '100M', 1],
    ['0.1', '100m', 0],
    ['1', '1000m', 0],
    ['1e3', '1k', 0],
    ['1Ki', '1024', 0],
    ['1Ki', '1k', 1],
    ['0.5Gi', '512Mi', 0],
    ['1.5Gi', '1536Mi', 0],
    ['100m', '50m', 1],
    ['50m', '100m', -1],
    ['10000T', '100Gi', 1],
    ['0', '0m', 0],
    ['0', '-0', 0],
    ['-1', '1m', -1],
    ['-1', '-2', 1],
    ['-1Gi', '-1G', -1],
    ['1n', '0', 1],
    ['999m', '1', -1],
    ['1001m', '1', 1],
    ['1E', '999999999999999999', 1],
    ['9Ei', '8Ei', 0],
    ['+100m', '0.1', 0],
  ];
  for (const [a, b, expected] of cases) {
    test(`${a} vs ${b} → ${expected}`, () => {
      assert.equal(compareQuantities(parsed(a), parsed(b)), expected);
      assert.equal(compareQuantities(parsed(b), parsed(a)), -expected || 0);
    });
  }
});

describe('quantityFromNumber reads a YAML number as Kubernetes does', () => {
  const cases: [number, string][] = [
    [1.5, '1500m'],
    [1000, '1k'],
    [1, '1'],
    [0, '0'],
    [-0, '0'],
    [0.1, '100m'],
    [0.5, '500m'],
    [2, '2'],
    [100, '100'],
    [1024, '1024'],
    [1.125, '1.125'],
    [0.125, '125m'],
    [134217728, '134217728'],
    [1e6, '1M'],
    [1e21, '1e21'],
    [1e-7, '100n'],
    [1.5e-10, '1n'],
    [-1.5, '-1500m'],
  ];
  for (const [input, expected] of cases) {
    test(`${input} → ${JSON.stringify(expected)}`, () => {
      assert.equal(quantityFromNumber(input), expected);
    });
  }

  for (const input of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    test(`${input} is refused`, () => {
      assert.throws(() => quantityFromNumber(input), RangeError);
    });
  }
});

describe('huge exponents: exact, compared by order of magnitude, never expanded', () => {
  test('values above 2^63-1 are kept when decimal and capped (and marked) when binary, as Kubernetes does', () => {
    assert.deepEqual(parsed('1e999999'), { mantissa: 1n, exponent: 999999, format: 'DecimalExponent' });
    assert.equal(canonicalQuantity(parsed('1e999999')), '1e999999');
    assert.deepEqual(parsed('10Ei'), { mantissa: 2n ** 63n - 1n, exponent: 0, format: 'BinarySI', capped: true });
    assert.deepEqual(parsed('-10Ei'), { mantissa: -(2n ** 63n - 1n), exponent: 0, format: 'BinarySI', capped: true });
    assert.equal(parsed('7Ei').capped, undefined);
  });

  test('exceedsInt64: above (2^63-1) × 10^scale, or capped', () => {
    const cases: [string, number, boolean][] = [
      ['9223372036854775807', 0, false],
      ['9223372036854775808', 0, true],
      ['9223372036854775807m', -3, false],
      ['9223372036854775808m', -3, true],
      ['9223372036854775.807', -3, false],
      ['9223372036854775807m', 0, false],
      ['1e999999', -3, true],
      ['-1e999999', 0, true],
      ['1e-999999', 0, false],
      ['0e999999', 0, false],
      ['7Ei', 0, false],
      ['8Ei', 0, true],
      ['10Ei', 0, true],
    ];
    for (const [text, scale, expected] of cases) assert.equal(exceedsInt64(parsed(text), scale), expected, `${text} at scale ${scale}`);
  });

  test('comparisons between huge values of the same order are exact', () => {
    const cases: [string, string, number][] = [
      ['1e2147483647', '10e2147483646', 0],
      ['1e2147483647', '9.99e2147483646', 1],
      [`1${'0'.repeat(900)}e2147482747`, '1e2147483647', 0],
      [`1${'0'.repeat(899)}1e2147482747`, '1e2147483647', 1],
      ['1e999999', '1e999998', 1],
      ['1e999999', '9223372036854775807', 1],
      ['-1e999999', '1m', -1],
    ];
    for (const [a, b, expected] of cases) {
      assert.equal(compareQuantities(parsed(a), parsed(b)), expected, `${a} vs ${b}`);
      assert.equal(compareQuantities(parsed(b), parsed(a)), -expected || 0, `${b} vs ${a}`);
    }
  });

  test('parsing, printing and comparing them takes no memory in proportion to the exponent', () => {
    // 10^2147483647 expanded would take ~0.9 GB and minutes; the bound is far below that.
    const out = runBounded(
      `import { parseQuantity, canonicalQuantity, compareQuantities, exceedsInt64 } from './src/kube/quantity.ts';
       const before = process.memoryUsage().heapUsed;
       const texts = ['1e2147483647', '10e2147483646', '1e-2147483647', '1e999999', '${'9'.repeat(980)}e2147482000'];
       let printed = 0;
       for (let round = 0; round < 200; round++) {
         const qs = texts.map((t) => parseQuantity(t));
         for (const a of qs) for (const b of qs) compareQuantities(a, b);
         for (const q of qs) { printed += canonicalQuantity(q).length; exceedsInt64(q, -3); }
       }
       console.log(printed / 200, (process.memoryUsage().heapUsed - before) / 2 ** 20 < 64);`,
      20,
    );
    // 10e2147483646 twice, 1n, 1e999999, and 980 nines then 0e2147481999.
    assert.equal(out, `${13 + 13 + 2 + 8 + 981 + 11} true`);
  });
});

describe('ceilToScale: a quantity in whole units of 10^scale, rounded up as Value() and MilliValue() round', () => {
  test('millicores (scale -3) and bytes (scale 0)', () => {
    const cases: [string, number, bigint][] = [
      ['1.5', -3, 1500n],
      ['2', -3, 2000n],
      ['0.1m', -3, 1n],
      ['1m', 0, 1n],
      ['1Ki', 0, 1024n],
      ['1.5Gi', 0, 1610612736n],
      ['409.6Mi', 0, 429496730n],
      ['0', -3, 0n],
      ['-1.5', 0, -1n],
      ['1e3', 3, 1n],
    ];
    for (const [text, scale, expected] of cases) assert.equal(ceilToScale(parsed(text), scale), expected, `${text} at 10^${scale}`);
  });
});
