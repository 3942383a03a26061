import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { alertRunbookAnchor, runbookLink } from "../core/facts";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import {
    AlertSeverity,
    alertEvaluable,
    alertsLeftOut,
    checkK8sAlerts,
    checkMetricsSources,
    K8S_METRICS_SOURCES,
    k8sAlert,
    K8sAlertName,
    K8sAlertOverride,
} from "../settings/alerts";
import { K8sCommonArgs, K8sContext } from "./common";
import { dashboardSpecs, grafanaModel } from "./dashboards";

export interface MonitoringArgs extends K8sCommonArgs {
    /** Name of the application namespace. */
    appNamespace: pulumi.Input<string>;
    /** Name of the data namespace. */
    dataNamespace: pulumi.Input<string>;
    /** Namespace names as plain strings, used inside PromQL. */
    appNamespaceName: string;
    /** Name of the data namespace, used inside PromQL. */
    dataNamespaceName: string;
    /** Label Prometheus selects rules and monitors by. @default { release: "prometheus" } */
    prometheusSelector?: Record<string, string>;
    /** Team label Alertmanager routes on. */
    team: string;
    /** E-mail addresses the alerts go to (an AlertmanagerConfig receiver; SMTP from Alertmanager's global config). @default none */
    alertEmails?: string[];
    /** Secret in the app namespace whose key `url` is a webhook the alerts go to (chat, paging). @default none */
    alertWebhookSecretName?: string;
    /** LLM deployed (GPU alerts). */
    llm: boolean;
    /** Valkey runs with Sentinel (quorum alert). @default false */
    cacheSentinel?: boolean;
    /** The stack has a cache (the Valkey alerts and dashboard panels). @default true */
    cache?: boolean;
    /** Kind of the LLM's workload (`Llm.workloadKind`). @default "StatefulSet" */
    llmWorkload?: "StatefulSet" | "Deployment";
    /**
     * Labels of the ConfigMaps a Grafana sidecar loads dashboards from (kube-prometheus-stack's
     * default: `grafana_dashboard: "1"`); `false`: no dashboards. @default { grafana_dashboard: "1" }
     */
    grafanaDashboards?: Record<string, string> | false;
    /**
     * Secrets the stack generates (in the app or data namespace), watched by the
     * RagSecretNotRotated alert (kube-state-metrics' `kube_secret_created`: a rotation recreates
     * them). @default none: no secret-age alert (an external store rotates its own)
     */
    generatedSecrets?: SecretAgeWatch;
    /**
     * Overrides of the alerts by name (`RagApiHighLatencyP95`): threshold, minutes before firing,
     * severity; the rest keep the catalogue's values (`K8S_ALERTS`, components/settings/alerts.ts). @default {}
     */
    alerts?: Partial<Record<K8sAlertName, K8sAlertOverride>>;
    /**
     * Metrics the cluster's Prometheus scrapes besides the stack's own; an alert reading a source
     * not listed is left out (named in the PrometheusRule's `ragstack.io/alerts-left-out` annotation).
     * @default every source: kube-state-metrics, cadvisor, kubelet, dcgm-exporter
     */
    metricsSources?: string[];
}

/** What shapes the alert set besides the namespaces and the workloads. */
export interface AlertOptions {
    /** Overrides by alert name. @default {} */
    alerts?: Partial<Record<K8sAlertName, K8sAlertOverride>>;
    /** The cluster's metrics sources. @default every source */
    metricsSources?: readonly string[];
    /** The stack has a cache (the Valkey alerts). @default true */
    cache?: boolean;
}

/** Which generated Secrets the age alert watches, and from what age it fires. */
export interface SecretAgeWatch {
    names: string[];
    /** Age in days that alerts. */
    maxAgeDays: number;
}

interface Alert {
    alert: K8sAlertName;
    expr: string;
    for: string;
    severity: AlertSeverity;
    summary: string;
}

/** A percentage as the ratio PromQL compares with (5 → 0.05), with at least `decimals` decimals. */
function ratio(percent: number, decimals = 0): string {
    const r = percent / 100;
    const text = String(r);
    return (text.split(".")[1] ?? "").length >= decimals ? text : r.toFixed(decimals);
}

