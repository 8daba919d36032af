/** Deploy verdicts and rollback (see docs/rollback.md). */
export { defaultVerdictSettings, checkpointsPerWatch, type VerdictSettings } from './verdict-settings.ts';
export { judgeMetric, isRegression, type MetricEvidence, type MetricVerdict, type MetricInput } from './judge-metric.ts';
export { judgeDeploy, type DeployVerdict, type MetricWindows } from './judge-deploy.ts';
export { verdictWindows, weekMs, type TimeWindow, type VerdictWindows } from './verdict-windows.ts';
export { rollbackSettings, type RollbackSettings } from './rollback-settings.ts';
export { rollBack, type RollBackInput, type RollBackResult } from './roll-back.ts';
export { RollbackRefused, type RollbackRefusalCode } from './rollback-refused.ts';
export { commitHeldReason, heldCommitGuard } from './held-commit-guard.ts';
export { scheduleVerdict, verdictJobKind, type VerdictJobPayload } from './schedule-verdict.ts';
export { runVerdictCheck, type VerdictDeps, type VerdictCheckResult } from './verdict-job.ts';
