import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError, parseConfigText } from '../../src/config/load.ts';

const head = 'version: 1\nname: shop\n';

function errorsOf(text: string): string[] {
  const result = parseConfigText(text, 'paas.yaml');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

describe('Fargate cpu/memory pairs', () => {
  it('accepts every pair AWS accepts, and nothing else, for each cpu', () => {
    const accepted: Record<string, string[]> = {};
    for (const cpu of [0.25, 0.5, 1, 2, 4]) {
      for (const memory of ['512Mi', '1Gi', '2Gi', '3Gi', '4Gi', '8Gi', '16Gi', '30Gi', '32Gi']) {
        const ok = errorsOf(`${head}services:\n  web: { type: web, image: x, cpu: ${cpu}, memory: ${memory} }\n`).length === 0;
        if (ok) (accepted[cpu] ??= []).push(memory);
      }
    }
    assert.deepEqual(accepted, {
      0.25: ['512Mi', '1Gi', '2Gi'],
      0.5: ['1Gi', '2Gi', '3Gi', '4Gi'],
      1: ['2Gi', '3Gi', '4Gi', '8Gi'],
      2: ['4Gi', '8Gi', '16Gi'],
      4: ['8Gi', '16Gi', '30Gi'],
    });
  });

  it('names the memory a cpu needs when memory is left at its default', () => {
    assert.deepEqual(errorsOf(`${head}services:\n  web:\n    type: web\n    image: x\n    cpu: 2\n`), [
      'paas.yaml:7:10: services.web.cpu: cpu 2 cannot run with the default memory 512Mi (with cpu 2, memory must be 4Gi to 16Gi in steps of 1Gi)',
    ]);
  });

  it('refuses a cpu that is not a Fargate size', () => {
    assert.deepEqual(errorsOf(`${head}services:\n  web:\n    type: web\n    image: x\n    cpu: 3\n    memory: 8Gi\n`), [
      'paas.yaml:7:10: services.web.cpu: cpu 3 is not a Fargate size (use 0.25, 0.5, 1, 2, 4, 8 or 16 vCPU)',
    ]);
  });

  it('checks cron jobs and workers too, and a 16 vCPU task lists its 8Gi steps', () => {
    assert.deepEqual(errorsOf(`${head}services:\n  n: { type: cron, image: x, schedule: "0 3 * * *", cpu: 16, memory: 16Gi }\n`), [
      'paas.yaml:4:70: services.n.memory: cpu 16 with memory 16Gi is not a valid Fargate size (with cpu 16, memory must be 32Gi to 120Gi in steps of 8Gi; or keep 16Gi with cpu 2, 4 or 8)',
    ]);
  });
});

describe('references', () => {
  const cases: [string, string, string[]][] = [
    ['a from: naming a missing resource', `${head}services:\n  web:\n    type: web\n    image: x\n    env:\n      A: { from: dbb.url }\nresources:\n  db: { type: postgres }\n`,
      ['paas.yaml:8:18: services.web.env.A.from: `dbb.url` names `dbb`, which is not a resource or web service of this app (did you mean `db`?)']],
    ['a from: naming an output the type lacks', `${head}services:\n  web:\n    type: web\n    image: x\n    env:\n      A: { from: db.uri }\nresources:\n  db: { type: postgres }\n`,
      ['paas.yaml:8:18: services.web.env.A.from: postgres `db` has no output `uri` (did you mean `db.url`? outputs of a postgres: url, host, port, username, password, name)']],
    ['a from: naming a worker', `${head}services:\n  web:\n    type: web\n    image: x\n    env:\n      A: { from: w.url }\n  w: { type: worker, image: x }\n`,
      ['paas.yaml:8:18: services.web.env.A.from: `w` is a worker service; only resources and web services have outputs (reference a resource (db.url) or a web service (web.url))']],
    ['a malformed secret name', `${head}services:\n  web:\n    type: web\n    image: x\n    env:\n      A: { secret: "has space" }\n`,
      ['paas.yaml:8:20: services.web.env.A.secret: "has space" is not a secret name or ARN (a name such as stripe-key (SSM /slipway/<app>/stripe-key), an SSM path such as /shop/stripe-key, or a full SSM or Secrets Manager ARN)']],
    ['a worker queue that does not exist', `${head}services:\n  w:\n    type: worker\n    image: x\n    queue: taks\nresources:\n  tasks: { type: queue }\n`,
      ['paas.yaml:7:12: services.w.queue: queue `taks` is not a resource of this app (did you mean `tasks`?)']],
    ['a worker queue that is not a queue', `${head}services:\n  w:\n    type: worker\n    image: x\n    queue: cache\nresources:\n  cache: { type: redis }\n`,
      ['paas.yaml:7:12: services.w.queue: `cache` is a redis resource, not a queue (add a resource with type: queue)']],
    ['backlog scaling without a queue', `${head}services:\n  w:\n    type: worker\n    image: x\n    autoscaling: { backlogPerInstance: 10 }\n`,
      ['paas.yaml:7:20: services.w.autoscaling.backlogPerInstance: backlogPerInstance needs the worker to name its `queue` (add queue: <queue resource>)']],
    ['a function trigger bucket that does not exist', `${head}services:\n  f: { type: function, source: f, trigger: { bucket: up } }\nresources:\n  uploads: { type: bucket }\n`,
      ['paas.yaml:4:54: services.f.trigger.bucket: bucket `up` is not a resource of this app (defined: uploads)']],
    ['a queue trigger whose visibility timeout is shorter than the function', `${head}services:\n  f: { type: function, source: f, timeout: 2m, trigger: { queue: jobs } }\nresources:\n  jobs: { type: queue }\n`,
      ['paas.yaml:4:66: services.f.trigger.queue: queue `jobs` has visibilityTimeout 30s, shorter than this function\'s timeout (120s) (set resources.jobs.visibilityTimeout to at least 120s)']],
    ['a service and a resource with one name', `${head}services:\n  db: { type: static, source: s }\nresources:\n  db: { type: redis }\n`,
      ['paas.yaml:6:3: resources.db: resource name `db` is also a service name (services and resources share one namespace (`from: <name>.<output>`): rename one)']],
    ['a container with neither image nor build', `${head}services:\n  web:\n    type: web\n`,
      ['paas.yaml:4:3: services.web: a container service needs `image` or `build` (image: ghcr.io/acme/app:${sha}, or build: { dockerfile: Dockerfile })']],
    ['a variable Lambda reserves', `${head}services:\n  f:\n    type: function\n    source: f\n    env:\n      AWS_REGION: us-east-1\n`,
      ['paas.yaml:8:7: services.f.env.AWS_REGION: AWS_REGION is set by Lambda itself (choose another name)']],
  ];
  for (const [name, text, expected] of cases) it(`reports ${name}`, () => assert.deepEqual(errorsOf(text), expected));

  it('accepts every documented output of every kind, secrets by name, path and ARN', () => {
    const env = [
      'db.url', 'db.host', 'db.port', 'db.username', 'db.password', 'db.name', 'cache.url', 'cache.host', 'cache.port',
      'tasks.url', 'tasks.arn', 'tasks.name', 'files.name', 'files.arn', 'web.url',
    ].map((ref, i) => `      V${i}: { from: ${ref} }`).join('\n');
    const text = `${head}services:\n  web:\n    type: web\n    image: x\n    env:\n${env}\n      S1: { secret: stripe-key }\n      S2: { secret: /shop/stripe-key }\n      S3: { secret: "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-abc123" }\n      S4: { secret: "arn:aws:ssm:us-east-1:123456789012:parameter/shop/key" }\nresources:\n  db: { type: postgres }\n  cache: { type: redis }\n  tasks: { type: queue }\n  files: { type: bucket }\n`;
    assert.deepEqual(errorsOf(text), []);
  });
});

describe('ranges, schedules and domains', () => {
  const cases: [string, string, string[]][] = [
    ['min above max', `${head}services:\n  web:\n    type: web\n    image: x\n    instances: { min: 5, max: 2 }\n`,
      ['paas.yaml:7:23: services.web.instances.min: min (5) is greater than max (2) (min must be ≤ max)']],
    ['a cron expression that does not parse', `${head}services:\n  n:\n    type: cron\n    image: x\n    schedule: "0 25 * * *"\n`,
      ['paas.yaml:7:15: services.n.schedule: cron expression "0 25 * * *" does not parse: Constraint error, got value 25 expected range 0-23 (minute hour day-of-month month day-of-week (UTC), such as "0 3 * * *")']],
    ['a six-field cron expression', `${head}services:\n  n:\n    type: cron\n    image: x\n    schedule: "0 0 3 * * *"\n`,
      ['paas.yaml:7:15: services.n.schedule: cron expression "0 0 3 * * *" has 6 fields; expected 5 (minute hour day-of-month month day-of-week (UTC), such as "0 3 * * *"; no seconds, no year)']],
    ['a cron expression AWS cannot run', `${head}services:\n  n:\n    type: cron\n    image: x\n    schedule: "0 3 1 * 1"\n`,
      ['paas.yaml:7:15: services.n.schedule: cron expression "0 3 1 * 1" restricts both day-of-month and day-of-week, which AWS schedules cannot do (set one of the two to *)']],
    ['a schedule floor above instances.max', `${head}services:\n  web:\n    type: web\n    image: x\n    instances: { min: 1, max: 3 }\n    schedule:\n      - { cron: "0 8 * * 1-5", min: 4 }\n`,
      ['paas.yaml:9:37: services.web.schedule[0].min: schedule[0] raises min to 4, above instances.max (3) (AWS refuses a scheduled min above max: raise instances.max to at least 4 or add max: 4 to the entry; in an environment, schedule: [] drops the floors)']],
    ['a schedule floor with neither min nor max', `${head}services:\n  web:\n    type: web\n    image: x\n    schedule:\n      - { cron: "0 8 * * 1-5" }\n`,
      ['paas.yaml:8:9: services.web.schedule[0]: a schedule entry sets `min`, `max` or both (such as { cron: "0 8 * * 1-5", min: 4 })']],
    ['a domain two services claim', `${head}services:\n  a: { type: web, image: x, domains: [a.example.com] }\n  b: { type: static, source: s, domains: [a.example.com] }\n`,
      ['paas.yaml:5:43: services.b.domains[0]: domain a.example.com is already used by services.a (each domain can point at one service)']],
    ['a health timeout not shorter than its interval', `${head}services:\n  web: { type: web, image: x, health: { interval: 5s, timeout: 5s } }\n`,
      ['paas.yaml:4:64: services.web.health.timeout: timeout 5s must be shorter than interval 5s']],
    ['a preview ttl out of range', `${head}previews: { enabled: true, ttl: 90d }\n`,
      ['paas.yaml:3:33: previews.ttl: ttl 90d is out of range (previews live between 1h and 30d)']],
    ['prometheus without a url', `${head}metrics: { source: prometheus }\n`,
      ['paas.yaml:3:1: metrics: metrics.source prometheus needs `url` (the Prometheus base URL, such as https://prometheus.example.com)']],
    ['a function too large for Lambda', `${head}services:\n  f: { type: function, source: f, memory: 16Gi, timeout: 20m }\n`, [
      'paas.yaml:4:43: services.f.memory: memory 16Gi is out of range for a function (Lambda takes 128Mi to 10Gi)',
      'paas.yaml:4:58: services.f.timeout: timeout 20m is out of range for a function (Lambda runs 1s to 15m)',
    ]],
    ['SQS limits', `${head}resources:\n  q: { type: queue, visibilityTimeout: 13h, retention: 15d }\n`, [
      'paas.yaml:4:40: resources.q.visibilityTimeout: visibilityTimeout 13h is out of range (SQS takes 0s to 12h)',
      'paas.yaml:4:56: resources.q.retention: retention 15d is out of range (SQS keeps messages 1m to 14d)',
    ]],
    ['bucket expiry in hours', `${head}resources:\n  b: { type: bucket, expireAfter: 36h }\n`,
      ['paas.yaml:4:35: resources.b.expireAfter: expireAfter 36h is not a whole number of days (S3 expires objects after whole days: 1d, 30d, 365d)']],
  ];
  for (const [name, text, expected] of cases) it(`reports ${name}`, () => assert.deepEqual(errorsOf(text), expected));
});
