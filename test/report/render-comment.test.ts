import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffCost } from '../../src/cost/diff-cost.ts';
import { estimateCost } from '../../src/cost/estimate-cost.ts';
import { diffTerraform } from '../../src/plan/diff-terraform.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';
import type { PolicyResult } from '../../src/policy/types.ts';
import { finishedCommentBody, readCommentState } from '../../src/report/comment-state.ts';
import { checkMarkdown, COMMENT_MARKER, findMarker, githubCommentLimit, renderComment, renderJson, renderText, type ReportApp } from '../../src/report/index.ts';

const tag = (component: string) => ({ tags: { 'slipway:component': component } });

function app(before: TerraformJson | null, after: TerraformJson, name = 'shop'): ReportApp {
  const plan = diffTerraform(before, after);
  const cost = diffCost(before ? estimateCost(before, { region: 'us-east-1' }) : null, estimateCost(after, { region: 'us-east-1' }));
  return { name, environment: 'production', plan, cost };
}

const before: TerraformJson = {
  resource: {
    aws_db_instance: { db: { identifier: 'shop-db', instance_class: 'db.t4g.small', allocated_storage: 20, storage_type: 'gp3', password: 'SuperSecretPassw0rd!', ...tag('db') } },
    aws_sqs_queue: { old: { name: 'old', ...tag('old') } },
    aws_ecs_task_definition: { web: { cpu: '512', memory: '1024', container_definitions: JSON.stringify([{ name: 'web', image: 'shop:1', environment: [{ name: 'API_SECRET', value: 'topsecret-api-value-1' }] }]), ...tag('web') } },
    aws_ecs_service: { web: { desired_count: 2, task_definition: '${aws_ecs_task_definition.web.arn}', ...tag('web') } },
  },
};
const after: TerraformJson = {
  resource: {
    aws_db_instance: { db: { identifier: 'shop-db-v2', instance_class: 'db.t4g.small', allocated_storage: 20, storage_type: 'gp3', password: 'SuperSecretPassw0rd-2!', ...tag('db') } },
    aws_ecs_task_definition: { web: { cpu: '512', memory: '1024', container_definitions: JSON.stringify([{ name: 'web', image: 'shop:2', environment: [{ name: 'API_SECRET', value: 'topsecret-api-value-2' }] }]), ...tag('web') } },
    aws_ecs_service: { web: { desired_count: 3, task_definition: '${aws_ecs_task_definition.web.arn}', ...tag('web') } },
    aws_s3_bucket: { uploads: { bucket: 'shop-uploads', ...tag('uploads') } },
    aws_iam_role: { r: { name: 'r', ...tag('web') } },
  },
};
const secrets = ['SuperSecretPassw0rd!', 'SuperSecretPassw0rd-2!', 'topsecret-api-value-1', 'topsecret-api-value-2'];

const policies: PolicyResult[] = [
  { ruleId: 'required-tags', description: 'd', severity: 'warning', status: 'fail', message: 'missing team tag', remediation: 'add tags.team', resources: ['aws_s3_bucket.uploads'], source: 'builtin:tags' },
  { ruleId: 'database-encrypted', description: 'd', severity: 'error', status: 'fail', message: 'storage_encrypted is false', remediation: 'set it', resources: ['aws_db_instance.db'], source: 'builtin:databases' },
  { ruleId: 'allowed-regions', description: 'd', severity: 'error', status: 'pass', message: 'ok', remediation: '', resources: [], source: 'builtin:regions' },
];

