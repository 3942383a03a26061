/**
 * Grafana dashboards of the stack, as JSON models (schemaVersion 39) a Grafana sidecar loads from
 * labelled ConfigMaps: the API (requests, 5xx, latency), PostgreSQL (CloudNativePG metrics),
 * Valkey and the LLM with its GPUs (DCGM exporter) — the panels of the CloudWatch dashboard on
 * AWS. Every query reads the metrics the stack's alerts read, so a panel and its alert agree.
 */

/** One panel: a title, PromQL queries (legend per query) and a unit. */
export interface PanelSpec {
    title: string;
    queries: { expr: string; legend: string }[];
    /** Grafana unit id, e.g. `reqps`, `s`, `percentunit`, `bytes`. */
    unit: string;
}

/** A dashboard: a stable uid, a title and its panels (two per row). */
export interface DashboardSpec {
    uid: string;
    title: string;
    panels: PanelSpec[];
}

/** The Grafana JSON model of a dashboard spec: timeseries panels on a 24-column grid, a Prometheus datasource variable. */
export function grafanaModel(d: DashboardSpec): Record<string, unknown> {
    return {
        uid: d.uid,
        title: d.title,
        tags: ["ragstack"],
        schemaVersion: 39,
        editable: false,
        time: { from: "now-6h", to: "now" },
        refresh: "1m",
        templating: { list: [{ name: "datasource", type: "datasource", query: "prometheus", current: {} }] },
        panels: d.panels.map((p, i) => ({
            id: i + 1,
            type: "timeseries",
            title: p.title,
            datasource: { type: "prometheus", uid: "${datasource}" },
            gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
            fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
            targets: p.queries.map((q, j) => ({ refId: String.fromCharCode(65 + j), expr: q.expr, legendFormat: q.legend })),
        })),
    };
}

