import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { alertRunbookAnchor, runbookLink } from "../core/facts";
import { typeToken } from "../core/naming";
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
}

/** Which generated Secrets the age alert watches, and from what age it fires. */
export interface SecretAgeWatch {
    names: string[];
    /** Age in days that alerts. */
    maxAgeDays: number;
}

interface Alert {
    alert: string;
    expr: string;
    for: string;
    severity: "critical" | "warning";
    summary: string;
}

/** The alert set of this stack, as PromQL. Exported for tests and docs. */
export function alertRules(
    appNs: string,
    dataNs: string,
    llm: boolean,
    llmWorkload: "StatefulSet" | "Deployment" = "StatefulSet",
    cacheSentinel = false,
    generatedSecrets?: SecretAgeWatch,
): Alert[] {
    const rules: Alert[] = [
        {
            alert: "RagApiDown",
            expr: `sum(up{namespace="${appNs}",service="api"}) == 0`,
            for: "1m",
            severity: "critical",
            summary: "No API pod is being scraped successfully",
        },
        {
            alert: "RagApiHigh5xxRate",
            expr: `sum(rate(http_requests_total{namespace="${appNs}",service="api",status=~"5.."}[5m])) / sum(rate(http_requests_total{namespace="${appNs}",service="api"}[5m])) > 0.05`,
            for: "5m",
            severity: "critical",
            summary: "More than 5% of API requests fail with 5xx",
        },
        {
            alert: "RagApiHighLatencyP95",
            expr: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="${appNs}",service="api"}[5m]))) > 2`,
            for: "10m",
            severity: "warning",
            summary: "API p95 latency above 2 s",
        },
        {
            alert: "RagPodRestarting",
            expr: `increase(kube_pod_container_status_restarts_total{namespace=~"${appNs}|${dataNs}"}[15m]) > 3`,
            for: "0m",
            severity: "warning",
            summary: "A pod restarted more than 3 times in 15 minutes",
        },
        {
            alert: "RagPostgresDown",
            expr: `sum(cnpg_collector_up{namespace="${dataNs}"}) == 0`,
            for: "1m",
            severity: "critical",
            summary: "PostgreSQL is down",
        },
        {
            alert: "RagPostgresReplicationLag",
            expr: `max(cnpg_pg_replication_lag{namespace="${dataNs}"}) > 30`,
            for: "5m",
            severity: "warning",
            summary: "A PostgreSQL replica is more than 30 s behind",
        },
        {
            alert: "RagPostgresBackupFailing",
            expr: `time() - max(cnpg_collector_last_available_backup_timestamp{namespace="${dataNs}"}) > 93600`,
            for: "30m",
            severity: "critical",
            summary: "No successful PostgreSQL backup in 26 hours",
        },
        {
            alert: "RagPostgresConnectionsHigh",
            expr: `sum(cnpg_backends_total{namespace="${dataNs}"}) / max(cnpg_pg_settings_setting{name="max_connections",namespace="${dataNs}"}) > 0.8`,
            for: "5m",
            severity: "warning",
            summary: "PostgreSQL connections above 80% of max",
        },
        {
            alert: "RagPostgresLongTransaction",
            expr: `max(cnpg_backends_max_tx_duration_seconds{namespace="${dataNs}"}) > 300`,
            for: "5m",
            severity: "warning",
            summary: "A PostgreSQL transaction has run for more than 5 minutes (slow query or a stuck session)",
        },
        {
            alert: "RagValkeyDown",
            expr: `sum(kube_statefulset_status_replicas_ready{namespace="${dataNs}",statefulset="valkey"}) == 0`,
            for: "1m",
            severity: "critical",
            summary: "Valkey primary is not ready",
        },
        {
            alert: "RagValkeyMemoryHigh",
            expr: `max(container_memory_working_set_bytes{namespace="${dataNs}",container="valkey"} / container_spec_memory_limit_bytes{namespace="${dataNs}",container="valkey"}) > 0.85`,
            for: "10m",
            severity: "warning",
            summary: "Valkey memory above 85% of its limit",
        },
        {
            alert: "RagVolumeAlmostFull",
            expr: `kubelet_volume_stats_available_bytes{namespace=~"${appNs}|${dataNs}"} / kubelet_volume_stats_capacity_bytes{namespace=~"${appNs}|${dataNs}"} < 0.10`,
            for: "5m",
            severity: "warning",
            summary: "A persistent volume has less than 10% free",
        },
        {
            alert: "RagCertificateExpiring",
            expr: `certmanager_certificate_expiration_timestamp_seconds{namespace=~".*"} - time() < 14 * 24 * 3600`,
            for: "1h",
            severity: "warning",
            summary: "A TLS certificate expires within 14 days",
        },
    ];
    if (generatedSecrets && generatedSecrets.names.length > 0)
        rules.push({
            alert: "RagSecretNotRotated",
            expr: `time() - kube_secret_created{namespace=~"${appNs}|${dataNs}",secret=~"${[...new Set(generatedSecrets.names)].sort().join("|")}"} > ${generatedSecrets.maxAgeDays} * 86400`,
            for: "1h",
            severity: "warning",
            summary: `A generated Secret is older than ${generatedSecrets.maxAgeDays} days: rotate the credentials (secretsRotatedOn)`,
        });
    if (cacheSentinel)
        rules.push({
            alert: "RagValkeySentinelQuorumLost",
            expr: `sum(kube_statefulset_status_replicas_ready{namespace="${dataNs}",statefulset="valkey-sentinel"}) < 2`,
            for: "5m",
            severity: "critical",
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
                for: "5m",
                severity: "critical",
                summary: "No Ollama pod is available",
            },
            {
                alert: "RagGpuUtilizationHigh",
                expr: `avg(DCGM_FI_DEV_GPU_UTIL{namespace="${appNs}"}) > 90`,
                for: "15m",
                severity: "warning",
                summary: "GPU utilisation above 90% for 15 minutes: the LLM is saturated (DCGM exporter)",
            },
            {
                alert: "RagGpuMemoryHigh",
                expr: `max(DCGM_FI_DEV_FB_USED{namespace="${appNs}"} / (DCGM_FI_DEV_FB_USED{namespace="${appNs}"} + DCGM_FI_DEV_FB_FREE{namespace="${appNs}"})) > 0.95`,
                for: "15m",
                severity: "warning",
                summary: "GPU memory above 95% (DCGM exporter)",
            },
        );
    }
    return rules;
}

/**
 * Which alert silences which while it fires (the cause hides its symptoms): an API that is down
 * also fails and is slow; a database or cache that is down also lags, fills or fails its backups.
 */
export const INHIBITIONS: { source: string; targets: string[] }[] = [
    { source: "RagApiDown", targets: ["RagApiHigh5xxRate", "RagApiHighLatencyP95"] },
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
        const rules = alertRules(args.appNamespaceName, args.dataNamespaceName, args.llm, args.llmWorkload, args.cacheSentinel ?? false, args.generatedSecrets);
        new k8s.apiextensions.CustomResource(
            ctx.childName("rules"),
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: "rag-stack", namespace: args.appNamespace, labels },
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
            for (const d of dashboardSpecs(args.appNamespaceName, args.dataNamespaceName, args.llm)) {
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
