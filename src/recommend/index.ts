/**
 * The recommendation engine: pure functions over metric series (`{ t: epoch ms, v }`), and the
 * metric sources at its edge. See docs/recommendations.md.
 */
export type { RecommendationSummary, RecommendationChange, Sample, MetricName, ServiceMetrics, ServiceSpec, Locate } from './types.ts';
export { metricNames } from './types.ts';
export { cleanSeries, type CleanSeries, type Gap } from './clean-series.ts';
export { weightedPercentile, defaultHalfLifeMs } from './weighted-percentile.ts';
export { histogramQuantiles } from './histogram-quantiles.ts';
export { rightSize, safetyMargin, type SizeRecommendation, type RightSizing, type Percentiles } from './right-size.ts';
export { snapToFargate } from './fargate-size.ts';
export { fargatePrice, taskMonthlyCost, hoursPerMonth, type FargatePrice } from './fargate-prices.ts';
export { demandGrid, recommendReplicas, burstRatio, utilisationCeiling, defaultBreachBudget, defaultCostTolerance, type ReplicaRecommendation } from './replicas.ts';
export { autocorrelation, detectSeasonality, seasonalityOfGrid, strongAutocorrelation, type Seasonality } from './seasonality.ts';
export { profileForecast, blendForecast, blendOf, dayTypeForecast, seasonalNaive, mape, smape, evaluateForecast, forecastWith, type ForecastEvaluation, type ForecastModel } from './forecast.ts';
export { chooseSeasonalModel, seasonalModels, defaultBacktests, type SeasonalChoice, type SeasonalModel } from './choose-seasonal-model.ts';
export { proposeSchedule, type ScheduleRecommendation, type ScheduleOutcome } from './schedule.ts';
export { detectAnomalies, anomaliesOfGrid, scanAnomalies, defaultAnomalyOptions, robustZ, outsideWindows, inWindows, type AnomalyWindow, type AnomalyOptions, type Season } from './anomalies.ts';
export { toGrid, coarsen, maskWindows, slotOf, median, type Grid, hourMs, dayMs, weekMs } from './grid.ts';
export { recommendService, minHistoryMs, minSamples, type ServiceRecommendation, type RecommendOptions } from './recommend-service.ts';
export { recommendApp } from './recommend-app.ts';
export { serviceSpec, type SpecOf } from './service-spec.ts';
export { toSummary, type SourceContext } from './to-summary.ts';
export { MetricsInputError } from './sources/metrics-input-error.ts';
export { parseTimestamp } from './sources/parse-timestamp.ts';
export { parseMetricsCsv } from './sources/parse-metrics-csv.ts';
export { parseMetricsJson, MetricsDocument } from './sources/parse-metrics-json.ts';
export { fetchPrometheusMetrics, renderQuery, defaultQueries, type PrometheusOptions, type PrometheusResult } from './sources/prometheus-source.ts';
export { readStoreMetrics, type ReadSamples } from './sources/store-source.ts';
export { recommendFromStore } from './recommend-from-store.ts';
export { fingerprintOf, changeApplied, measureEffect, lastTimeNote, type MeasuredEffect, type CostPeriod } from './recommendation-history.ts';
export { replayTargetTracking, type TrackingPolicy, type TrackingReplay } from './target-tracking.ts';
export { chooseTrackingPolicy, candidateTargets, type PolicyChoice } from './choose-tracking-policy.ts';
export { calibrateThreshold, fitGeneralisedPareto, type Calibration } from './calibrate-threshold.ts';
export { plausibleMax, type Implausible } from './plausible.ts';
export { clampFleet } from './clamp-to-schema.ts';
export { recommendBacklogPerInstance, type BacklogRecommendation } from './backlog-per-instance.ts';
