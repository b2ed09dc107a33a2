import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../../apimachinery/object.ts';
import type { Store } from '../store.ts';
import { cronParseError } from './cron.ts';
import { obj, openCluster, podSpec, rejects422, statusOf, type TestCluster } from './testkit.ts';

const job = (name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KObject =>
  obj({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, ...metadata }, spec });
const cronJob = (name: string, spec: Record<string, unknown>): KObject => obj({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name }, spec });
const never = (extra: Record<string, unknown> = {}) => ({ spec: podSpec({ restartPolicy: 'Never', ...extra }) });

describe('cron schedules (robfig/cron v3 ParseStandard)', () => {
  it('accepts standard schedules, names and descriptors', () => {
    for (const s of ['* * * * *', '*/5 0-6 1,15 JAN-mar mon-fri', '0 0 * * 0', '30 4 ? * SUN', '@hourly', '@yearly', '@every 1h30m', '5/15 * * * *', 'CRON_TZ=UTC 0 3 * * *']) {
      assert.equal(cronParseError(s), undefined, s);
    }
  });
  it('rejects with the library wording', () => {
    const cases: [string, string][] = [
      ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
      ['* * * * * *', 'expected exactly 5 fields, found 6: [* * * * * *]'],
      ['61 * * * *', 'end of range (61) above maximum (59): 61'],
      ['0 0 0 * *', 'beginning of range (0) below minimum (1): 0'],
      ['5-2 * * * *', 'beginning of range (5) beyond end of range (2): 5-2'],
      ['*/0 * * * *', 'step of range should be a positive number: */0'],
      ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
      ['1/2/3 * * * *', 'too many slashes: 1/2/3'],
      ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
      ['* * * foo *', 'failed to parse int from foo: strconv.Atoi: parsing "foo": invalid syntax'],
      ['@often', 'unrecognized descriptor: @often'],
      ['@every soon', 'failed to parse duration @every soon: time: invalid duration "soon"'],
      ['TZ=Mars/Olympus 0 0 * * *', 'provided bad location Mars/Olympus: unknown time zone Mars/Olympus'],
    ];
    for (const [s, msg] of cases) assert.equal(cronParseError(s), msg, s);
  });
});

