/**
 * The alert catalogue: every CloudWatch alarm (AWS) and every Prometheus alert (Kubernetes) whose
 * threshold, duration or severity a stack may override, with today's values as defaults. The
 * observability tier's `alarms` and `alerts` settings hold the overrides; the components read the
 * effective values through `awsAlarm` and `k8sAlert`.
 */
import { didYouMean, Validator } from "../core/validation";

/** Metrics sources a Kubernetes cluster may have besides the stack's own (the API, CloudNativePG, cert-manager). */
export const K8S_METRICS_SOURCES = ["kube-state-metrics", "cadvisor", "kubelet", "dcgm-exporter"] as const;
export type K8sMetricsSource = (typeof K8S_METRICS_SOURCES)[number];

/** Severities of a Prometheus alert: Alertmanager routes critical ones at once (monitoring.ts). */
export const ALERT_SEVERITIES = ["critical", "warning"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** A threshold a stack may change: its default, unit and range. */
interface ThresholdSpec {
    value: number;
    unit: string;
    min: number;
    max: number;
}

/** One CloudWatch alarm of the catalogue. */
export interface AwsAlarmSpec {
    /** What it watches, for docs. */
    what: string;
    /** The threshold; absent: fixed by what the alarm means (no override). */
    threshold?: ThresholdSpec;
    /** Seconds per period (fixed: the metric's granularity). */
    period: number;
    /** Periods evaluated. */
    periods: number;
    /** Periods that must breach among them; absent: all of them. */
    datapoints?: number;
}

/** One Prometheus alert of the catalogue. */
export interface K8sAlertSpec {
    what: string;
    threshold?: ThresholdSpec;
    /** Minutes the condition holds before the alert fires (`for`). */
    forMinutes: number;
    severity: AlertSeverity;
    /** Cluster metrics sources the alert reads; it is left out when one is missing. */
    sources: readonly K8sMetricsSource[];
}

const pct = (value: number, min = 1, max = 100): ThresholdSpec => ({ value, unit: "%", min, max });

/** The CloudWatch alarms (components/aws/observability.ts), by alarm key. */
export const AWS_ALARMS = {
    "alb-5xx-rate": { what: "5xx answers, % of requests", threshold: pct(5, 0.1), period: 60, periods: 3, datapoints: 2 },
    "alb-p95-latency": { what: "p95 target response time", threshold: { value: 2, unit: "s", min: 0.01, max: 60 }, period: 60, periods: 5, datapoints: 3 },
    "alb-p99-latency": { what: "p99 target response time", threshold: { value: 5, unit: "s", min: 0.01, max: 60 }, period: 60, periods: 5, datapoints: 3 },
    "api-no-healthy-targets": { what: "no healthy API target", period: 60, periods: 2 },
    "api-unhealthy-targets": { what: "unhealthy API targets, more than", threshold: { value: 0, unit: "targets", min: 0, max: 100 }, period: 60, periods: 1 },
    "api-cpu": { what: "API CPU, % of the tasks' CPU", threshold: pct(70), period: 300, periods: 2 },
    "api-memory": { what: "API memory, % of the tasks' memory", threshold: pct(80), period: 300, periods: 2 },
    "db-cpu": { what: "database CPU", threshold: pct(80), period: 300, periods: 3 },
    "db-free-storage": { what: "database free storage below, % of allocated", threshold: pct(10, 1, 50), period: 300, periods: 1 },
    "db-connections": { what: "database connections, % of max_connections", threshold: pct(80), period: 300, periods: 2 },
    "db-proxy-borrow-latency": { what: "RDS Proxy p95 wait for a connection", threshold: { value: 1, unit: "s", min: 0.01, max: 60 }, period: 300, periods: 2 },
    "db-proxy-connections": { what: "RDS Proxy connections, % of its pool (80% of max_connections)", threshold: pct(80), period: 300, periods: 2 },
    "db-slow-queries": {
        what: "statements slower than 1 s in 5 minutes",
        threshold: { value: 50, unit: "statements", min: 1, max: 100000 },
        period: 300,
        periods: 2,
    },
    "db-replica-lag": { what: "read replica lag", threshold: { value: 30, unit: "s", min: 1, max: 86400 }, period: 60, periods: 5 },
    "cache-memory": { what: "Valkey memory, highest node", threshold: pct(80), period: 300, periods: 2 },
    "cache-hit-rate": { what: "Valkey hit rate below", threshold: pct(80, 0), period: 900, periods: 4 },
    "cache-evictions": { what: "Valkey evictions, more than", threshold: { value: 0, unit: "keys", min: 0, max: 1000000 }, period: 300, periods: 1 },
    "gpu-status": { what: "GPU instance status check failing", period: 60, periods: 5 },
    "gpu-utilization": { what: "GPU utilisation", threshold: pct(90), period: 300, periods: 3 },
    "gpu-memory": { what: "GPU memory", threshold: pct(95), period: 300, periods: 3 },
    "llm-tasks-below-desired": { what: "fewer Ollama tasks running than desired", period: 60, periods: 10, datapoints: 10 },
    "waf-blocked-spike": {
        what: "WAF blocked requests in 5 minutes",
        threshold: { value: 500, unit: "requests", min: 1, max: 10000000 },
        period: 300,
        periods: 1,
    },
} as const satisfies Record<string, AwsAlarmSpec>;
export type AwsAlarmName = keyof typeof AWS_ALARMS;

const KSM = ["kube-state-metrics"] as const;

/** The Prometheus alerts (components/kubernetes/monitoring.ts), by alert name. */
export const K8S_ALERTS = {
    RagApiDown: { what: "no API pod scraped", forMinutes: 1, severity: "critical", sources: [] },
    RagApiHigh5xxRate: { what: "5xx answers, % of requests", threshold: pct(5, 0.1), forMinutes: 5, severity: "critical", sources: [] },
    RagApiHighLatencyP95: { what: "API p95 latency", threshold: { value: 2, unit: "s", min: 0.01, max: 60 }, forMinutes: 10, severity: "warning", sources: [] },
    RagApiHighLatencyP99: { what: "API p99 latency", threshold: { value: 5, unit: "s", min: 0.01, max: 60 }, forMinutes: 10, severity: "warning", sources: [] },
    RagApiRolloutStuck: { what: "the API's rollout past its progress deadline (new pods never Ready)", forMinutes: 1, severity: "critical", sources: KSM },
    RagContainerCpuHigh: {
        what: "a container's CPU, % of its limit",
        threshold: pct(80),
        forMinutes: 15,
        severity: "warning",
        sources: ["cadvisor", "kube-state-metrics"],
    },
    RagContainerMemoryHigh: {
        what: "a container's working set, % of its memory limit (Valkey has its own alert)",
        threshold: pct(85),
        forMinutes: 10,
        severity: "warning",
        sources: ["cadvisor", "kube-state-metrics"],
    },
    RagNodeNotReady: { what: "a node not Ready", forMinutes: 15, severity: "warning", sources: KSM },
    RagPodRestarting: {
        what: "container restarts in 15 minutes, more than",
        threshold: { value: 3, unit: "restarts", min: 1, max: 1000 },
        forMinutes: 0,
        severity: "warning",
        sources: KSM,
    },
    RagPostgresDown: { what: "PostgreSQL down", forMinutes: 1, severity: "critical", sources: [] },
    RagPostgresReplicationLag: {
        what: "replica lag",
        threshold: { value: 30, unit: "s", min: 1, max: 86400 },
        forMinutes: 5,
        severity: "warning",
        sources: [],
    },
    RagPostgresBackupFailing: {
        what: "hours since the last successful backup",
        threshold: { value: 26, unit: "h", min: 1, max: 24 * 31 },
        forMinutes: 30,
        severity: "critical",
        sources: [],
    },
    RagPostgresConnectionsHigh: { what: "connections, % of max_connections", threshold: pct(80), forMinutes: 5, severity: "warning", sources: [] },
    RagPostgresLongTransaction: {
        what: "longest transaction",
        threshold: { value: 5, unit: "min", min: 1, max: 1440 },
        forMinutes: 5,
        severity: "warning",
        sources: [],
    },
    RagValkeyDown: { what: "Valkey primary not ready", forMinutes: 1, severity: "critical", sources: KSM },
    RagValkeySentinelQuorumLost: { what: "fewer than 2 sentinels ready", forMinutes: 5, severity: "critical", sources: KSM },
    RagValkeyMemoryHigh: { what: "Valkey memory, % of its limit", threshold: pct(85), forMinutes: 10, severity: "warning", sources: ["cadvisor"] },
    RagVolumeAlmostFull: {
        what: "a volume's free space below, % of capacity",
        threshold: pct(10, 1, 50),
        forMinutes: 5,
        severity: "warning",
        sources: ["kubelet"],
    },
    RagCertificateExpiring: {
        what: "days to a certificate's expiry",
        threshold: { value: 14, unit: "days", min: 1, max: 90 },
        forMinutes: 60,
        severity: "warning",
        sources: [],
    },
    RagSecretNotRotated: { what: "a generated Secret older than secrets.maxAgeDays", forMinutes: 60, severity: "warning", sources: KSM },
    RagLlmUnavailable: { what: "no Ollama pod available", forMinutes: 5, severity: "critical", sources: KSM },
    RagGpuUtilizationHigh: { what: "GPU utilisation", threshold: pct(90), forMinutes: 15, severity: "warning", sources: ["dcgm-exporter"] },
    RagGpuMemoryHigh: { what: "GPU memory", threshold: pct(95), forMinutes: 15, severity: "warning", sources: ["dcgm-exporter"] },
} as const satisfies Record<string, K8sAlertSpec>;
export type K8sAlertName = keyof typeof K8S_ALERTS;

/** An override of a CloudWatch alarm: each field optional, the catalogue's value otherwise. */
export interface AwsAlarmOverride {
    /** In the alarm's unit (docs/settings.md, "Alerts"). */
    threshold?: number;
    /** Periods evaluated (the alarm's period is fixed). */
    periods?: number;
    /** Periods among them that must breach. */
    datapoints?: number;
}

/** An override of a Prometheus alert: each field optional, the catalogue's value otherwise. */
export interface K8sAlertOverride {
    threshold?: number;
    /** Minutes the condition holds before the alert fires. */
    forMinutes?: number;
    severity?: AlertSeverity;
}

/** What a CloudWatch alarm renders with. */
export interface AwsAlarmValues {
    threshold: number;
    evaluationPeriods: number;
    /** Undefined: every evaluated period (CloudWatch's default). */
    datapointsToAlarm?: number;
}

/** What a Prometheus alert renders with. */
export interface K8sAlertValues {
    threshold: number;
    /** Minutes before it fires. */
    forMinutes: number;
    /** The same as a Prometheus duration (`10m`, whole hours as `1h`). */
    for: string;
    severity: AlertSeverity;
}

/** The effective values of a CloudWatch alarm: the override over the catalogue. */
export function awsAlarm(name: AwsAlarmName, overrides: Partial<Record<string, AwsAlarmOverride>> = {}): AwsAlarmValues {
    const spec: AwsAlarmSpec = AWS_ALARMS[name];
    const o = overrides[name] ?? {};
    return {
        threshold: o.threshold ?? spec.threshold?.value ?? 0,
        evaluationPeriods: o.periods ?? spec.periods,
        datapointsToAlarm: o.datapoints ?? spec.datapoints,
    };
}

/** The effective values of a Prometheus alert: the override over the catalogue. */
export function k8sAlert(name: K8sAlertName, overrides: Partial<Record<string, K8sAlertOverride>> = {}): K8sAlertValues {
    const spec: K8sAlertSpec = K8S_ALERTS[name];
    const o = overrides[name] ?? {};
    const minutes = o.forMinutes ?? spec.forMinutes;
    return {
        threshold: o.threshold ?? spec.threshold?.value ?? 0,
        forMinutes: minutes,
        for: minutes >= 60 && minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`,
        severity: o.severity ?? spec.severity,
    };
}

/** The alerts a cluster with these metrics sources cannot evaluate, each with the sources it lacks. */
export function alertsLeftOut(sources: readonly string[]): { alert: K8sAlertName; missing: K8sMetricsSource[] }[] {
    return (Object.entries(K8S_ALERTS) as [K8sAlertName, K8sAlertSpec][])
        .map(([alert, spec]) => ({ alert, missing: spec.sources.filter((x) => !sources.includes(x)) }))
        .filter((x) => x.missing.length > 0);
}

/** True when the cluster has every source the alert reads. */
export function alertEvaluable(alert: K8sAlertName, sources: readonly string[]): boolean {
    return (K8S_ALERTS[alert] as K8sAlertSpec).sources.every((x) => sources.includes(x));
}

/** Checks a map of overrides against a catalogue: known names, known fields, ranges. */
function checkOverrides<S extends { threshold?: ThresholdSpec }>(
    v: Validator,
    field: string,
    value: unknown,
    catalogue: Record<string, S>,
    fields: Record<string, (f: string, x: unknown, spec: S, o: Record<string, unknown>) => void>,
): void {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        v.fail(field, value, `a map of alert names to overrides {${Object.keys(fields).join(", ")}}`);
        return;
    }
    const names = Object.keys(catalogue);
    for (const [name, o] of Object.entries(value as Record<string, unknown>)) {
        const f = `${field}.${name}`;
        const spec = catalogue[name];
        if (!spec) {
            v.fail(f, name, `a name of the catalogue (docs/settings.md, "Alerts"): one of ${names.join(", ")}${didYouMean(name, names)}`);
            continue;
        }
        if (o === null || typeof o !== "object" || Array.isArray(o)) {
            v.fail(f, o, `an object with any of ${Object.keys(fields).join(", ")}`);
            continue;
        }
        const known = Object.keys(fields);
        for (const [k, x] of Object.entries(o as Record<string, unknown>)) {
            if (!known.includes(k)) v.fail(`${f}.${k}`, x, `not a field: one of ${known.join(", ")}${didYouMean(k, known)}`);
            else if (k === "threshold") {
                if (!spec.threshold)
                    v.fail(`${f}.threshold`, x, `unset: ${name}'s condition is fixed by what it means (change its duration or severity instead)`);
                else v.number(`${f}.threshold`, x, spec.threshold.min, spec.threshold.max);
            } else fields[k](`${f}.${k}`, x, spec, o as Record<string, unknown>);
        }
    }
}