describe('renderComment', () => {
  const input = { apps: [app(before, after)], headSha: '0123456789abcdef0123456789abcdef01234567', policies, recommendations: [{ app: 'shop', service: 'web', kind: 'cpu', title: 'Lower CPU to 0.25 vCPU', detail: 'p95 CPU 12% over 14 days', monthlySaving: 14.6, confidence: 0.9 }] };
  const md = renderComment(input);

  it('starts with the hidden marker, which findMarker recognises', () => {
    assert.ok(md.startsWith(COMMENT_MARKER));
    assert.equal(findMarker(md), true);
    assert.equal(findMarker('a comment by a human'), false);
  });

  it('has the one-line summary with the cost change', () => {
    // before: db.t4g.small + 20 GB gp3, 2 web tasks; after: the same database, 3 web tasks.
    const task = 730 * (0.5 * 0.04048 + 1 * 0.004445);
    const beforeTotal = 730 * 0.032 + 20 * 0.115 + 2 * task;
    const pct = Math.round((task / beforeTotal) * 100);
    assert.match(md, new RegExp(`\\*\\*2 to create, 1 to update, 2 to replace, 1 to destroy · \\+\\$${task.toFixed(2)}/month \\(\\+${pct}%\\), plus usage-based costs\\*\\*`));
  });

  it('warns about the replaced database and the destroyed queue, saying the replace was inferred', () => {
    const warning = md.slice(md.indexOf('> [!WARNING]'), md.indexOf('### Policies'));
    assert.match(warning, /`aws_db_instance\.db` \(shop\/production\) will be \*\*replaced\*\*/);
    assert.match(warning, /replace inferred by Slipway, not reported by Terraform/);
    assert.match(warning, /`aws_sqs_queue\.old` \(shop\/production\) will be \*\*destroyed\*\*/);
    assert.doesNotMatch(warning, /aws_ecs_task_definition/, 'a task definition holds no data');
  });

  it('lists failing policies errors first, then warnings, then the passes', () => {
    const section = md.slice(md.indexOf('### Policies'));
    assert.match(section, /^### Policies: 2 failed \(1 error, 1 warning\), 1 passed/);
    assert.ok(section.indexOf('database-encrypted') < section.indexOf('required-tags'));
    assert.ok(section.indexOf('required-tags') < section.indexOf('allowed-regions'));
  });

  it('has a table per app, cost and resource details, recommendations and the sha', () => {
    assert.match(md, /### `shop` · production/);
    assert.match(md, /\| Component \| Changes \| Before \| After \| Change \|/);
    assert.match(md, /\| Resource \| Before \| After \| Change \|/);
    assert.match(md, /<summary>Resource changes \(6\)<\/summary>/);
    assert.match(md, /### Recommendations[\s\S]*Lower CPU to 0\.25 vCPU[\s\S]*\$14\.60/);
    assert.match(md, /Built from `0123456789abcdef0123456789abcdef01234567`/);
  });

  it('is well formed, and whole', () => {
    assert.deepEqual(checkMarkdown(md), []);
    assert.doesNotMatch(md, /cut to fit/);
  });

  it('never shows a sensitive value in markdown, text or JSON', () => {
    for (const output of [md, renderText(input), renderJson(input)]) {
      for (const secret of secrets) assert.ok(!output.includes(secret), secret);
      assert.ok(output.includes('(sensitive)'));
    }
  });

  it('says when there is nothing to change', () => {
    const same = renderComment({ apps: [app(after, after)], headSha: 'abc' });
    assert.match(same, /\*\*No changes · \$[\d.,]+\/month \(no change\)/);
    assert.match(same, /No resource changes\./);
  });

  it('marks the final comment, in its heading and in the state it carries as data', () => {
    const final = renderComment({ ...input, final: true });
    assert.match(final, /## Slipway plan \(final\)/);
    assert.deepEqual(readCommentState(final), { final: true, headSha: input.headSha });
    assert.deepEqual(readCommentState(renderComment(input)), { final: false, headSha: input.headSha });
  });

  it('is finished without a new plan from its state: heading and state re-rendered, the rest kept', () => {
    const open = renderComment(input);
    const finished = finishedCommentBody(open, 'Closed; the head could no longer be fetched.');
    assert.deepEqual(readCommentState(finished), { final: true, headSha: input.headSha });
    assert.match(finished, /## Slipway plan \(final\)\n\n_Closed; the head could no longer be fetched\._\n\n\*\*/);
    assert.ok(finished.endsWith(open.slice(open.indexOf('**'))), 'everything after the heading is unchanged');
    assert.equal(finished.split('## Slipway plan').length, 2, 'one heading');
  });

  it('says how to approve a failing approvable result, from its data, and not once it is approved', () => {
    const failing: PolicyResult = { ruleId: 'stateful-change-approval', description: 'd', severity: 'error', status: 'fail', message: 'aws_db_instance.db will be replaced', remediation: 'keep the identifier', resources: ['aws_db_instance.db'], source: 'builtin:stateful', approvable: true, requiresApproval: true };
    const hint = /Or approve: comment `\/slipway approve stateful-change-approval`/;
    assert.match(renderComment({ ...input, policies: [failing] }), hint);
    assert.doesNotMatch(renderComment({ ...input, policies: [{ ...failing, status: 'approved', approvedAt: 'a'.repeat(40) }] }), hint);
    assert.doesNotMatch(renderComment({ ...input, policies: [{ ...failing, approvable: false }] }), hint);
  });
});

describe('renderComment size limit', () => {
  // 1,000 resources, each with long attributes: the full comment would be several hundred KB.
  const big: TerraformJson = { resource: { aws_sqs_queue: {}, aws_db_instance: {} } };
  for (let i = 0; i < 1000; i++) {
    big.resource!.aws_sqs_queue[`queue_${i}`] = { name: `queue-${i}`, policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Resource: `arn:aws:sqs:us-east-1:123456789012:queue-${i}`, Principal: '*', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage'] }] }), tags: { 'slipway:component': `c${i % 10}`, description: 'x'.repeat(300) } };
  }
  const dbs = { before: { resource: { aws_db_instance: { main: { identifier: 'a', instance_class: 'db.t4g.small' } } } } as TerraformJson };
  big.resource!.aws_db_instance.main = { identifier: 'b', instance_class: 'db.t4g.small' };
  const input = { apps: [app(dbs.before, big)], headSha: 'feedface', policies };
  const md = renderComment(input);

  it('fits within 65,536 characters, well formed', () => {
    assert.ok(md.length <= githubCommentLimit, `${md.length}`);
    assert.ok(md.length > githubCommentLimit - 5000, 'uses the room it has');
    assert.deepEqual(checkMarkdown(md), []);
  });

  it('keeps the summary, warnings and policies whole and says what was cut', () => {
    assert.match(md, /\*\*1000 to create, 1 to replace, 0 to destroy/);
    assert.match(md, /`aws_db_instance\.main` \(shop\/production\) will be \*\*replaced\*\*/);
    assert.match(md, /database-encrypted[\s\S]*required-tags/);
    assert.match(md, /_… \d+ more resources not shown: cut to fit GitHub's 65,536-character comment limit/);
    assert.match(md, /Some details below were cut/);
    assert.match(md, /Built from `feedface`/);
    // Both the cost table and the resource changes keep a share of the room.
    assert.ok((md.match(/^\| `aws_sqs_queue\.queue_\d+` \|/gm) ?? []).length > 20);
    assert.ok((md.match(/^\*\*\+ create\*\* `aws_sqs_queue\.queue_\d+`/gm) ?? []).length > 20);
  });

  it('honours a smaller limit too', () => {
    const small = renderComment({ ...input, maxLength: 20_000 });
    assert.ok(small.length <= 20_000);
    assert.deepEqual(checkMarkdown(small), []);
  });
});

describe('checkMarkdown', () => {
  it('finds unclosed fences and unbalanced details tags', () => {
    assert.deepEqual(checkMarkdown('```diff\n+ a\n'), ['line 1: code fence never closed']);
    assert.deepEqual(checkMarkdown('<details>\n<summary>x</summary>\n'), ['line 1: <details> never closed']);
    assert.deepEqual(checkMarkdown('</details>'), ['line 1: </details> without an opening tag']);
    assert.deepEqual(checkMarkdown('````\n```\n<details>\n````\n'), [], 'a shorter fence inside does not close, tags in code do not count');
    assert.deepEqual(checkMarkdown('`<details>` in inline code'), []);
  });
});

describe('renderComment with more warnings than GitHub would accept', () => {
  it('still fits, listing the first warnings and counting the rest', () => {
    const gone: TerraformJson = { resource: { aws_s3_bucket: {} } };
    for (let i = 0; i < 3000; i++) gone.resource!.aws_s3_bucket[`bucket_with_a_rather_long_logical_name_${i}`] = { bucket: `b-${i}` };
    const md = renderComment({ apps: [app(gone, { resource: {} })], headSha: 'x' });
    assert.ok(md.length <= githubCommentLimit, `${md.length}`);
    assert.deepEqual(checkMarkdown(md), []);
    assert.match(md, /\*\*0 to create, 3000 to destroy/);
    assert.match(md, /> - … and \d+ more: run `slipway plan --format text` for all of them\./);
  });
});

describe('credential-shaped text from other modules', () => {
  it('is scrubbed from policy messages and notes in every format', () => {
    const leaky: PolicyResult = { ruleId: 'x', description: 'd', severity: 'error', status: 'fail', message: 'env STRIPE is sk_live_51HxLeakyLeakyLeaky; url postgres://app:hunter2hunter2@db/app', remediation: 'remove it', resources: [], source: 'repo:x' };
    const input = { apps: [app(null, after)], headSha: 'x', policies: [leaky], notes: ['token ghp_abcdefghijklmnopqrstuvwxyz0123456789 seen'] };
    for (const output of [renderComment(input), renderText(input), renderJson(input)]) {
      for (const secret of ['sk_live_51HxLeakyLeakyLeaky', 'hunter2hunter2', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789']) assert.ok(!output.includes(secret), secret);
      assert.ok(output.includes('postgres://app:(sensitive)@db/app'));
    }
  });
});

describe('renderComment: suggestions that are not review comments', () => {
  const cpu = { app: 'shop', service: 'web', kind: 'cpu', title: 'web: cpu 2 → 0.25 vCPU', detail: 'P90 0.1 vCPU', monthlySaving: 50, confidence: 0.9, suggestion: { file: 'apps/shop/paas.yaml', line: 10, replacement: '    cpu: 0.25' } };
  const instances = { app: 'shop', service: 'web', kind: 'instances', title: 'web: instances 4 → 2–7', detail: 'target tracking', monthlySaving: 20, confidence: 0.9, suggestion: { file: 'apps/shop/paas.yaml', line: 12, endLine: 14, replacement: '    instances: { min: 2, max: 7 }\n    autoscaling: { cpu: 75 }' } };
  const base = { apps: [app(before, after)], headSha: 'abc', recommendations: [cpu, instances] };

  it('shows the replacement text of the ones listed, with the reason said once', () => {
    const md = renderComment({ ...base, suggestionsHere: { items: [instances], reason: '1 suggestion could not be placed inline because its lines are not part of this pull request\'s diff' } });
    const section = md.slice(md.indexOf('### Recommendations'));
    assert.equal(section.match(/could not be placed inline/g)?.length, 1);
    assert.ok(section.includes('**web: instances 4 → 2–7**: replace `apps/shop/paas.yaml` lines 12–14 with\n\n```yaml\n    instances: { min: 2, max: 7 }\n    autoscaling: { cpu: 75 }\n```'));
    assert.ok(!section.includes('    cpu: 0.25'), 'an inline suggestion is not repeated');
    assert.equal(checkMarkdown(md).length, 0, 'fences and tags balanced');
  });

  it('shows nothing more when every suggestion is inline, and every one when not told', () => {
    const none = renderComment({ ...base, suggestionsHere: { items: [] } });
    assert.doesNotMatch(none, /replace `apps/);
    const all = renderComment(base);
    assert.ok(all.includes('replace `apps/shop/paas.yaml` line 10 with\n\n```yaml\n    cpu: 0.25\n```'));
    assert.ok(all.includes('lines 12–14'));
  });
});

describe('which plan a report shows', () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';
  const terraform: ReportApp = { ...app(before, after), planSource: { kind: 'terraform', tool: 'Terraform', version: '1.11.4', speculative: true } };
  const inferred: ReportApp = {
    ...app(before, after, 'blog'),
    // A reason as a careless provider might phrase it: credential-shaped text is scrubbed again.
    planSource: { kind: 'inferred', reason: 'Terraform could not plan: No valid credential sources found (key AKIAIOSFODNN7EXAMPLE)' },
  };

  it('says it under each app’s heading, in the comment, the terminal text and the JSON', () => {
    const md = renderComment({ apps: [terraform, inferred], headSha: sha });
    const shop = md.indexOf('### `shop`');
    const blog = md.indexOf('### `blog`');
    const terraformLine = md.indexOf('_Plan: Terraform 1.11.4 (speculative)_');
    const inferredLine = md.indexOf('_Plan: inferred by Slipway — Terraform could not plan: No valid credential sources found');
    assert.ok(shop >= 0 && shop < terraformLine && terraformLine < blog && blog < inferredLine, md);
    assert.doesNotMatch(md, /AKIAIOSFODNN7EXAMPLE/);
    assert.equal(checkMarkdown(md).length, 0);

    const text = renderText({ apps: [terraform, inferred], headSha: sha });
    assert.match(text, /^shop · production: .*\n {2}Plan: Terraform 1\.11\.4 \(speculative\)$/m);
    assert.match(text, /^blog · production: .*\n {2}Plan: inferred by Slipway — Terraform could not plan: No valid credential sources found/m);
    assert.doesNotMatch(text, /AKIAIOSFODNN7EXAMPLE/);

    const json = JSON.parse(renderJson({ apps: [terraform, inferred], headSha: sha }));
    assert.deepEqual(json.apps[0].planSource, { kind: 'terraform', tool: 'Terraform', version: '1.11.4', speculative: true, line: 'Plan: Terraform 1.11.4 (speculative)' });
    assert.equal(json.apps[1].planSource.kind, 'inferred');
    assert.doesNotMatch(JSON.stringify(json), /AKIAIOSFODNN7EXAMPLE/);
  });

  it('an applied (not speculative) plan says only whose it is; a report given no source says nothing', () => {
    const applied: ReportApp = { ...app(before, after), planSource: { kind: 'terraform', tool: 'OpenTofu', version: '1.9.0', speculative: false } };
    assert.match(renderComment({ apps: [applied], headSha: sha }), /^_Plan: OpenTofu 1\.9\.0_$/m);
    assert.doesNotMatch(renderComment({ apps: [app(before, after)], headSha: sha }), /Plan: /);
  });
});