/** The alert set of this stack, as PromQL. Exported for tests and docs. */
export function alertRules(
    appNs: string,
    dataNs: string,
    llm: boolean,
    llmWorkload: "StatefulSet" | "Deployment" = "StatefulSet",
    cacheSentinel = false,
    generatedSecrets?: SecretAgeWatch,
    options: AlertOptions = {},
): Alert[] {
    const sources = options.metricsSources ?? K8S_METRICS_SOURCES;
    /** The alert's threshold, `for` and severity: its override over the catalogue. */
    const at = (name: K8sAlertName) => k8sAlert(name, options.alerts);
    const rule = (name: K8sAlertName, expr: (threshold: number) => string, summary: (threshold: number, forMinutes: number) => string): Alert => {
        const c = at(name);
        return { alert: name, expr: expr(c.threshold), for: c.for, severity: c.severity, summary: summary(c.threshold, c.forMinutes) };
    };
    const appAndData = `namespace=~"${appNs}|${dataNs}"`;
    const rules: Alert[] = [
        {
            alert: "RagApiDown",
            expr: `sum(up{namespace="${appNs}",service="api"}) == 0`,
            ...pick(at("RagApiDown")),
            summary: "No API pod is being scraped successfully",
        },
        rule(
            "RagApiHigh5xxRate",
            (t) =>
                `sum(rate(http_requests_total{namespace="${appNs}",service="api",status=~"5.."}[5m])) / sum(rate(http_requests_total{namespace="${appNs}",service="api"}[5m])) > ${ratio(t)}`,
            (t) => `More than ${t}% of API requests fail with 5xx`,
        ),
        rule(
            "RagApiHighLatencyP95",
            (t) => `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="${appNs}",service="api"}[5m]))) > ${t}`,
            (t) => `API p95 latency above ${t} s`,
        ),
        rule(
            "RagApiHighLatencyP99",
            (t) => `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="${appNs}",service="api"}[5m]))) > ${t}`,
            (t) => `API p99 latency above ${t} s`,
        ),
        {
            // The Deployment's own verdict: past progressDeadlineSeconds without a new Ready pod
            // (reason ProgressDeadlineExceeded). The old ReplicaSet still serves (maxUnavailable 0).
            alert: "RagApiRolloutStuck",
            expr: `kube_deployment_status_condition{namespace="${appNs}",deployment="api",condition="Progressing",status="false"} == 1`,
            ...pick(at("RagApiRolloutStuck")),
            summary: "The API's rollout made no progress within its deadline: the new pods never became Ready (roll back: tools/rollback.sh)",
        },
        rule(
            "RagPodRestarting",
            (t) => `increase(kube_pod_container_status_restarts_total{${appAndData}}[15m]) > ${t}`,
            (t) => `A pod restarted more than ${t} times in 15 minutes`,
        ),
        // cAdvisor's usage over kube-state-metrics' limits, per container (a container without a limit has no ratio).
        rule(
            "RagContainerCpuHigh",
            (t) =>
                `sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{${appAndData},container!="",container!="POD"}[5m])) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{${appAndData},resource="cpu"}) > ${ratio(t)}`,
            (t, m) => `A container has used more than ${t}% of its CPU limit for ${m} minutes (it is throttled: raise its CPU or scale out)`,
        ),
        rule(
            "RagContainerMemoryHigh",
            (t) =>
                `sum by (namespace, pod, container) (container_memory_working_set_bytes{${appAndData},container!="",container!="POD",container!="valkey"}) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{${appAndData},resource="memory"}) > ${ratio(t)}`,
            (t) => `A container's memory is above ${t}% of its limit (it will be OOM-killed at the limit)`,
        ),
        {
            alert: "RagNodeNotReady",
            expr: `kube_node_status_condition{condition="Ready",status="true",namespace=~".*"} == 0`,
            ...pick(at("RagNodeNotReady")),
            summary: "A node of the cluster is not Ready: its pods are evicted and rescheduled elsewhere",
        },
        {
            alert: "RagPostgresDown",
            expr: `sum(cnpg_collector_up{namespace="${dataNs}"}) == 0`,
            ...pick(at("RagPostgresDown")),
            summary: "PostgreSQL is down",
        },
        rule(
            "RagPostgresReplicationLag",
            (t) => `max(cnpg_pg_replication_lag{namespace="${dataNs}"}) > ${t}`,
            (t) => `A PostgreSQL replica is more than ${t} s behind`,
        ),
        rule(
            "RagPostgresBackupFailing",
            (t) => `time() - max(cnpg_collector_last_available_backup_timestamp{namespace="${dataNs}"}) > ${Math.round(t * 3600)}`,
            (t) => `No successful PostgreSQL backup in ${t} hours`,
        ),
        rule(
            "RagPostgresConnectionsHigh",
            (t) =>
                `sum(cnpg_backends_total{namespace="${dataNs}"}) / max(cnpg_pg_settings_setting{name="max_connections",namespace="${dataNs}"}) > ${ratio(t)}`,
            (t) => `PostgreSQL connections above ${t}% of max`,
        ),
        rule(
            "RagPostgresLongTransaction",
            (t) => `max(cnpg_backends_max_tx_duration_seconds{namespace="${dataNs}"}) > ${Math.round(t * 60)}`,
            (t) => `A PostgreSQL transaction has run for more than ${t} minutes (slow query or a stuck session)`,
        ),
        {
            alert: "RagValkeyDown",
            expr: `sum(kube_statefulset_status_replicas_ready{namespace="${dataNs}",statefulset="valkey"}) == 0`,
            ...pick(at("RagValkeyDown")),
            summary: "Valkey primary is not ready",
        },
        rule(
            "RagValkeyMemoryHigh",
            (t) =>
                `max(container_memory_working_set_bytes{namespace="${dataNs}",container="valkey"} / container_spec_memory_limit_bytes{namespace="${dataNs}",container="valkey"}) > ${ratio(t)}`,
            (t) => `Valkey memory above ${t}% of its limit`,
        ),
        rule(
            "RagVolumeAlmostFull",
            (t) => `kubelet_volume_stats_available_bytes{${appAndData}} / kubelet_volume_stats_capacity_bytes{${appAndData}} < ${ratio(t, 2)}`,
            (t) => `A persistent volume has less than ${t}% free`,
        ),
        rule(
            "RagCertificateExpiring",
            (t) => `certmanager_certificate_expiration_timestamp_seconds{namespace=~".*"} - time() < ${t} * 24 * 3600`,
            (t) => `A TLS certificate expires within ${t} days`,
        ),
    ];
    if (generatedSecrets && generatedSecrets.names.length > 0)
        rules.push({
            alert: "RagSecretNotRotated",
            expr: `time() - kube_secret_created{namespace=~"${appNs}|${dataNs}",secret=~"${[...new Set(generatedSecrets.names)].sort().join("|")}"} > ${generatedSecrets.maxAgeDays} * 86400`,
            ...pick(at("RagSecretNotRotated")),
            summary: `A generated Secret is older than ${generatedSecrets.maxAgeDays} days: rotate the credentials (secretsRotatedOn)`,
        });
    if (cacheSentinel)
        rules.push({
            alert: "RagValkeySentinelQuorumLost",
            expr: `sum(kube_statefulset_status_replicas_ready{namespace="${dataNs}",statefulset="valkey-sentinel"}) < 2`,
            ...pick(at("RagValkeySentinelQuorumLost")),
            summary: "Fewer than 2 Valkey sentinels ready: no automatic failover",
        });
    if (llm) {
        rules.push(
            {
                alert: "RagLlmUnavailable",
                expr:
                    llmWorkload === "StatefulSet"
                        ? // the StatefulSet is named ollama-<digest of its claim template>
                          `sum(kube_statefulset_status_replicas_ready{namespace="${appNs}",statefulset=~"ollama-[0-9a-f]+"}) == 0`
                        : `sum(kube_deployment_status_replicas_available{namespace="${appNs}",deployment="ollama"}) == 0`,
                ...pick(at("RagLlmUnavailable")),
                summary: "No Ollama pod is available",
            },
            rule(
                "RagGpuUtilizationHigh",
                (t) => `avg(DCGM_FI_DEV_GPU_UTIL{namespace="${appNs}"}) > ${t}`,
                (t, m) => `GPU utilisation above ${t}% for ${m} minutes: the LLM is saturated (DCGM exporter)`,
            ),
            rule(
                "RagGpuMemoryHigh",
                (t) =>
                    `max(DCGM_FI_DEV_FB_USED{namespace="${appNs}"} / (DCGM_FI_DEV_FB_USED{namespace="${appNs}"} + DCGM_FI_DEV_FB_FREE{namespace="${appNs}"})) > ${ratio(t)}`,
                (t) => `GPU memory above ${t}% (DCGM exporter)`,
            ),
        );
    }
    // An alert whose metrics the cluster does not have would never fire: left out (alertsLeftOut says which).
    // Without a cache there is no Valkey to watch.
    const cacheAlerts = new Set<string>(["RagValkeyDown", "RagValkeyMemoryHigh", "RagValkeySentinelQuorumLost"]);
    return rules.filter((r) => alertEvaluable(r.alert, sources) && (options.cache !== false || !cacheAlerts.has(r.alert)));
}