/** Checks `observability.alarms` (AWS): known alarm keys, thresholds in range, periods within CloudWatch's one-day limit. */
export function checkAwsAlarms(v: Validator, field: string, value: unknown): void {
    checkOverrides<AwsAlarmSpec>(v, field, value, AWS_ALARMS, {
        threshold: () => undefined,
        periods: (f, x, spec) => {
            // An alarm whose period is under an hour (every alarm here: 60..900 s) evaluates at
            // most one day: Period × EvaluationPeriods ≤ 86,400 s (Period, PutMetricAlarm,
            // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
            v.int(f, x, 1, Math.floor(86400 / spec.period));
        },
        datapoints: (f, x, spec, o) => {
            const periods = typeof o.periods === "number" ? o.periods : spec.periods;
            v.int(f, x, 1, periods);
        },
    });
    // A lower `periods` than the catalogue's datapoints needs `datapoints` too.
    if (value && typeof value === "object" && !Array.isArray(value))
        for (const [name, o] of Object.entries(value as Record<string, AwsAlarmOverride>)) {
            const spec = (AWS_ALARMS as Record<string, AwsAlarmSpec>)[name];
            if (!spec || !o || typeof o !== "object" || typeof o.periods !== "number" || o.datapoints !== undefined) continue;
            if (spec.datapoints !== undefined && spec.datapoints > o.periods)
                v.fail(
                    `${field}.${name}.datapoints`,
                    undefined,
                    `breaching periods, at most periods (${o.periods}); the default, ${spec.datapoints}, is more: set datapoints too`,
                );
        }
}

