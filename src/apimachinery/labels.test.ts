import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  LabelSelector,
  LabelSelectorError,
  Requirement,
  formatLabelSelector,
  formatLabels,
  labelSelectorFromObject,
  parseLabelSelector,
  selectorFromSet,
} from './labels.ts';

const errorOf = (s: string): string => {
  try {
    parseLabelSelector(s);
  } catch (err) {
    assert.ok(err instanceof LabelSelectorError);
    assert.equal(err.status, 400);
    return err.message;
  }
  assert.fail(`expected ${JSON.stringify(s)} to be rejected`);
};

const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('parseLabelSelector', () => {
  test('round-trips the canonical form, sorted by key', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['   ', ''],
      ['x=a', 'x=a'],
      ['x==a', 'x==a'],
      ['x!=a', 'x!=a'],
      ['x', 'x'],
      ['!x', '!x'],
      ['z=a,x=b', 'x=b,z=a'],
      ['x in (b,a)', 'x in (a,b)'],
      ['x notin ( a , b )', 'x notin (a,b)'],
      ['x>1,y<2', 'x>1,y<2'],
      ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
      ['x=', 'x='],
      ['x in ()', 'x in ()'],
      ['x\tin\t(a)', 'x in (a)'],
      ['example.com/key=v', 'example.com/key=v'],
      ['in in (in,notin)', 'in in (in,notin)'],
    ];
    for (const [input, want] of cases) assert.equal(parseLabelSelector(input).toString(), want, input);
  });

  test('matching', () => {
    const labels = { app: 'web', tier: 'front', n: '5' };
    const m = (s: string) => parseLabelSelector(s).matches(labels);
    assert.equal(m(''), true);
    assert.equal(m('app=web'), true);
    assert.equal(m('app==web,tier=front'), true);
    assert.equal(m('app=db'), false);
    assert.equal(m('app!=db'), true);
    assert.equal(m('missing!=x'), true, '!= matches a missing key');
    assert.equal(m('app in (db,web)'), true);
    assert.equal(m('app notin (db,web)'), false);
    assert.equal(m('missing notin (a)'), true, 'notin matches a missing key');
    assert.equal(m('missing in (a)'), false);
    assert.equal(m('app'), true);
    assert.equal(m('!app'), false);
    assert.equal(m('!missing'), true);
    assert.equal(m('n>4'), true);
    assert.equal(m('n>5'), false);
    assert.equal(m('n<6'), true);
    assert.equal(m('app>1'), false, 'a non-integer label never satisfies gt');
    assert.equal(m('missing='), false, 'an empty value needs the key present');
    assert.equal(parseLabelSelector('missing=').matches({ missing: '' }), true);
    assert.equal(parseLabelSelector('a').matches(null), false);
    assert.equal(parseLabelSelector('!a').matches(undefined), true);
  });

  test('syntax errors carry upstream wording', () => {
    assert.equal(errorOf('a=b c'), "found 'c', expected: ',' or 'end of string'");
    assert.equal(errorOf('a,'), "found '', expected: identifier after ','");
    assert.equal(errorOf(',a'), "found ',', expected: !, identifier, or 'end of string'");
    assert.equal(errorOf('a=b=c'), "found '=', expected: ',' or 'end of string'");
    assert.equal(errorOf('a b'), "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
    assert.equal(errorOf('a in b'), "unable to parse requirement: found 'b' expected: '('");
    assert.equal(errorOf('a in (b'), "unable to parse requirement: found '', expected: ',' or ')'");
    assert.equal(errorOf('a in (b c)'), "unable to parse requirement: found 'c', expected: ',' or ')'");
    assert.equal(errorOf('a in (=)'), "unable to parse requirement: found '=', expected: ',', ')' or identifier");
    assert.equal(errorOf('!'), "unable to parse requirement: found '', expected: identifier");
    assert.equal(errorOf('a=(b)'), "unable to parse requirement: found '(', expected: identifier");
  });

  test('quoting is not supported: quotes are part of the value and fail validation', () => {
    assert.equal(errorOf('a="b"'), `unable to parse requirement: values[0][a]: Invalid value: "\\"b\\"": ${LABEL_VALUE_MSG}`);
  });

  test('invalid keys and values', () => {
    assert.equal(errorOf('k@y=1'), `unable to parse requirement: <nil>: Invalid value: "k@y": ${NAME_PART_MSG}`);
    assert.equal(errorOf('a=b@'), `unable to parse requirement: values[0][a]: Invalid value: "b@": ${LABEL_VALUE_MSG}`);
    assert.equal(
      errorOf('a in (x@,y@)'),
      `unable to parse requirement: [values[0][a]: Invalid value: "x@": ${LABEL_VALUE_MSG}, values[1][a]: Invalid value: "y@": ${LABEL_VALUE_MSG}]`,
    );
    assert.equal(errorOf('a>x'), `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`);
    assert.equal(errorOf(`a=${'v'.repeat(64)}`), `unable to parse requirement: values[0][a]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 bytes`);
  });

  test('requiresExactMatch', () => {
    assert.equal(parseLabelSelector('a=1,b in (2)').requiresExactMatch('a'), '1');
    assert.equal(parseLabelSelector('a=1,b in (2)').requiresExactMatch('b'), '2');
    assert.equal(parseLabelSelector('b in (2,3)').requiresExactMatch('b'), undefined);
    assert.equal(parseLabelSelector('a!=1').requiresExactMatch('a'), undefined);
  });
});

