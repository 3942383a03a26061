/** Logs, alarms and audit. */
import { LOG_RETENTION_DAYS } from "../core/aws-catalog";
import { Validator } from "../core/validation";
import {
    AwsAlarmName,
    AwsAlarmOverride,
    checkAwsAlarms,
    checkK8sAlerts,
    checkMetricsSources,
    K8S_METRICS_SOURCES,
    K8sAlertName,
    K8sAlertOverride,
    K8sMetricsSource,
} from "./alerts";
import { defineTier, StackIdentity } from "./tier";

/** Logs, alarms and audit. */
export interface ObservabilitySettings {
    /** Days application, flow and audit logs are kept. @default 90 staging, 365 production */
    logRetentionDays: number;
    /** E-mail addresses subscribed to the alarm topic. @default [] */
    alarmEmails: string[];
    /**
     * AWS: overrides of the CloudWatch alarms by alarm key (`alb-p95-latency`), each
     * `{threshold, periods, datapoints}`; what is not given keeps the catalogue's value
     * (components/settings/alerts.ts, docs/settings.md "Alerts"). @default {}
     */
    alarms: Partial<Record<AwsAlarmName, AwsAlarmOverride>>;
    /**
     * Kubernetes: overrides of the Prometheus alerts by alert name (`RagApiHighLatencyP95`), each
     * `{threshold, forMinutes, severity}`; what is not given keeps the catalogue's value. @default {}
     */
    alerts: Partial<Record<K8sAlertName, K8sAlertOverride>>;
    /**
     * Kubernetes: the metrics the cluster's Prometheus scrapes besides the stack's own: an alert
     * that reads a source not listed is left out (the plan says which and why).
     * @default ["kube-state-metrics", "cadvisor", "kubelet", "dcgm-exporter"]
     */
    metricsSources: K8sMetricsSource[];
}

export const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Checks a CloudWatch Logs retention against the values the API accepts. */
export function checkLogRetention(v: Validator, field: string, days: unknown): void {
    if (typeof days !== "number" || !(LOG_RETENTION_DAYS as readonly number[]).includes(days))
        v.fail(field, days, `a CloudWatch Logs retention: one of ${LOG_RETENTION_DAYS.join(", ")}`);
}

/** What the tier's checks read: its own settings, and whether the cluster gets the stack's PrometheusRule. */
type ObservabilityView = StackIdentity & { observability: ObservabilitySettings; kubernetes?: { monitoring?: boolean } };

export const observabilityTier = defineTier<ObservabilitySettings, ObservabilityView>({
    path: "observability",
    title: "Observability",
    settings: {
        logRetentionDays: {
            key: "logRetentionDays",
            type: "integer",
            description: "Log retention, days (AWS: CloudWatch Logs).",
            development: 30,
            staging: 90,
            production: 365,
            targets: ["aws"],
            unused: "the cluster's log pipeline keeps container logs; set its retention there",
            check: checkLogRetention,
        },
        alarmEmails: {
            key: "alarmEmails",
            type: "array",
            description: "E-mails subscribed to alarms.",
            staging: [],
            check: (v, f, x) => {
                (x ?? []).forEach((e, i) => v.matches(`${f}[${i}]`, e, EMAIL_RE, "an e-mail address"));
                v.unique(f, x);
            },
        },
        alarms: {
            key: "alarms",
            type: "object",
            description:
                'Overrides of the CloudWatch alarms by alarm key, e.g. {"alb-p95-latency": {"threshold": 0.5, "periods": 5, "datapoints": 3}} (see "Alerts" below).',
            staging: {},
            targets: ["aws"],
            unused: "the Kubernetes alerts are k8sAlerts (by alert name, with forMinutes and severity)",
            check: (v, f, x) => checkAwsAlarms(v, f, x),
        },
        alerts: {
            key: "k8sAlerts",
            type: "object",
            description:
                'Overrides of the Prometheus alerts by alert name, e.g. {"RagApiHighLatencyP95": {"threshold": 0.5, "forMinutes": 5, "severity": "critical"}} (see "Alerts" below).',
            staging: {},
            targets: ["kubernetes"],
            unused: "the CloudWatch alarms are alarms (by alarm key, with periods and datapoints)",
            check: (v, f, x, s) => {
                if (s.kubernetes?.monitoring === false && x && typeof x === "object" && Object.keys(x).length > 0)
                    v.fail(f, x, "unset while kubernetes.monitoring is false (no PrometheusRule: the alerts are the cluster's own)");
                else checkK8sAlerts(v, f, x, Array.isArray(s.observability.metricsSources) ? s.observability.metricsSources : []);
            },
        },
        metricsSources: {
            key: "k8sMetricsSources",
            type: "array",
            description: `Metrics the cluster's Prometheus scrapes (any of ${K8S_METRICS_SOURCES.join(", ")}): alerts reading a source not listed are left out.`,
            staging: [...K8S_METRICS_SOURCES],
            targets: ["kubernetes"],
            unused: "CloudWatch publishes the AWS metrics the alarms read",
            check: (v, f, x, s) => {
                checkMetricsSources(v, f, x);
                const all = Array.isArray(x) && K8S_METRICS_SOURCES.every((m) => (x as string[]).includes(m));
                if (s.kubernetes?.monitoring === false && !all)
                    v.fail(f, x, "unset while kubernetes.monitoring is false (no PrometheusRule: nothing to leave out)");
            },
        },
    },
});