describe('batch/v1 strategies', () => {
  let cl: TestCluster;
  let jobs: Store;
  let cronJobs: Store;
  before(async () => {
    cl = await openCluster();
    jobs = cl.store('batch', 'jobs');
    cronJobs = cl.store('batch', 'cronjobs');
  });
  after(async () => cl?.destroy());

  describe('Job', () => {
    it('defaults the spec and generates the selector and labels as the job strategy does', async () => {
      const j = await jobs.create('default', job('pi', { template: never() }));
      const uid = j.metadata.uid!;
      const generated = {
        'job-name': 'pi',
        'batch.kubernetes.io/job-name': 'pi',
        'controller-uid': uid,
        'batch.kubernetes.io/controller-uid': uid,
      };
      const spec = j.spec as any;
      assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
      assert.deepEqual(spec.template.metadata.labels, generated);
      assert.deepEqual(j.metadata.labels, generated);
      assert.equal(spec.completions, 1);
      assert.equal(spec.parallelism, 1);
      assert.equal(spec.backoffLimit, 6);
      assert.equal(spec.completionMode, 'NonIndexed');
      assert.equal(spec.suspend, false);
      assert.equal(spec.manualSelector, false);
      assert.equal(spec.podReplacementPolicy, 'TerminatingOrFailed');
      assert.equal(spec.template.spec.terminationGracePeriodSeconds, 30);
      assert.equal(spec.template.spec.enableServiceLinks, undefined);
      assert.deepEqual(j.status, {});
      assert.equal(j.metadata.generation, 1);

      const withLabels = await jobs.create('default', job('lbl', { parallelism: 3, template: { metadata: { labels: { app: 'x' } }, ...never() } }));
      assert.equal((withLabels.spec as any).completions, undefined); // only parallelism given: completions stays unset
      assert.equal(withLabels.metadata.labels?.app, 'x');
      assert.equal(withLabels.metadata.labels?.['job-name'], 'lbl');
      const own = await jobs.create('default', job('own', { template: never() }, { labels: { team: 'a' } }));
      assert.deepEqual(own.metadata.labels, { team: 'a' });
    });

    it('rejects invalid jobs with upstream messages', async () => {
      await rejects422(
        jobs.create('default', job('always', { template: { spec: podSpec() } })),
        'Job.batch "always" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
      );
      await rejects422(
        jobs.create('default', job('manual', { manualSelector: true, template: never() })),
        'Job.batch "manual" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`]',
      );
      const s = await statusOf(jobs.create('default', job('sel', { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, ...never() } })));
      assert.equal(s.code, 422);
      assert.match(s.message!, /^Job\.batch "sel" is invalid: spec\.selector: Invalid value: v1\.LabelSelector\{MatchLabels:map\[string\]string\{"app":"x", "batch\.kubernetes\.io\/controller-uid":"[-0-9a-f]+"\}, MatchExpressions:\[\]v1\.LabelSelectorRequirement\(nil\)\}: `selector` not auto-generated$/);
      await rejects422(
        jobs.create('default', job('neg', { backoffLimit: -1, template: never() })),
        'Job.batch "neg" is invalid: spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0',
      );
      await rejects422(
        jobs.create('default', job('idx', { completionMode: 'Indexed', parallelism: 2, template: never() })),
        'Job.batch "idx" is invalid: spec.completions: Required value: when completion mode is Indexed',
      );
    });

    it('the selector, template and completions are immutable; parallelism and suspend are not', async () => {
      await jobs.create('default', job('imm', { template: never() }));
      const get = async () => structuredClone(await jobs.get('default', 'imm')) as any;
      let j = await get();
      j.spec.parallelism = 2;
      j.spec.suspend = true;
      j.metadata.labels.extra = 'yes';
      const { object } = await jobs.update('default', 'imm', j);
      assert.equal(object.metadata.generation, 2);
      j = await get();
      j.spec.completions = 3;
      await rejects422(jobs.update('default', 'imm', j), 'Job.batch "imm" is invalid: spec.completions: Invalid value: 3: field is immutable');
      j = await get();
      j.spec.template.spec.containers[0].image = 'busybox:1.37';
      const t = await statusOf(jobs.update('default', 'imm', j));
      assert.equal(t.code, 422);
      assert.match(t.message!, /^Job\.batch "imm" is invalid: spec\.template: Invalid value: core\.PodTemplateSpec\{.*\}: field is immutable$/);
      // a suspended job that never started may change its scheduling directives
      j = await get();
      j.spec.template.spec.nodeSelector = { disk: 'ssd' };
      const moved = await jobs.update('default', 'imm', j);
      assert.deepEqual((moved.object.spec as any).template.spec.nodeSelector, { disk: 'ssd' });
      j = await get();
      j.spec.selector = { matchLabels: { other: 'x' } };
      const sel = await statusOf(jobs.update('default', 'imm', j));
      assert.match(sel.message!, /spec\.selector: Invalid value: v1\.LabelSelector\{MatchLabels:map\[string\]string\{"other":"x"\}, MatchExpressions:\[\]v1\.LabelSelectorRequirement\(nil\)\}: field is immutable/);
    });
  });

  describe('CronJob', () => {
    it('defaults the policy, history limits and the job template pod (not the job spec)', async () => {
      const cj = await cronJobs.create('default', cronJob('hello', { schedule: '*/1 * * * *', jobTemplate: { spec: { template: never() } } }));
      const spec = cj.spec as any;
      assert.equal(spec.concurrencyPolicy, 'Allow');
      assert.equal(spec.suspend, false);
      assert.equal(spec.successfulJobsHistoryLimit, 3);
      assert.equal(spec.failedJobsHistoryLimit, 1);
      assert.equal(spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
      assert.equal(spec.jobTemplate.spec.backoffLimit, undefined);
      assert.deepEqual(cj.status, {});
      assert.equal(cj.metadata.generation, 1);
    });

    it('rejects invalid cron jobs with upstream messages', async () => {
      await rejects422(
        cronJobs.create('default', cronJob('bad', { schedule: '61 * * * *', jobTemplate: { spec: { template: never() } } })),
        'CronJob.batch "bad" is invalid: spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
      );
      await rejects422(
        cronJobs.create('default', cronJob('nosched', { jobTemplate: { spec: { template: never() } } })),
        'CronJob.batch "nosched" is invalid: spec.schedule: Required value',
      );
      await rejects422(
        cronJobs.create('default', cronJob('conc', { schedule: '@daily', concurrencyPolicy: 'Sometimes', jobTemplate: { spec: { template: never() } } })),
        'CronJob.batch "conc" is invalid: spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
      );
      await rejects422(
        cronJobs.create('default', cronJob('tz', { schedule: 'TZ=UTC 0 0 * * *', jobTemplate: { spec: { template: never() } } })),
        'CronJob.batch "tz" is invalid: spec.schedule: Invalid value: "TZ=UTC 0 0 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      );
      await rejects422(
        cronJobs.create('default', cronJob('zone', { schedule: '@daily', timeZone: 'Mars/Olympus', jobTemplate: { spec: { template: never() } } })),
        'CronJob.batch "zone" is invalid: spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
      );
      const long = 'c'.repeat(53);
      await rejects422(
        cronJobs.create('default', cronJob(long, { schedule: '@daily', jobTemplate: { spec: { template: never() } } })),
        `CronJob.batch "${long}" is invalid: metadata.name: Invalid value: "${long}": must be no more than 52 characters`,
      );
      await rejects422(
        cronJobs.create('default', cronJob('jsel', { schedule: '@daily', jobTemplate: { spec: { selector: { matchLabels: { a: 'b' } }, template: never() } } })),
        'CronJob.batch "jsel" is invalid: spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated',
      );
      await rejects422(
        cronJobs.create('default', cronJob('jrp', { schedule: '@daily', jobTemplate: { spec: { template: { spec: podSpec({ restartPolicy: 'Always' }) } } } })),
        'CronJob.batch "jrp" is invalid: spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
      );
      await cronJobs.create('default', cronJob('good-zone', { schedule: '0 9 * * MON-FRI', timeZone: 'Europe/Paris', jobTemplate: { spec: { template: never() } } }));
    });
  });
});
