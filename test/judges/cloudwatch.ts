/**
 * The CloudWatch judge: every alarm (single metric or metric math) and every dashboard widget
 * names a namespace, a metric and a dimension set that its publisher emits:
 * - AWS's namespaces: the CloudWatch metric catalog of `@aws-cdk/aws-service-spec`, plus the few
 *   namespaces that catalog lacks (SUPPLEMENT, each from its service's metrics page);
 * - our own: what the plan's CloudWatch agent configuration emits (read from the GPU hosts' user
 *   data) and what the secret-age function puts (its published constants).
 * An alarm on a name or dimension set nobody publishes has no data forever: it never fires.
 */
import { SECRET_AGE_METRIC } from "../../components/aws/secret-age";
import { RecordedResource } from "../../testing/mocks";
import { dimensionKey, metricCatalog, MetricCatalog } from "./aws-data";
import { Finding } from "./iam";

/**
 * Dimension sets every metric of a namespace also has, which the catalog lists only per instance:
 * EC2 publishes each instance metric aggregated by Auto Scaling group, AMI and instance type.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/viewing_metrics_with_cloudwatch.html#ec2-cloudwatch-dimensions
 */
const EXTRA_DIMENSION_SETS: Record<string, string[][]> = {
    "AWS/EC2": [["AutoScalingGroupName"], ["ImageId"], ["InstanceType"]],
};

/**
 * Metrics and namespaces the catalog does not hold, from each service's own page:
 * - AWS/RDS ReplicaLag (read replicas): https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html
 * - AWS/RDS, RDS Proxy: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.monitoring.html
 * - AWS/WAFV2: https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html (a regional
 *   web ACL's metrics carry Region, Rule and WebACL; WebACL is the ACL's *metric name*).
 * - ECS/ContainerInsights: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html
 */
const PROXY_DIMENSIONS = [["ProxyName"], ["ProxyName", "Target"], ["ProxyName", "TargetGroup"], ["ProxyName", "TargetGroup", "TargetRole"]];
const SUPPLEMENT: Record<string, Record<string, string[][]>> = {
    "AWS/RDS": {
        ReplicaLag: [["DBInstanceIdentifier"]],
        ...Object.fromEntries(
            [
                "ClientConnections",
                "DatabaseConnections",
                "DatabaseConnectionsBorrowLatency",
                "DatabaseConnectionsCurrentlyBorrowed",
                "DatabaseConnectionsCurrentlySessionPinned",
                "MaxDatabaseConnectionsAllowed",
                "QueryDatabaseResponseLatency",
                "QueryRequests",
                "AvailabilityPercentage",
            ].map((m) => [m, PROXY_DIMENSIONS]),
        ),
    },
    "AWS/WAFV2": Object.fromEntries(
        [
            "AllowedRequests",
            "BlockedRequests",
            "CountedRequests",
            "CaptchaRequests",
            "ChallengeRequests",
            "PassedRequests",
            "RequestsWithValidCaptchaToken",
        ].map((m) => [
            m,
            [
                ["Region", "Rule", "WebACL"],
                ["Region", "Rule", "RuleGroup", "WebACL"],
            ],
        ]),
    ),
    "ECS/ContainerInsights": Object.fromEntries(
        [
            "CpuUtilized",
            "CpuReserved",
            "MemoryUtilized",
            "MemoryReserved",
            "RunningTaskCount",
            "PendingTaskCount",
            "DesiredTaskCount",
            "TaskSetCount",
            "DeploymentCount",
            "NetworkRxBytes",
            "NetworkTxBytes",
            "StorageReadBytes",
            "StorageWriteBytes",
            "EphemeralStorageReserved",
            "EphemeralStorageUtilized",
        ].map((m) => [m, [["ClusterName"], ["ClusterName", "ServiceName"], ["ClusterName", "TaskDefinitionFamily"]]]),
    ),
};