/** Checks `observability.alerts` (Kubernetes): known alert names, ranges, severities, and no override of an alert left out. */
export function checkK8sAlerts(v: Validator, field: string, value: unknown, sources: readonly string[]): void {
    checkOverrides<K8sAlertSpec>(v, field, value, K8S_ALERTS, {
        threshold: () => undefined,
        forMinutes: (f, x) => v.int(f, x, 0, 1440),
        severity: (f, x) => v.oneOf(f, x, ALERT_SEVERITIES),
    });
    if (value && typeof value === "object" && !Array.isArray(value))
        for (const name of Object.keys(value)) {
            const spec = (K8S_ALERTS as Record<string, K8sAlertSpec>)[name];
            const missing = spec?.sources.filter((x) => !sources.includes(x)) ?? [];
            if (missing.length > 0)
                v.fail(
                    `${field}.${name}`,
                    (value as Record<string, unknown>)[name],
                    `unset: ${name} is left out, the cluster lacks ${missing.join(" and ")} (observability.metricsSources)`,
                );
        }
}

/** Checks `observability.metricsSources`: known sources, each once. */
export function checkMetricsSources(v: Validator, field: string, value: unknown): void {
    if (!Array.isArray(value)) {
        v.fail(field, value, `a list of the cluster's metrics sources: any of ${K8S_METRICS_SOURCES.join(", ")}`);
        return;
    }
    value.forEach((x, i) => {
        if (!(K8S_METRICS_SOURCES as readonly unknown[]).includes(x))
            v.fail(`${field}[${i}]`, x, `one of ${K8S_METRICS_SOURCES.join(", ")}${typeof x === "string" ? didYouMean(x, K8S_METRICS_SOURCES) : ""}`);
    });
    v.unique(field, value);
}
