import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanDuration, parseTime, shortHumanDuration, translateTimestampSince } from './duration.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

test('humanDuration matches upstream HumanDuration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [-1 * s, '0s'],
    [-1999, '0s'],
    [-2 * s, '<invalid>'],
    [5 * s, '5s'],
    [5999, '5s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [2 * m + 3 * s, '2m3s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m, '10m'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 4 * m, '3h4m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h, '8h'],
    [47 * h + 59 * m, '47h'],
    [2 * d, '2d'],
    [2 * d + 3 * h, '2d3h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [5 * d, '5d'],
    [729 * d, '729d'],
    [730 * d, '2y'],
    [830 * d, '2y100d'],
    [365 * 8 * d, '8y'],
    [365 * 20 * d + 5 * d, '20y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

test('shortHumanDuration keeps one unit', () => {
  assert.equal(shortHumanDuration(59 * s), '59s');
  assert.equal(shortHumanDuration(61 * s), '1m');
  assert.equal(shortHumanDuration(25 * h), '1d');
  assert.equal(shortHumanDuration(400 * d), '1y');
});

test('timestamps: zero times are unknown', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  assert.equal(translateTimestampSince('2024-05-01T11:59:55Z', now), '5s');
  assert.equal(translateTimestampSince('2024-05-01T11:00:00.123456Z', now), '59m');
  assert.equal(translateTimestampSince('2024-05-01T13:00:00+01:00', now), '0s');
  assert.equal(translateTimestampSince(undefined, now), '<unknown>');
  assert.equal(translateTimestampSince(null, now), '<unknown>');
  assert.equal(translateTimestampSince('0001-01-01T00:00:00Z', now), '<unknown>');
  assert.equal(parseTime('2024-05-01T11:00:00.5Z'), Date.parse('2024-05-01T11:00:00.500Z'));
  assert.equal(parseTime('garbage'), undefined);
});