describe('labelSelectorFromObject', () => {
  test('nil matches nothing, empty matches everything', () => {
    assert.equal(labelSelectorFromObject(undefined).matches({}), false);
    assert.equal(labelSelectorFromObject(null).empty(), false);
    assert.equal(labelSelectorFromObject({}).matches({ a: 'b' }), true);
    assert.equal(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).empty(), true);
  });

  test('matchLabels and matchExpressions', () => {
    const sel = labelSelectorFromObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'edge'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    assert.equal(sel.toString(), 'app=web,env notin (prod),!legacy,team,tier in (edge,front)');
    assert.equal(sel.matches({ app: 'web', tier: 'front', team: 'x' }), true);
    assert.equal(sel.matches({ app: 'web', tier: 'front', team: 'x', env: 'prod' }), false);
    assert.equal(sel.matches({ app: 'web', tier: 'front', team: 'x', legacy: '' }), false);
    assert.equal(sel.matches({ app: 'web', tier: 'back', team: 'x' }), false);
    assert.equal(sel.matches({ app: 'web', tier: 'front' }), false);
  });

  test('errors', () => {
    assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Foo' }] }), {
      name: 'LabelSelectorError',
      message: '"Foo" is not a valid label selector operator',
    });
    assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), {
      message: "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    });
    assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), {
      message: 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    });
    assert.throws(() => labelSelectorFromObject({ matchLabels: { 'bad key': 'v' } }), {
      message: `key: Invalid value: "bad key": ${NAME_PART_MSG}`,
    });
  });
});

describe('helpers', () => {
  test('selectorFromSet and formatting', () => {
    assert.equal(selectorFromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2');
    assert.equal(selectorFromSet({}).empty(), true);
    assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
    assert.equal(formatLabels({}), '<none>');
    assert.equal(formatLabelSelector(undefined), '<none>');
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bad' }] }), '<error>');
  });

  test('Requirement.create validates like NewRequirement, with an optional path', () => {
    assert.equal(Requirement.create('a', 'in', ['y', 'x']).toString(), 'a in (x,y)');
    assert.throws(() => Requirement.create('a', '=', ['x', 'y'], 'spec.selector'), {
      message: 'spec.selector.values: Invalid value: []string{"x", "y"}: exact-match compatibility requires one single value',
    });
    assert.equal(LabelSelector.everything().matches({ x: 'y' }), true);
    assert.equal(LabelSelector.nothing().matches({}), false);
  });
});
