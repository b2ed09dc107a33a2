import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FieldErrors,
  OMIT_VALUE,
  aggregateMessage,
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  fieldTooLong,
  fieldTypeInvalid,
  formatBadValue,
  goQuote,
  invalidMessage,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  makeFieldError,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  validateAnnotations,
  validateLabels,
  validateObjectMeta,
  validatePathSegmentName,
} from './validation.ts';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('field error messages (upstream field.Error.Error())', () => {
  test('Invalid with a number, a string, a bool', () => {
    assert.equal(fieldInvalid('spec.replicas', -1, 'must be greater than or equal to 0').message, 'spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    assert.equal(fieldInvalid('metadata.name', 'Foo', 'bad').message, 'metadata.name: Invalid value: "Foo": bad');
    assert.equal(fieldInvalid('spec.x', true, 'no').message, 'spec.x: Invalid value: true: no');
    assert.equal(fieldInvalid('spec.x', null, 'no').message, 'spec.x: Invalid value: null: no');
  });

  test('Required, Forbidden, TooLong never show the value', () => {
    assert.equal(fieldRequired('metadata.name', 'name or generateName is required').message, 'metadata.name: Required value: name or generateName is required');
    assert.equal(fieldRequired('metadata.namespace').message, 'metadata.namespace: Required value');
    assert.equal(fieldForbidden('metadata.namespace', 'not allowed on this type').message, 'metadata.namespace: Forbidden: not allowed on this type');
    assert.equal(fieldTooLong('metadata.annotations', '', 262144).message, 'metadata.annotations: Too long: must have at most 262144 bytes');
  });

  test('NotSupported lists the quoted supported values', () => {
    const e = fieldNotSupported('spec.restartPolicy', 'Sometimes', ['Always', 'Never', 'OnFailure']);
    assert.equal(e.message, 'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"');
    assert.equal(e.body, 'Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"');
    assert.equal(e.type, 'FieldValueNotSupported');
    assert.equal(fieldNotSupported('x', 'y', []).message, 'x: Unsupported value: "y"');
  });

  test('Duplicate and TypeInvalid', () => {
    assert.equal(fieldDuplicate('spec.ports[1].name', 'http').message, 'spec.ports[1].name: Duplicate value: "http"');
    assert.equal(fieldTypeInvalid('spec.replicas', 'three', 'must be an integer').message, 'spec.replicas: Invalid value: "three": must be an integer');
  });

  test('an omitted value prints only the type', () => {
    assert.equal(makeFieldError('FieldValueInvalid', 'a', OMIT_VALUE, 'detail').message, 'a: Invalid value: detail');
  });

  test('values render like Go: %q strings, %#v string slices', () => {
    assert.equal(goQuote('a"b\\c\n\t\x00é'), '"a\\"b\\\\c\\n\\t\\x00é"');
    assert.equal(formatBadValue(['a', 'b']), '[]string{"a", "b"}');
    assert.equal(formatBadValue([]), '[]string{}');
    assert.equal(formatBadValue(1.5), '1.5');
  });

  test('aggregate: one message alone, several deduplicated in brackets', () => {
    assert.equal(aggregateMessage(['a']), 'a');
    assert.equal(aggregateMessage(['a', 'b', 'a']), '[a, b]');
    assert.equal(aggregateMessage([]), '');
  });

  test('FieldErrors collects in order', () => {
    const errs = new FieldErrors().required('metadata.name', 'name or generateName is required').invalid('spec.replicas', -1, 'must be greater than or equal to 0');
    assert.equal(errs.length, 2);
    assert.deepEqual(errs.list.map((e) => e.type), ['FieldValueRequired', 'FieldValueInvalid']);
    assert.equal(
      errs.toString(),
      '[metadata.name: Required value: name or generateName is required, spec.replicas: Invalid value: -1: must be greater than or equal to 0]',
    );
  });

  test('invalidMessage qualifies the kind with its group', () => {
    const e = [fieldInvalid('spec.replicas', -1, 'must be greater than or equal to 0')];
    assert.equal(invalidMessage('apps', 'Deployment', 'web', e), 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    assert.equal(invalidMessage('', 'Pod', 'p', e), 'Pod "p" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  });
});

describe('DNS names', () => {
  test('subdomain', () => {
    for (const ok of ['a', 'a.b', 'example.com', '0', '1-a.b-2', 'a'.repeat(253)]) assert.deepEqual(isDNS1123Subdomain(ok), [], ok);
    assert.deepEqual(isDNS1123Subdomain('Example.com'), [SUBDOMAIN_MSG]);
    assert.deepEqual(isDNS1123Subdomain('a..b'), [SUBDOMAIN_MSG]);
    assert.deepEqual(isDNS1123Subdomain('-a'), [SUBDOMAIN_MSG]);
    assert.deepEqual(isDNS1123Subdomain(''), [SUBDOMAIN_MSG]);
    assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  });

  test('label', () => {
    assert.deepEqual(isDNS1123Label('my-name'), []);
    assert.deepEqual(isDNS1123Label('123-abc'), []);
    assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
    assert.deepEqual(isDNS1123Label('a_b'), [LABEL_MSG]);
    assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  });

  test('DNS-1035 label must start with a letter', () => {
    assert.deepEqual(isDNS1035Label('abc-123'), []);
    assert.deepEqual(isDNS1035Label('1abc'), [DNS1035_MSG]);
  });

  test('generateName: a trailing dash is allowed', () => {
    assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
    assert.deepEqual(nameIsDNSLabel('web-', true), []);
    assert.deepEqual(nameIsDNS1035Label('web-', true), []);
    assert.deepEqual(nameIsDNSSubdomain('web-', false), [SUBDOMAIN_MSG]);
  });

  test('path segment names', () => {
    assert.deepEqual(validatePathSegmentName('system:admin', false), []);
    assert.deepEqual(validatePathSegmentName('..', false), ["may not be '..'"]);
    assert.deepEqual(validatePathSegmentName('a/b%c', false), ["may not contain '/'", "may not contain '%'"]);
    assert.deepEqual(validatePathSegmentName('.', true), []);
  });
});

describe('qualified names and label values', () => {
  test('valid keys', () => {
    for (const ok of ['simple', 'now-with-dashes', '1-starts-with-num', 'example.com/Uppercase_Is_OK_123', 'a'.repeat(63), 'a'.repeat(253) + '/' + 'b'.repeat(63)]) {
      assert.deepEqual(isQualifiedName(ok), [], ok);
    }
  });

  test('bad name part', () => {
    assert.deepEqual(isQualifiedName('cantendwithadash-'), [NAME_PART_MSG]);
    assert.deepEqual(isQualifiedName('a'.repeat(64)), ['name part must be no more than 63 bytes']);
    assert.deepEqual(isQualifiedName('example.com/'), ['name part must be non-empty', NAME_PART_MSG]);
  });

  test('bad prefix', () => {
    assert.deepEqual(isQualifiedName('/simple'), ['prefix part must be non-empty']);
    assert.deepEqual(isQualifiedName('Example.com/abc'), ['prefix part ' + SUBDOMAIN_MSG]);
  });

  test('more than one slash', () => {
    assert.deepEqual(isQualifiedName('only/one/slash'), [
      "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]);
  });

  test('label values', () => {
    for (const ok of ['', 'simple', 'end-with-num-1', 'a'.repeat(63)]) assert.deepEqual(isValidLabelValue(ok), [], ok);
    assert.deepEqual(isValidLabelValue('-starts-with-dash'), [LABEL_VALUE_MSG]);
    assert.deepEqual(isValidLabelValue('a'.repeat(64)), ['must be no more than 63 bytes']);
    // length is in UTF-8 bytes: 32 two-byte characters are 64 bytes
    assert.deepEqual(isValidLabelValue('é'.repeat(32)), ['must be no more than 63 bytes', LABEL_VALUE_MSG]);
  });

  test('validateLabels reports on the map path', () => {
    const errs = validateLabels({ 'bad key!': 'v', ok: 'bad value!' }, 'metadata.labels');
    assert.equal(errs.length, 2);
    assert.equal(errs[0]!.message, `metadata.labels: Invalid value: "bad key!": ${NAME_PART_MSG}`);
    assert.equal(errs[1]!.message, `metadata.labels: Invalid value: "bad value!": ${LABEL_VALUE_MSG}`);
  });

  test('annotation keys ignore case; total size is capped at 256 KiB', () => {
    assert.deepEqual(validateAnnotations({ 'Example.com/Key': 'v' }, 'metadata.annotations'), []);
    assert.deepEqual(validateAnnotations({ a: 'x'.repeat(256 * 1024 - 1) }, 'metadata.annotations'), []);
    const errs = validateAnnotations({ a: 'x'.repeat(256 * 1024) }, 'metadata.annotations');
    assert.deepEqual(errs.map((e) => e.message), ['metadata.annotations: Too long: must have at most 262144 bytes']);
  });
});

describe('validateObjectMeta', () => {
  const namespaced = { namespaced: true, nameValidator: nameIsDNSSubdomain };
  const cluster = { namespaced: false, nameValidator: nameIsDNSSubdomain };

  test('a good object has no errors', () => {
    assert.deepEqual(validateObjectMeta({ name: 'web', namespace: 'default', labels: { app: 'web' } }, namespaced), []);
    assert.deepEqual(validateObjectMeta({ name: 'node-1' }, cluster), []);
  });

  test('name or generateName is required, namespace required for namespaced kinds', () => {
    const errs = validateObjectMeta({}, namespaced);
    assert.deepEqual(errs.map((e) => e.message), [
      'metadata.name: Required value: name or generateName is required',
      'metadata.namespace: Required value',
    ]);
  });

  test('namespace is forbidden on cluster-scoped kinds', () => {
    assert.deepEqual(validateObjectMeta({ name: 'n', namespace: 'x' }, cluster).map((e) => e.message), [
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
  });

  test('bad name, generateName and namespace', () => {
    const errs = validateObjectMeta({ name: 'Bad_Name', generateName: 'Bad-', namespace: 'a.b' }, namespaced);
    assert.deepEqual(errs.map((e) => e.message), [
      `metadata.generateName: Invalid value: "Bad-": ${SUBDOMAIN_MSG}`,
      `metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_MSG}`,
      'metadata.namespace: Invalid value: "a.b": must not contain dots',
    ]);
  });

  test('negative generation, bad finalizer, conflicting finalizers', () => {
    const errs = validateObjectMeta({ name: 'a', namespace: 'd', generation: -1, finalizers: ['orphan', 'foregroundDeletion'] }, namespaced);
    assert.deepEqual(errs.map((e) => e.message), [
      'metadata.generation: Invalid value: -1: must be greater than or equal to 0',
      'metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
    ]);
  });

  test('owner references need version, kind, name, uid; one controller only', () => {
    const errs = validateObjectMeta(
      {
        name: 'a',
        namespace: 'd',
        ownerReferences: [
          { apiVersion: 'apps/', kind: '', name: 'x', uid: '1', controller: true },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'y', uid: '', controller: true },
        ],
      },
      namespaced,
    );
    const messages = errs.map((e) => e.message);
    assert.equal(messages[0], 'metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty');
    assert.equal(messages[1], 'metadata.ownerReferences.kind: Invalid value: "": must not be empty');
    assert.equal(messages[2], 'metadata.ownerReferences.uid: Invalid value: "": must not be empty');
    assert.match(messages[3]!, /Only one reference can have Controller set to true\. Found "true" in references for \/x and ReplicaSet\/y$/);
  });
});