/** The stack's dashboards for its namespaces (PromQL needs the names as strings). */
export function dashboardSpecs(appNs: string, dataNs: string, llm: boolean, cache = true): DashboardSpec[] {
    const api = `namespace="${appNs}",service="api"`;
    const specs: DashboardSpec[] = [
        {
            uid: `${appNs}-api`.slice(0, 40),
            title: `RAG API (${appNs})`,
            panels: [
                {
                    title: "Requests and 5xx",
                    unit: "reqps",
                    queries: [
                        { expr: `sum(rate(http_requests_total{${api}}[5m]))`, legend: "requests" },
                        { expr: `sum(rate(http_requests_total{${api},status=~"5.."}[5m]))`, legend: "5xx" },
                    ],
                },
                {
                    title: "Latency p95 / p99",
                    unit: "s",
                    queries: [
                        { expr: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${api}}[5m])))`, legend: "p95" },
                        { expr: `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${api}}[5m])))`, legend: "p99" },
                    ],
                },
                {
                    title: "API CPU / memory",
                    unit: "percentunit",
                    queries: [
                        {
                            expr: `sum(rate(container_cpu_usage_seconds_total{namespace="${appNs}",container="api"}[5m])) / sum(kube_pod_container_resource_limits{namespace="${appNs}",container="api",resource="cpu"})`,
                            legend: "cpu of limits",
                        },
                        {
                            expr: `sum(container_memory_working_set_bytes{namespace="${appNs}",container="api"}) / sum(kube_pod_container_resource_limits{namespace="${appNs}",container="api",resource="memory"})`,
                            legend: "memory of limits",
                        },
                    ],
                },
                {
                    title: "API pods",
                    unit: "short",
                    queries: [{ expr: `sum(up{${api}})`, legend: "scraped" }],
                },
                {
                    // RagApiRolloutStuck: 1 while a rollout is past its progress deadline (tools/rollback.sh).
                    title: "API rollout stuck (past its progress deadline)",
                    unit: "short",
                    queries: [
                        {
                            expr: `max(kube_deployment_status_condition{namespace="${appNs}",deployment="api",condition="Progressing",status="false"})`,
                            legend: "stuck",
                        },
                    ],
                },
                {
                    title: "Container restarts (15 min), app and data",
                    unit: "short",
                    queries: [
                        {
                            expr: `sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{namespace=~"${appNs}|${dataNs}"}[15m]))`,
                            legend: "{{namespace}}/{{pod}}",
                        },
                    ],
                },
                {
                    title: "Nodes not Ready",
                    unit: "short",
                    queries: [
                        { expr: `count(kube_node_status_condition{condition="Ready",status="true",namespace=~".*"} == 0) or vector(0)`, legend: "not ready" },
                    ],
                },
                {
                    title: "TLS certificates: time to expiry",
                    unit: "s",
                    queries: [{ expr: `certmanager_certificate_expiration_timestamp_seconds{namespace=~".*"} - time()`, legend: "{{namespace}}/{{name}}" }],
                },
            ],
        },
        {
            uid: `${dataNs}-postgres`.slice(0, 40),
            title: `RAG PostgreSQL (${dataNs})`,
            panels: [
                { title: "Instances up", unit: "short", queries: [{ expr: `sum(cnpg_collector_up{namespace="${dataNs}"})`, legend: "up" }] },
                {
                    title: "Connections of max_connections",
                    unit: "percentunit",
                    queries: [
                        {
                            expr: `sum(cnpg_backends_total{namespace="${dataNs}"}) / max(cnpg_pg_settings_setting{name="max_connections",namespace="${dataNs}"})`,
                            legend: "connections",
                        },
                    ],
                },
                {
                    title: "Replication lag",
                    unit: "s",
                    queries: [{ expr: `max by (pod) (cnpg_pg_replication_lag{namespace="${dataNs}"})`, legend: "{{pod}}" }],
                },
                {
                    title: "Longest transaction / last backup age",
                    unit: "s",
                    queries: [
                        { expr: `max(cnpg_backends_max_tx_duration_seconds{namespace="${dataNs}"})`, legend: "longest transaction" },
                        { expr: `time() - max(cnpg_collector_last_available_backup_timestamp{namespace="${dataNs}"})`, legend: "since the last backup" },
                    ],
                },
                {
                    title: "Volumes: free space, app and data",
                    unit: "percentunit",
                    queries: [
                        {
                            expr: `kubelet_volume_stats_available_bytes{namespace=~"${appNs}|${dataNs}"} / kubelet_volume_stats_capacity_bytes{namespace=~"${appNs}|${dataNs}"}`,
                            legend: "{{namespace}}/{{persistentvolumeclaim}}",
                        },
                    ],
                },
            ],
        },
        {
            uid: `${dataNs}-valkey`.slice(0, 40),
            title: `RAG Valkey (${dataNs})`,
            panels: [
                {
                    title: "Memory of limit",
                    unit: "percentunit",
                    queries: [
                        {
                            expr: `max by (pod) (container_memory_working_set_bytes{namespace="${dataNs}",container="valkey"} / container_spec_memory_limit_bytes{namespace="${dataNs}",container="valkey"})`,
                            legend: "{{pod}}",
                        },
                    ],
                },
                {
                    title: "Ready replicas",
                    unit: "short",
                    queries: [
                        {
                            expr: `sum by (statefulset) (kube_statefulset_status_replicas_ready{namespace="${dataNs}",statefulset=~"valkey.*"})`,
                            legend: "{{statefulset}}",
                        },
                    ],
                },
            ],
        },
    ];
    // Without a cache, no Valkey dashboard.
    if (!cache)
        specs.splice(
            specs.findIndex((d) => d.uid === `${dataNs}-valkey`.slice(0, 40)),
            1,
        );
    if (llm)
        specs.push({
            uid: `${appNs}-llm`.slice(0, 40),
            title: `RAG LLM and GPUs (${appNs})`,
            panels: [
                {
                    title: "Ollama pods ready",
                    unit: "short",
                    queries: [{ expr: `sum(kube_statefulset_status_replicas_ready{namespace="${appNs}",statefulset=~"ollama-[0-9a-f]+"})`, legend: "ready" }],
                },
                {
                    title: "GPU utilisation",
                    unit: "percent",
                    queries: [{ expr: `avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL{namespace="${appNs}"})`, legend: "{{Hostname}} gpu {{gpu}}" }],
                },
                {
                    title: "GPU memory used",
                    unit: "percentunit",
                    queries: [
                        {
                            expr: `max by (Hostname, gpu) (DCGM_FI_DEV_FB_USED{namespace="${appNs}"} / (DCGM_FI_DEV_FB_USED{namespace="${appNs}"} + DCGM_FI_DEV_FB_FREE{namespace="${appNs}"}))`,
                            legend: "{{Hostname}} gpu {{gpu}}",
                        },
                    ],
                },
                {
                    title: "GPU temperature",
                    unit: "celsius",
                    queries: [{ expr: `max by (Hostname, gpu) (DCGM_FI_DEV_GPU_TEMP{namespace="${appNs}"})`, legend: "{{Hostname}} gpu {{gpu}}" }],
                },
            ],
        });
    return specs;
}
