import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecommendationSummary } from '../../src/recommend/index.ts';
import { notInlineSentence, placeSuggestions } from '../../src/reconcile/place-suggestions.ts';

const rec = (kind: string, line: number, endLine?: number, file = 'paas.yaml'): RecommendationSummary => ({
  app: 'hello', service: 'web', kind, title: `web: ${kind}`, detail: 'evidence', monthlySaving: 1, confidence: 1,
  suggestion: { file, line, ...(endLine !== undefined ? { endLine } : {}), replacement: `    ${kind}: 1` },
});

describe('placeSuggestions', () => {
  // Hunks of the PR's diff, right side: lines 7–13 and 20–26 of paas.yaml.
  const lines = new Map([['paas.yaml', [{ start: 7, end: 13 }, { start: 20, end: 26 }]]]);

  it('puts a suggestion inline only when its whole span is inside one hunk', () => {
    const cpu = rec('cpu', 10);
    const far = rec('memory', 16);
    const block = rec('instances', 11, 13);
    const acrossHunks = rec('schedule', 12, 21);
    const edge = rec('autoscaling', 26);
    const other = rec('cpu', 10, undefined, 'apps/api/paas.yaml');
    const noSuggestion: RecommendationSummary = { ...rec('anomalies', 1), suggestion: undefined };
    const placed = placeSuggestions([cpu, far, block, acrossHunks, edge, other, noSuggestion], lines);
    assert.deepEqual(placed.inline.map((c) => [c.path, c.startLine, c.line]), [['paas.yaml', undefined, 10], ['paas.yaml', 11, 13], ['paas.yaml', undefined, 26]]);
    assert.deepEqual(placed.inComment, [far, acrossHunks, other]);
    assert.equal(placed.inline[1]!.body, '**web: instances**\n\nevidence\n\n```suggestion\n    instances: 1\n```');
  });

  it('places nothing inline when the diff is unknown', () => {
    const all = [rec('cpu', 10), rec('memory', 11)];
    assert.deepEqual(placeSuggestions(all, null), { inline: [], inComment: all });
  });

  it('fences a replacement that holds backticks so it cannot close the block', () => {
    const odd = { ...rec('cpu', 10), suggestion: { file: 'paas.yaml', line: 10, replacement: '    # ```\n    cpu: 1' } };
    assert.match(placeSuggestions([odd], lines).inline[0]!.body, /````suggestion\n {4}# ```\n {4}cpu: 1\n````$/);
  });

  it('says how many were not placed, in one sentence', () => {
    assert.equal(notInlineSentence(1), "1 suggestion could not be placed inline because its lines are not part of this pull request's diff");
    assert.equal(notInlineSentence(3), "3 suggestions could not be placed inline because their lines are not part of this pull request's diff");
  });
});