/** `for` and severity of an alert without a threshold. */
function pick(c: { for: string; severity: AlertSeverity }): { for: string; severity: AlertSeverity } {
    return { for: c.for, severity: c.severity };
}

/**
 * Which alert silences which while it fires (the cause hides its symptoms): an API that is down
 * also fails and is slow; a database or cache that is down also lags, fills or fails its backups.
 */
export const INHIBITIONS: { source: string; targets: string[] }[] = [
    { source: "RagApiDown", targets: ["RagApiHigh5xxRate", "RagApiHighLatencyP95", "RagApiHighLatencyP99"] },
    {
        source: "RagPostgresDown",
        targets: ["RagPostgresReplicationLag", "RagPostgresConnectionsHigh", "RagPostgresBackupFailing", "RagPostgresLongTransaction"],
    },
    { source: "RagValkeyDown", targets: ["RagValkeyMemoryHigh", "RagValkeySentinelQuorumLost"] },
    { source: "RagLlmUnavailable", targets: ["RagGpuMemoryHigh", "RagGpuUtilizationHigh"] },
];

/**
 * ServiceMonitor for the API, a PrometheusRule with the stack's alert set, its routing
 * (AlertmanagerConfig), and Grafana dashboards as labelled ConfigMaps.
 */
export class Monitoring extends pulumi.ComponentResource {
    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new Validator(`Monitoring ${name}`);
        if (args.metricsSources !== undefined) checkMetricsSources(v, "metricsSources", args.metricsSources);
        if (args.alerts !== undefined) checkK8sAlerts(v, "alerts", args.alerts, args.metricsSources ?? K8S_METRICS_SOURCES);
        v.throwIfAny();
        super(typeToken("kubernetes", "Monitoring"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);
        const labels = { ...ctx.labels("monitoring"), ...(args.prometheusSelector ?? { release: "prometheus" }) };
        new k8s.apiextensions.CustomResource(
            ctx.childName("api"),
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: { name: "api", namespace: args.appNamespace, labels },
                spec: { selector: { matchLabels: { "app.kubernetes.io/name": "api" } }, endpoints: [{ port: "http", path: "/metrics", interval: "30s" }] },
            },
            ctx.opts(),
        );
        const sources = args.metricsSources ?? K8S_METRICS_SOURCES;
        // The rules as configured, and those the same stack would raise with every metrics source.
        const rulesWith = (options: Parameters<typeof alertRules>[6]) =>
            alertRules(args.appNamespaceName, args.dataNamespaceName, args.llm, args.llmWorkload, args.cacheSentinel ?? false, args.generatedSecrets, options);
        const rules = rulesWith({ alerts: args.alerts, metricsSources: sources, cache: args.cache });
        const raised = new Set(rules.map((r) => r.alert));
        const wouldRaise = rulesWith({ cache: args.cache });
        const leftOut = alertsLeftOut(sources)
            .filter((x) => !raised.has(x.alert) && wouldRaise.some((r) => r.alert === x.alert))
            .map((x) => `${x.alert} (no ${x.missing.join(", ")})`);
        new k8s.apiextensions.CustomResource(
            ctx.childName("rules"),
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: {
                    name: "rag-stack",
                    namespace: args.appNamespace,
                    labels,
                    // The alerts the cluster's metrics cannot feed (k8sMetricsSources), said where the rules are.
                    ...(leftOut.length > 0 ? { annotations: { "ragstack.io/alerts-left-out": leftOut.join("; ") } } : {}),
                },
                spec: {
                    groups: [
                        {
                            name: "rag-stack",
                            rules: rules.map((r) => ({
                                alert: r.alert,
                                expr: r.expr,
                                for: r.for,
                                // namespace: the operator scopes an AlertmanagerConfig's routes to its own
                                // namespace; the alerts aggregate it away, so the rule sets it.
                                labels: { severity: r.severity, team: args.team, environment: args.environment, namespace: args.appNamespaceName },
                                annotations: { summary: r.summary, description: `${r.summary}. Runbook: ${runbookLink(alertRunbookAnchor(r.alert))}` },
                            })),
                        },
                    ],
                },
            },
            ctx.opts(),
        );
        const dashboardLabels = args.grafanaDashboards === undefined ? { grafana_dashboard: "1" } : args.grafanaDashboards;
        if (dashboardLabels) {
            for (const d of dashboardSpecs(args.appNamespaceName, args.dataNamespaceName, args.llm, args.cache ?? true)) {
                const key = d.uid.split("-").pop()!;
                new k8s.core.v1.ConfigMap(
                    ctx.childName(`dashboard-${key}`),
                    {
                        metadata: {
                            name: `grafana-dashboard-${key}`,
                            namespace: args.appNamespace,
                            labels: { ...ctx.labels("monitoring"), ...dashboardLabels },
                            annotations: { grafana_folder: "RAG stack" },
                        },
                        data: { [`${key}.json`]: JSON.stringify(grafanaModel(d)) },
                    },
                    ctx.opts(),
                );
            }
        }
        if ((args.alertEmails?.length ?? 0) > 0 || args.alertWebhookSecretName)
            this.createRouting(
                ctx,
                args,
                labels,
                rules.map((r) => r.alert),
            );
        this.registerOutputs({});
    }

    /**
     * Routing in Alertmanager: one receiver (the e-mails and the webhook), critical alerts sent
     * at once and repeated hourly, warnings grouped and repeated twice a day, and the inhibitions.
     */
    private createRouting(ctx: K8sContext, args: MonitoringArgs, labels: Record<string, string>, alerts: string[]): void {
        const eq = (name: string, value: string) => ({ name, value, matchType: "=" });
        new k8s.apiextensions.CustomResource(
            ctx.childName("routing"),
            {
                apiVersion: "monitoring.coreos.com/v1alpha1",
                kind: "AlertmanagerConfig",
                metadata: { name: "rag-stack", namespace: args.appNamespace, labels },
                spec: {
                    route: {
                        receiver: "oncall",
                        groupBy: ["alertname", "severity"],
                        groupWait: "30s",
                        groupInterval: "5m",
                        repeatInterval: "12h",
                        matchers: [eq("team", args.team)],
                        routes: [{ receiver: "oncall", matchers: [eq("severity", "critical")], groupWait: "10s", repeatInterval: "1h" }],
                    },
                    receivers: [
                        {
                            name: "oncall",
                            ...(args.alertEmails?.length ? { emailConfigs: args.alertEmails.map((to) => ({ to, sendResolved: true })) } : {}),
                            ...(args.alertWebhookSecretName
                                ? { webhookConfigs: [{ urlSecret: { name: args.alertWebhookSecretName, key: "url" }, sendResolved: true }] }
                                : {}),
                        },
                    ],
                    inhibitRules: INHIBITIONS.filter((i) => alerts.includes(i.source)).map((i) => ({
                        sourceMatch: [eq("alertname", i.source)],
                        targetMatch: [{ name: "alertname", value: i.targets.filter((t) => alerts.includes(t)).join("|"), matchType: "=~" }],
                        equal: ["environment"],
                    })),
                },
            },
            ctx.opts(),
        );
    }
}
