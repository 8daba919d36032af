/** Deploy verdicts and rollback (see docs/rollback.md). */
export { defaultVerdictSettings, checkpointsPerWatch, type VerdictSettings } from './verdict-settings.ts';
export { judgeMetric, isRegression, type MetricEvidence, type MetricVerdict, type MetricInput } from './judge-metric.ts';
export { judgeDeploy, type DeployVerdict, type MetricWindows } from './judge-deploy.ts';
export { verdictWindows, weekMs, type TimeWindow, type VerdictWindows } from './verdict-windows.ts';