/** The catalog: AWS's (service spec + supplement) and the plan's own publishers. */
export function planMetricCatalog(resources: RecordedResource[]): MetricCatalog {
    const catalog: MetricCatalog = new Map([...metricCatalog()].map(([ns, m]) => [ns, new Map(m)]));
    const add = (ns: string, metric: string, dims: string[]) => {
        if (!catalog.has(ns)) catalog.set(ns, new Map());
        const m = catalog.get(ns)!;
        if (!m.has(metric)) m.set(metric, new Set());
        m.get(metric)!.add(dimensionKey(dims));
    };
    for (const [ns, metrics] of Object.entries(SUPPLEMENT)) for (const [m, sets] of Object.entries(metrics)) for (const d of sets) add(ns, m, d);
    for (const [ns, sets] of Object.entries(EXTRA_DIMENSION_SETS)) for (const m of catalog.get(ns)?.keys() ?? []) for (const d of sets) add(ns, m, d);
    // Metric filters of the plan publish their transformations (no dimensions unless they name some).
    for (const f of resources.filter((r) => r.type === "aws:cloudwatch/logMetricFilter:LogMetricFilter")) {
        const t = (f.inputs as { metricTransformation?: { namespace: string; name: string; dimensions?: Record<string, string> } }).metricTransformation;
        if (t) add(t.namespace, t.name, Object.keys(t.dimensions ?? {}));
    }
    // The CloudWatch agent: its configuration as the hosts get it (launch template user data).
    for (const lt of resources.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")) {
        const userData = Buffer.from(String((lt.inputs as { userData?: string }).userData ?? ""), "base64").toString();
        const m = /<<'AGENT'\n([\s\S]*?)\nAGENT/.exec(userData);
        if (!m) continue;
        const config = JSON.parse(m[1]) as {
            metrics: { namespace: string; aggregation_dimensions?: string[][]; metrics_collected: Record<string, { measurement: string[] }> };
        };
        for (const [plugin, section] of Object.entries(config.metrics.metrics_collected)) {
            // The nvidia_gpu plugin publishes each measurement as nvidia_smi_<measurement>.
            const prefix = plugin === "nvidia_gpu" ? "nvidia_smi_" : `${plugin}_`;
            for (const measurement of section.measurement)
                for (const dims of config.metrics.aggregation_dimensions ?? []) add(config.metrics.namespace, `${prefix}${measurement}`, dims);
        }
    }
    // The secret-age function: one datapoint per secret with Stack and Secret (secret-age.ts).
    add(SECRET_AGE_METRIC.namespace, SECRET_AGE_METRIC.name, ["Stack", "Secret"]);
    return catalog;
}

interface MetricUse {
    namespace: string;
    metricName: string;
    dimensions: string[];
    where: string;
}

/** The metrics a dashboard body names (rows `[ns, metric, dim, value, …, {options}]`, "." repeats the row above). */
function dashboardMetrics(body: string): MetricUse[] {
    const out: MetricUse[] = [];
    const dash = JSON.parse(body) as { widgets?: { properties?: { title?: string; metrics?: unknown[][] } }[] };
    for (const [w, widget] of (dash.widgets ?? []).entries()) {
        let previous: unknown[] = [];
        for (const row of widget.properties?.metrics ?? []) {
            const cells = row.filter((c) => typeof c !== "object" || c === null);
            if (cells.length < 2) continue; // an expression row
            const filled = cells.map((c, i) => (c === "." ? previous[i] : c));
            previous = filled;
            const dims: string[] = [];
            for (let i = 2; i + 1 < filled.length; i += 2) dims.push(String(filled[i]));
            out.push({ namespace: String(filled[0]), metricName: String(filled[1]), dimensions: dims, where: `widget ${widget.properties?.title ?? w}` });
        }
    }
    return out;
}

/** Every metric an alarm or a dashboard uses. */
export function metricUses(r: RecordedResource): MetricUse[] {
    const inp = r.inputs as Record<string, any>;
    if (r.type === "aws:cloudwatch/metricAlarm:MetricAlarm") {
        const uses: MetricUse[] = [];
        if (inp.metricName) uses.push({ namespace: inp.namespace, metricName: inp.metricName, dimensions: Object.keys(inp.dimensions ?? {}), where: "alarm" });
        for (const q of inp.metricQueries ?? [])
            if (q.metric)
                uses.push({
                    namespace: q.metric.namespace,
                    metricName: q.metric.metricName,
                    dimensions: Object.keys(q.metric.dimensions ?? {}),
                    where: `alarm query ${q.id}`,
                });
        return uses;
    }
    if (r.type === "aws:cloudwatch/dashboard:Dashboard") return dashboardMetrics(inp.dashboardBody);
    return [];
}

/** The CloudWatch judge over a plan's resources. */
export function judgeCloudWatch(resources: RecordedResource[]): { findings: Finding[]; checked: number } {
    const catalog = planMetricCatalog(resources);
    const findings: Finding[] = [];
    let checked = 0;
    for (const r of resources) {
        for (const use of metricUses(r)) {
            checked++;
            const fail = (message: string) => findings.push({ judge: "cloudwatch", resource: r.name, message: `${use.where}: ${message}` });
            const ns = catalog.get(use.namespace);
            if (!ns) {
                fail(`namespace "${use.namespace}" is published by no AWS service and by nothing in the plan`);
                continue;
            }
            const sets = ns.get(use.metricName);
            if (!sets) {
                fail(`${use.namespace} has no metric "${use.metricName}"`);
                continue;
            }
            if (!sets.has(dimensionKey(use.dimensions)))
                fail(
                    `${use.namespace} ${use.metricName} is not published with dimensions [${use.dimensions.join(", ")}] (published: ${[...sets].map((s) => `[${s}]`).join(" ")})`,
                );
        }
    }
    return { findings, checked };
}
