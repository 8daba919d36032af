/**
 * Configs built in code, as the loader would return them, so synthesis is tested apart from YAML
 * parsing. `microservicesDemo` mirrors fixtures/apps/microservices-demo.
 */
import { PaasConfig } from '../../src/config/schema.ts';
import type { ResolvedConfig } from '../../src/config/schema.ts';

export function resolved(input: unknown, environment = 'production'): ResolvedConfig {
  return { ...PaasConfig.parse(input), environment };
}

export const microservicesDemoInput = {
  version: 1,
  name: 'shop',
  region: 'us-east-1',
  tags: { team: 'payments' },
  services: {
    web: {
      type: 'web',
      image: 'ghcr.io/acme/shop:${sha}',
      command: ['node', 'server.js'],
      port: 8080,
      cpu: 0.5,
      memory: '1Gi',
      instances: { min: 2, max: 10 },
      autoscaling: { cpu: 60, memory: 75, requestsPerInstance: 500 },
      schedule: [
        { cron: '0 8 * * 1-5', min: 4 },
        { cron: '0 20 * * *', min: 2 },
      ],
      health: { path: '/healthz', interval: '10s', timeout: '5s', grace: '30s' },
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: { from: 'db.url' },
        DB_PASSWORD: { from: 'db.password' },
        REDIS_URL: { from: 'cache.url' },
        TASKS_URL: { from: 'tasks.url' },
        STRIPE_KEY: { secret: 'stripe-key' },
      },
      domains: ['shop.example.com'],
    },
    jobs: {
      type: 'worker',
      image: 'ghcr.io/acme/shop:${sha}',
      command: ['node', 'worker.js'],
      queue: 'tasks',
      instances: { min: 1, max: 20 },
      autoscaling: { backlogPerInstance: 100 },
      env: { DATABASE_URL: { from: 'db.url' } },
    },
    nightly: {
      type: 'cron',
      schedule: '0 3 * * *',
      image: 'ghcr.io/acme/shop:${sha}',
      command: ['node', 'report.js'],
      timeout: '30m',
    },
  },
  resources: {
    db: { type: 'postgres', version: '16', size: 'small', storage: '20Gi', highAvailability: false, backupDays: 7 },
    cache: { type: 'redis', size: 'micro' },
    tasks: { type: 'queue', deadLetterAfter: 5 },
  },
  environments: {
    staging: { region: 'us-west-2', services: { web: { instances: { min: 1, max: 2 } } } },
  },
};

export const aiPipelineInput = {
  version: 1,
  name: 'vision',
  services: {
    thumbnails: {
      type: 'function',
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      source: 'functions/thumbnails',
      memory: '512Mi',
      timeout: '30s',
      trigger: { bucket: 'uploads' },
      env: { OUT_BUCKET: { from: 'uploads.name' }, API_TOKEN: { secret: 'api-token' } },
    },
    embed: { type: 'function', source: 'functions/embed', trigger: { queue: 'work' } },
    hourly: { type: 'function', source: 'functions/hourly', trigger: { schedule: '0 * * * *' } },
    hook: { type: 'function', source: 'functions/hook', trigger: { http: true } },
    train: { type: 'cron', schedule: '0 2 * * 0', build: { dockerfile: 'Dockerfile.train' }, cpu: 4, memory: '16Gi', timeout: '6h' },
    site: { type: 'static', source: 'public/', spa: true, domains: ['vision.example.com'] },
  },
  resources: {
    uploads: { type: 'bucket', versioning: true, expireAfter: '30d' },
    work: { type: 'queue', deadLetterAfter: 3, visibilityTimeout: '5m' },
  },
};
