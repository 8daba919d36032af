/**
 * How many times a month an EventBridge Scheduler expression fires: `rate(5 minutes)`,
 * `cron(0 3 * * ? *)` (AWS's six fields: minute hour day-of-month month day-of-week year) or
 * `at(...)`. An average month is 730 hours (30.42 days). `undefined` when the expression cannot be read.
 */
const daysPerMonth = 730 / 24;

export function runsPerMonth(expression: string): number | undefined {
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(expression.trim());
  if (rate) {
    const every = Number(rate[1]);
    if (every <= 0) return undefined;
    const minutes = rate[2].startsWith('minute') ? every : rate[2].startsWith('hour') ? every * 60 : every * 1440;
    return (730 * 60) / minutes;
  }
  if (/^at\(/.test(expression.trim())) return 0; // one-off: not a monthly cost
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) return undefined;
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) return undefined;
  const [minute, hour, dom, month, dow] = fields;
  const minutes = count(minute, 0, 59);
  const hours = count(hour, 0, 23);
  const months = count(month, 1, 12);
  let days: number | undefined;
  if (dom === '?' || dom === '*') {
    const weekdays = dow === '?' || dow === '*' ? 7 : count(dow, 1, 7);
    days = weekdays === undefined ? undefined : (daysPerMonth * weekdays) / 7;
  } else {
    const d = count(dom, 1, 31);
    days = d === undefined ? undefined : Math.min(d, daysPerMonth);
  }
  if (minutes === undefined || hours === undefined || months === undefined || days === undefined) return undefined;
  return minutes * hours * days * (months / 12);
}

const names: Record<string, number> = { JAN: 1, FEB: 2, MAR: 3, APR: 4, MAY: 5, JUN: 6, JUL: 7, AUG: 8, SEP: 9, OCT: 10, NOV: 11, DEC: 12, SUN: 1, MON: 2, TUE: 3, WED: 4, THU: 5, FRI: 6, SAT: 7 };

/** Number of values a cron field matches within [low, high]. */
function count(field: string, low: number, high: number): number | undefined {
  if (field === '*' || field === '?') return high - low + 1;
  let total = 0;
  for (const part of field.split(',')) {
    if (/^(L|LW|\d+W|\w+#\d|\d*L)$/i.test(part)) {
      total += 1;
      continue;
    }
    const step = /^(.+)\/(\d+)$/.exec(part);
    const body = step ? step[1] : part;
    const by = step ? Number(step[2]) : 1;
    if (by <= 0) return undefined;
    let from: number | undefined;
    let to: number | undefined;
    if (body === '*') [from, to] = [low, high];
    else {
      const range = /^(\w+)(?:-(\w+))?$/.exec(body);
      if (!range) return undefined;
      from = value(range[1]);
      to = range[2] === undefined ? (step ? high : from) : value(range[2]);
    }
    if (from === undefined || to === undefined || to < from) return undefined;
    total += Math.floor((to - from) / by) + 1;
  }
  return total;
}

function value(token: string): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  return names[token.toUpperCase()];
}
