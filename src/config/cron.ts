/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week, UTC), checked with
 * cron-parser. AWS schedules (EventBridge Scheduler, Application Auto Scaling) cannot restrict both
 * day-of-month and day-of-week at once, so that is refused here rather than at apply time.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based
 */
import { CronExpressionParser } from 'cron-parser';
import { LruMap } from '../lru-map.ts';

type CronProblem = { message: string; hint?: string } | undefined;

// cron-parser takes ~0.15 ms per expression and every environment re-checks the same ones: remember
// answers (pure function of the text), bounded so hostile input cannot grow it.
const answers = new LruMap<string, CronProblem>(1000, { weigh: (expression) => expression.length, maxWeight: 200_000 });

/** undefined when valid, else what is wrong. */
export function cronProblem(expression: string): CronProblem {
  if (answers.has(expression)) return answers.get(expression);
  const answer = check(expression);
  answers.set(expression, answer);
  return answer;
}

function check(expression: string): CronProblem {
  const fields = expression.trim().split(/\s+/);
  if (expression.trim() === '') return { message: 'cron expression is empty', hint: 'five fields: minute hour day-of-month month day-of-week, such as "0 3 * * *"' };
  if (fields.length !== 5) {
    return {
      message: `cron expression "${expression}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; expected 5`,
      hint: 'minute hour day-of-month month day-of-week (UTC), such as "0 3 * * *"; no seconds, no year',
    };
  }
  if (fields.some((field) => /\bH\b/.test(field))) {
    return { message: `cron expression "${expression}" uses H (hashed values), which AWS schedules do not support`, hint: 'write an explicit minute or hour' };
  }
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC', strict: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
    return { message: `cron expression "${expression}" does not parse: ${reason}`, hint: 'minute hour day-of-month month day-of-week (UTC), such as "0 3 * * *"' };
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if (!isAny(dayOfMonth) && !isAny(dayOfWeek)) {
    return {
      message: `cron expression "${expression}" restricts both day-of-month and day-of-week, which AWS schedules cannot do`,
      hint: 'set one of the two to *',
    };
  }
  return undefined;
}

function isAny(field: string): boolean {
  return field === '*' || field === '?';
}
