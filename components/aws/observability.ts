import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsRunbookAnchor, runbookLink } from "../core/facts";
import { typeToken } from "../core/naming";
import { rdsMaxConnections } from "../core/sizing";
import { Validator } from "../core/validation";
import { awsAlarm, AwsAlarmName, AwsAlarmOverride, checkAwsAlarms } from "../settings/alerts";
import { AwsCommonArgs, AwsContext } from "./common";
import { GPU_FLEET_DIMENSION } from "./llm";
import { SecretAgeCheck } from "./secret-age";

export interface ObservabilityArgs extends AwsCommonArgs {
    /** KMS key of the SNS topic (created topic only). */
    logsKeyArn: pulumi.Input<string>;
    /** Bring your own SNS topic. Excludes alarmEmails. */
    alarmTopicArn?: pulumi.Input<string>;
    /** E-mail addresses subscribed to the created topic. */
    alarmEmails?: string[];
    /** ARN suffix of the ALB (CloudWatch dimensions, request-count scaling). */
    loadBalancerArnSuffix: pulumi.Input<string>;
    /** ARN suffix of the target group (CloudWatch dimensions, request-count scaling). */
    targetGroupArnSuffix: pulumi.Input<string>;
    /** Name of the cluster. */
    clusterName: pulumi.Input<string>;
    /** Name of the API's ECS service. */
    apiServiceName: pulumi.Input<string>;
    /** Identifier of the primary RDS instance. */
    dbInstanceIdentifier: pulumi.Input<string>;
    /** Read replica identifiers (one lag alarm each). */
    dbReplicaIdentifiers?: pulumi.Input<string>[];
    /** Name of the RDS Proxy (borrow latency and connection alarms). @default none: no proxy alarms */
    dbProxyName?: pulumi.Input<string>;
    /** The database's slow-statement count (a log metric filter). @default none: no slow-query alarm */
    dbSlowQueryMetric?: { namespace: string; name: string };
    /** Used to derive the connections threshold (80% of max_connections). */
    dbInstanceClass: string;
    /** Allocated storage, to alarm at 10% free. */
    dbStorageGiB: number;
    /** Id of the ElastiCache replication group. @default none: no cache alarms or panel (the stack has no cache) */
    cacheReplicationGroupId?: pulumi.Input<string>;
    /**
     * Nodes of the replication group (primary + replicas). ElastiCache publishes its metrics per
     * node (`CacheClusterId` `<group>-001`, `-002`, …), never per group: the cache alarms combine
     * every node's. https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.WhichShouldIMonitor.html
     * @default 1
     */
    cacheNodeCount?: number;
    /** Auto Scaling group of the GPU hosts (status-check alarm). @default none: no GPU alarm */
    gpuAutoScalingGroupName?: pulumi.Input<string>;
    /**
     * Namespace the GPU instances' CloudWatch agent publishes NVIDIA metrics to (per fleet, the
     * `GpuFleet` dimension): GPU utilisation and memory alarms. @default none: no GPU metric alarms
     */
    gpuMetricsNamespace?: string;
    /** Value of the GPU metrics' `GpuFleet` dimension (`Llm.gpuFleetName`). Required with `gpuMetricsNamespace`. */
    gpuFleetName?: pulumi.Input<string>;
    /** ECS service of the LLM (running below desired alarm). @default none: no such alarm */
    llmServiceName?: pulumi.Input<string>;
    /**
     * CloudWatch metric name of the WAF web ACL (`Waf.webAclMetricName`), the `WebACL` dimension
     * of its metrics (not the ACL's name): blocked-request alarm. @default none: no WAF alarm
     */
    webAclMetricName?: pulumi.Input<string>;
    /**
     * Slow statements (over 1 s) in 5 minutes that alarm; deprecated: use `alarms: { "db-slow-queries": { threshold } }`.
     * @deprecated use `alarms: { "db-slow-queries": { threshold } }`
     * @default 50
     */
    dbSlowQueryThreshold?: number;
    /**
     * Blocked requests in 5 minutes that count as a spike; deprecated: use `alarms: { "waf-blocked-spike": { threshold } }`.
     * @deprecated use `alarms: { "waf-blocked-spike": { threshold } }`
     * @default 500
     */
    wafBlockedSpike?: number;
    /**
     * Overrides of the alarms by alarm key (`alb-p95-latency`): threshold (in the alarm's unit),
     * periods evaluated and periods that must breach; the rest keep the catalogue's values
     * (`AWS_ALARMS`, components/settings/alerts.ts). @default {}
     */
    alarms?: Partial<Record<AwsAlarmName, AwsAlarmOverride>>;
    /**
     * Watch the age of these secrets: a scheduled check publishes the age of each one's current
     * value, and an alarm fires when it passes `maxAgeDays` or when the check cannot tell.
     * @default none: no secret-age check
     */
    secretAge?: {
        /** Short name (alarm and metric dimension) → secret ARN. */
        secretArns: Record<string, pulumi.Input<string>>;
        /** Age in days that alarms (7..400). */
        maxAgeDays: number;
        /** Days the check's logs are kept. @default 90 */
        logRetentionDays?: number;
    };
}

/** Share of max_connections the RDS Proxy's pool may hold (its `maxConnectionsPercent`, components/aws/database.ts). */
const PROXY_POOL_PERCENT = 80;

/** What one alarm measures (its actions and tags are the component's). */
/** An alarm's settings; the description is plain text (the runbook link is appended). */
type AlarmSpec = Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "tags" | "alarmDescription"> & { alarmDescription: string };

/** What every step of the constructor needs. */
interface StepInput {
    ctx: AwsContext;
    args: ObservabilityArgs;
    alarm: (key: string, spec: AlarmSpec) => aws.cloudwatch.MetricAlarm;
    /** The alarm's threshold, evaluation periods and datapoints: its override over the catalogue. */
    when: (name: AwsAlarmName) => { threshold: number; evaluationPeriods: number; datapointsToAlarm?: number };
}

/**
 * Alarms to an SNS topic (encrypted) and one dashboard: ALB 5xx rate, p95 latency > 2 s, p99 > 5 s,
 * no healthy or some unhealthy targets, ECS CPU > 70% / memory > 80%, RDS CPU, free storage,
 * connections > 80% of max, replica lag, RDS events (failover, failure, low storage...), Valkey
 * memory, hit rate and evictions, GPU instance status, Ollama tasks below desired, WAF blocked
 * spike. Each alarm's description links its runbook (docs/runbooks.md).
 */
export class Observability extends pulumi.ComponentResource {
    /** ARN of the SNS topic alarms go to. */
    readonly alarmTopicArn: pulumi.Output<string>;
    /** Name of the CloudWatch dashboard. */
    readonly dashboardName: pulumi.Output<string>;
    /** Names of the alarms. */
    readonly alarmNames: pulumi.Output<string>[] = [];
    /** The name of each alarm by its key (`alb-5xx-rate`): what ECS's deployment alarms name. */
    readonly alarmNameByKey: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new Validator(`Observability ${name}`);
        v.exclusive("alarmTopicArn", args.alarmTopicArn, "alarmEmails", args.alarmEmails?.length ? args.alarmEmails : undefined);
        (args.alarmEmails ?? []).forEach((e, i) => v.matches(`alarmEmails[${i}]`, e, /^[^@\s]+@[^@\s]+\.[^@\s]+$/, "an e-mail address"));
        if (args.cacheNodeCount !== undefined) v.int("cacheNodeCount", args.cacheNodeCount, 1, 6);
        const overrides = alarmOverrides(args);
        checkAwsAlarms(v, "alarms", overrides);
        if (args.gpuMetricsNamespace && !args.gpuFleetName)
            v.fail("gpuFleetName", args.gpuFleetName, "the GpuFleet dimension value (Llm.gpuFleetName) with gpuMetricsNamespace");
        v.throwIfAny();
        super(typeToken("aws", "Observability"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);
        const topicArn = this.createTopic(ctx, args);
        const when = (alarmName: AwsAlarmName) => {
            const c = awsAlarm(alarmName, overrides);
            // datapointsToAlarm unset: every evaluated period must breach (CloudWatch's default).
            return {
                threshold: c.threshold,
                evaluationPeriods: c.evaluationPeriods,
                ...(c.datapointsToAlarm !== undefined ? { datapointsToAlarm: c.datapointsToAlarm } : {}),
            };
        };
        const input: StepInput = { ctx, args, alarm: (key, a) => this.alarm(ctx, topicArn, key, a), when };

        this.createEdgeAlarms(input);
        this.createApiAlarms(input);
        this.createDatabaseAlarms(input);
        this.createDatabaseEvents(input, topicArn);
        if (args.cacheReplicationGroupId !== undefined) this.createCacheAlarms(input);
        this.createLlmAlarms(input);
        this.createWafAlarms(input);
        this.createSecretAgeAlarms(input, topicArn);
        const dashboard = this.createDashboard(input);

        this.alarmTopicArn = topicArn;
        this.dashboardName = dashboard.dashboardName;
        this.registerOutputs({ alarmTopicArn: this.alarmTopicArn, dashboardName: this.dashboardName });
    }

    /** The alarm topic: the one given, or a new one encrypted with the logs key, with e-mail subscriptions. */
    private createTopic(ctx: AwsContext, args: ObservabilityArgs): pulumi.Output<string> {
        if (args.alarmTopicArn) return pulumi.output(args.alarmTopicArn);
        const topic = new aws.sns.Topic(
            ctx.childName("alarms"),
            { name: ctx.physical("alarms"), kmsMasterKeyId: args.logsKeyArn, tags: ctx.tags("alarms") },
            ctx.opts(),
        );
        (args.alarmEmails ?? []).forEach(
            (email, i) =>
                new aws.sns.TopicSubscription(ctx.childName(`alarm-email-${i}`), { topic: topic.arn, protocol: "email", endpoint: email }, ctx.opts()),
        );
        return topic.arn;
    }

    /** One alarm to the topic (alarm and OK), missing data not breaching, its runbook named in the description. */
    private alarm(ctx: AwsContext, topicArn: pulumi.Output<string>, key: string, a: AlarmSpec): aws.cloudwatch.MetricAlarm {
        const res = new aws.cloudwatch.MetricAlarm(
            ctx.childName(key),
            {
                name: ctx.physical(key, 255),
                alarmActions: [topicArn],
                okActions: [topicArn],
                treatMissingData: "notBreaching",
                ...a,
                alarmDescription: `${a.alarmDescription}. Runbook: ${runbookLink(awsRunbookAnchor(key))}`,
                tags: ctx.tags(key),
            },
            ctx.opts(),
        );
        this.alarmNames.push(res.name);
        this.alarmNameByKey[key] = res.name;
        return res;
    }

    /** Secret age: the scheduled check and an alarm per secret to the alarm topic (a `SecretAgeCheck`). */
    private createSecretAgeAlarms({ ctx, args }: StepInput, topicArn: pulumi.Output<string>): void {
        if (!args.secretAge) return;
        const check = new SecretAgeCheck(
            ctx.childName("secret-age"),
            {
                environment: args.environment,
                namePrefix: args.namePrefix,
                tags: args.tags,
                accountId: args.accountId,
                secretArns: args.secretAge.secretArns,
                maxAgeDays: args.secretAge.maxAgeDays,
                alarmTopicArn: topicArn,
                logsKeyArn: args.logsKeyArn,
                logRetentionDays: args.secretAge.logRetentionDays,
            },
            { parent: this },
        );
        this.alarmNames.push(...check.alarmNames);
    }

    /** The edge: 5xx rate, p95 latency, unhealthy API targets. */
    private createEdgeAlarms({ args, alarm, when }: StepInput): void {
        const alb = { LoadBalancer: args.loadBalancerArnSuffix };
        const rate = when("alb-5xx-rate");
        alarm("alb-5xx-rate", {
            alarmDescription: `More than ${rate.threshold}% of requests answered 5xx`,
            comparisonOperator: "GreaterThanThreshold",
            ...rate,
            metricQueries: [
                // IF, not MAX([series, 1]): metric math's MAX takes one series or an array of series, never a scalar.
                // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
                {
                    id: "rate",
                    expression: "IF(FILL(req, 0) > 0, 100 * (FILL(e5, 0) + FILL(t5, 0)) / FILL(req, 0), 0)",
                    label: "5xx %",
                    returnData: true,
                },
                { id: "e5", metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", dimensions: alb, period: 60, stat: "Sum" } },
                { id: "t5", metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions: alb, period: 60, stat: "Sum" } },
                { id: "req", metric: { namespace: "AWS/ApplicationELB", metricName: "RequestCount", dimensions: alb, period: 60, stat: "Sum" } },
            ],
        });
        const p95 = when("alb-p95-latency");
        alarm("alb-p95-latency", {
            alarmDescription: `p95 target response time above ${p95.threshold} s`,
            namespace: "AWS/ApplicationELB",
            metricName: "TargetResponseTime",
            dimensions: alb,
            extendedStatistic: "p95",
            period: 60,
            ...p95,
            comparisonOperator: "GreaterThanThreshold",
        });
        const p99 = when("alb-p99-latency");
        alarm("alb-p99-latency", {
            alarmDescription: `p99 target response time above ${p99.threshold} s`,
            namespace: "AWS/ApplicationELB",
            metricName: "TargetResponseTime",
            dimensions: alb,
            extendedStatistic: "p99",
            period: 60,
            ...p99,
            comparisonOperator: "GreaterThanThreshold",
        });
        alarm("api-no-healthy-targets", {
            alarmDescription: "No healthy API target behind the load balancer (the API is down)",
            namespace: "AWS/ApplicationELB",
            metricName: "HealthyHostCount",
            dimensions: { LoadBalancer: args.loadBalancerArnSuffix, TargetGroup: args.targetGroupArnSuffix },
            statistic: "Minimum",
            period: 60,
            ...when("api-no-healthy-targets"),
            threshold: 1,
            comparisonOperator: "LessThanThreshold",
            // no data points means no target reported at all
            treatMissingData: "breaching",
        });
        const unhealthy = when("api-unhealthy-targets");
        alarm("api-unhealthy-targets", {
            alarmDescription: `${unhealthy.threshold > 0 ? `More than ${unhealthy.threshold} API targets` : "API targets"} failing /health (API down)`,
            namespace: "AWS/ApplicationELB",
            metricName: "UnHealthyHostCount",
            dimensions: { LoadBalancer: args.loadBalancerArnSuffix, TargetGroup: args.targetGroupArnSuffix },
            statistic: "Maximum",
            period: 60,
            ...unhealthy,
            comparisonOperator: "GreaterThanThreshold",
        });
    }

    /** The API service: CPU and memory. */
    private createApiAlarms({ args, alarm, when }: StepInput): void {
        const ecs = { ClusterName: args.clusterName, ServiceName: args.apiServiceName };
        const api_cpu = when("api-cpu");
        alarm("api-cpu", {
            alarmDescription: `API CPU above ${api_cpu.threshold}%`,
            namespace: "AWS/ECS",
            metricName: "CPUUtilization",
            dimensions: ecs,
            statistic: "Average",
            period: 300,
            ...api_cpu,
            comparisonOperator: "GreaterThanThreshold",
        });
        const api_memory = when("api-memory");
        alarm("api-memory", {
            alarmDescription: `API memory above ${api_memory.threshold}%`,
            namespace: "AWS/ECS",
            metricName: "MemoryUtilization",
            dimensions: ecs,
            statistic: "Average",
            period: 300,
            ...api_memory,
            comparisonOperator: "GreaterThanThreshold",
        });
    }

    /** The database: CPU, free storage, connections, and replica lag per replica. */
    private createDatabaseAlarms({ args, alarm, when }: StepInput): void {
        const db = { DBInstanceIdentifier: args.dbInstanceIdentifier };
        const db_cpu = when("db-cpu");
        alarm("db-cpu", {
            alarmDescription: `Database CPU above ${db_cpu.threshold}%`,
            namespace: "AWS/RDS",
            metricName: "CPUUtilization",
            dimensions: db,
            statistic: "Average",
            period: 300,
            ...db_cpu,
            comparisonOperator: "GreaterThanThreshold",
        });
        const storage = when("db-free-storage");
        alarm("db-free-storage", {
            alarmDescription: `Database free storage below ${storage.threshold}%`,
            namespace: "AWS/RDS",
            metricName: "FreeStorageSpace",
            dimensions: db,
            statistic: "Minimum",
            period: 300,
            ...storage,
            // Bytes: the percentage of the allocated storage.
            threshold: Math.round(args.dbStorageGiB * (storage.threshold / 100) * 1024 ** 3),
            comparisonOperator: "LessThanThreshold",
        });
        const connections = when("db-connections");
        alarm("db-connections", {
            alarmDescription: `Database connections above ${connections.threshold}% of max_connections`,
            namespace: "AWS/RDS",
            metricName: "DatabaseConnections",
            dimensions: db,
            statistic: "Maximum",
            period: 300,
            ...connections,
            threshold: Math.floor(rdsMaxConnections(args.dbInstanceClass) * (connections.threshold / 100)),
            comparisonOperator: "GreaterThanThreshold",
        });
        if (args.dbProxyName) {
            const proxy = { ProxyName: args.dbProxyName };
            const borrow = when("db-proxy-borrow-latency");
            alarm("db-proxy-borrow-latency", {
                alarmDescription: `RDS Proxy waits more than ${borrow.threshold} s for a database connection (pool exhausted)`,
                namespace: "AWS/RDS",
                metricName: "DatabaseConnectionsBorrowLatency",
                dimensions: proxy,
                extendedStatistic: "p95",
                period: 300,
                ...borrow,
                // Microseconds.
                threshold: Math.round(borrow.threshold * 1_000_000),
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            });
            const proxyConnections = when("db-proxy-connections");
            alarm("db-proxy-connections", {
                alarmDescription: `RDS Proxy holds more than ${proxyConnections.threshold}% of its pool (${PROXY_POOL_PERCENT}% of max_connections)`,
                namespace: "AWS/RDS",
                metricName: "DatabaseConnections",
                dimensions: proxy,
                // Published per proxy node: the proxy's connections are the sum (rds-proxy.monitoring).
                statistic: "Sum",
                period: 300,
                ...proxyConnections,
                threshold: Math.floor(rdsMaxConnections(args.dbInstanceClass) * (PROXY_POOL_PERCENT / 100) * (proxyConnections.threshold / 100)),
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            });
        }
        if (args.dbSlowQueryMetric) {
            const slow = when("db-slow-queries");
            alarm("db-slow-queries", {
                alarmDescription: `More than ${slow.threshold} statements slower than 1 s in 5 minutes`,
                namespace: args.dbSlowQueryMetric.namespace,
                metricName: args.dbSlowQueryMetric.name,
                statistic: "Sum",
                period: 300,
                ...slow,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            });
        }
        const lag = when("db-replica-lag");
        (args.dbReplicaIdentifiers ?? []).forEach((replica, i) =>
            alarm(`db-replica-lag-${i}`, {
                alarmDescription: `Read replica more than ${lag.threshold} s behind`,
                namespace: "AWS/RDS",
                metricName: "ReplicaLag",
                dimensions: { DBInstanceIdentifier: replica },
                statistic: "Maximum",
                period: 60,
                ...lag,
                comparisonOperator: "GreaterThanThreshold",
            }),
        );
    }

    /**
     * RDS events of the database instances to the alarm topic: failover, failure, low storage,
     * a replica's problems and maintenance, as they happen (the alarms only see metrics).
     */
    private createDatabaseEvents({ ctx, args }: StepInput, topicArn: pulumi.Output<string>): void {
        new aws.rds.EventSubscription(
            ctx.childName("db-events"),
            {
                name: ctx.physical("db-events", 255),
                snsTopic: topicArn,
                sourceType: "db-instance",
                sourceIds: [args.dbInstanceIdentifier, ...(args.dbReplicaIdentifiers ?? [])],
                eventCategories: ["failover", "failure", "low storage", "maintenance", "notification", "read replica", "recovery"],
                tags: ctx.tags("db-events"),
            },
            ctx.opts(),
        );
    }

    /**
     * The cache: memory, hit rate and evictions, each over every node of the group (metric math:
     * the highest memory, the average hit rate, the sum of evictions), since ElastiCache publishes
     * per node and a failover moves the primary.
     */
    private createCacheAlarms({ args, alarm, when }: StepInput): void {
        const nodes = cacheNodeIds(args.cacheReplicationGroupId!, args.cacheNodeCount ?? 1);
        const combined = (metricName: string, stat: string, period: number, fn: string, label: string) => [
            { id: "combined", expression: `${fn}(METRICS())`, label, returnData: true },
            ...nodes.map((node, i) => ({
                id: `node${i + 1}`,
                metric: { namespace: "AWS/ElastiCache", metricName, dimensions: { CacheClusterId: node }, period, stat },
                returnData: false,
            })),
        ];
        const memory = when("cache-memory");
        alarm("cache-memory", {
            alarmDescription: `Valkey memory above ${memory.threshold}%`,
            metricQueries: combined("DatabaseMemoryUsagePercentage", "Maximum", 300, "MAX", "Valkey memory used (%), highest node"),
            ...memory,
            comparisonOperator: "GreaterThanThreshold",
        });
        const hitRate = when("cache-hit-rate");
        alarm("cache-hit-rate", {
            alarmDescription: `Valkey cache hit rate below ${hitRate.threshold}%`,
            metricQueries: combined("CacheHitRate", "Average", 900, "AVG", "Valkey hit rate (%), average of nodes"),
            ...hitRate,
            comparisonOperator: "LessThanThreshold",
        });
        const evictions = when("cache-evictions");
        alarm("cache-evictions", {
            alarmDescription: evictions.threshold > 0 ? `Valkey evicting more than ${evictions.threshold} keys in 5 minutes` : "Valkey evicting keys",
            metricQueries: combined("Evictions", "Sum", 300, "SUM", "Valkey evictions, all nodes"),
            ...evictions,
            comparisonOperator: "GreaterThanThreshold",
        });
    }

    /** The GPU instances: status checks (LLM unhealthy); the LLM's tasks below the desired count. */
    private createLlmAlarms({ args, alarm, when }: StepInput): void {
        if (args.llmServiceName) {
            const service = { ClusterName: args.clusterName, ServiceName: args.llmServiceName };
            const below = when("llm-tasks-below-desired");
            alarm("llm-tasks-below-desired", {
                alarmDescription: `Fewer Ollama tasks running than desired for ${below.datapointsToAlarm ?? below.evaluationPeriods} minutes`,
                comparisonOperator: "GreaterThanThreshold",
                ...below,
                threshold: 0,
                metricQueries: [
                    { id: "missing", expression: "FILL(desired, 0) - FILL(running, 0)", label: "tasks missing", returnData: true },
                    {
                        id: "desired",
                        metric: { namespace: "ECS/ContainerInsights", metricName: "DesiredTaskCount", dimensions: service, period: 60, stat: "Maximum" },
                    },
                    {
                        id: "running",
                        metric: { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions: service, period: 60, stat: "Maximum" },
                    },
                ],
            });
        }
        if (args.gpuAutoScalingGroupName) {
            alarm("gpu-status", {
                alarmDescription: "GPU instance status check failing (LLM unhealthy)",
                namespace: "AWS/EC2",
                metricName: "StatusCheckFailed",
                dimensions: { AutoScalingGroupName: args.gpuAutoScalingGroupName },
                statistic: "Maximum",
                period: 60,
                ...when("gpu-status"),
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
            });
            if (args.gpuMetricsNamespace && args.gpuFleetName) {
                const asg = { [GPU_FLEET_DIMENSION]: args.gpuFleetName };
                const gpu = (metricName: string) => ({ namespace: args.gpuMetricsNamespace!, metricName, dimensions: asg, period: 300, stat: "Maximum" });
                const utilization = when("gpu-utilization");
                alarm("gpu-utilization", {
                    alarmDescription: `GPU utilisation above ${utilization.threshold}% for ${utilization.evaluationPeriods * 5} minutes (the LLM is saturated: add GPU capacity)`,
                    namespace: args.gpuMetricsNamespace,
                    metricName: "nvidia_smi_utilization_gpu",
                    dimensions: asg,
                    statistic: "Average",
                    period: 300,
                    ...utilization,
                    comparisonOperator: "GreaterThanThreshold",
                    treatMissingData: "notBreaching",
                });
                const gpuMemory = when("gpu-memory");
                alarm("gpu-memory", {
                    alarmDescription: `GPU memory above ${gpuMemory.threshold}% for ${gpuMemory.evaluationPeriods * 5} minutes (models do not fit: fewer or smaller models, or a larger GPU)`,
                    comparisonOperator: "GreaterThanThreshold",
                    ...gpuMemory,
                    treatMissingData: "notBreaching",
                    metricQueries: [
                        { id: "used_percent", expression: "100 * used / total", label: "GPU memory used (%)", returnData: true },
                        { id: "used", metric: gpu("nvidia_smi_memory_used") },
                        { id: "total", metric: gpu("nvidia_smi_memory_total") },
                    ],
                });
            }
        }
    }

    /** The WAF: a spike of blocked requests. */
    private createWafAlarms({ args, alarm, when }: StepInput): void {
        if (args.webAclMetricName) {
            alarm("waf-blocked-spike", {
                alarmDescription: "WAF blocked-request spike",
                namespace: "AWS/WAFV2",
                metricName: "BlockedRequests",
                dimensions: { WebACL: args.webAclMetricName, Region: aws.getRegionOutput({}, { parent: this }).region, Rule: "ALL" },
                statistic: "Sum",
                period: 300,
                ...when("waf-blocked-spike"),
                comparisonOperator: "GreaterThanThreshold",
            });
        }
    }

    /** One dashboard: ALB, ECS, RDS, Valkey, the LLM's GPUs (the panels of the Grafana dashboards on Kubernetes). */
    private createDashboard({ ctx, args }: StepInput): aws.cloudwatch.Dashboard {
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const widget = (title: string, metrics: unknown[], x: number, y: number) => ({
            type: "metric",
            x,
            y,
            width: 12,
            height: 6,
            properties: { title, region, metrics, stat: "Average", period: 60 },
        });
        return new aws.cloudwatch.Dashboard(
            ctx.childName("dashboard"),
            {
                dashboardName: ctx.physical("dashboard", 255),
                dashboardBody: pulumi.jsonStringify({
                    widgets: [
                        widget(
                            "ALB requests and 5xx",
                            [
                                ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", args.loadBalancerArnSuffix, { stat: "Sum" }],
                                ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", args.loadBalancerArnSuffix, { stat: "Sum" }],
                            ],
                            0,
                            0,
                        ),
                        widget(
                            "Latency p95",
                            [["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", args.loadBalancerArnSuffix, { stat: "p95" }]],
                            12,
                            0,
                        ),
                        widget(
                            "API CPU / memory",
                            [
                                ["AWS/ECS", "CPUUtilization", "ClusterName", args.clusterName, "ServiceName", args.apiServiceName],
                                ["AWS/ECS", "MemoryUtilization", "ClusterName", args.clusterName, "ServiceName", args.apiServiceName],
                            ],
                            0,
                            6,
                        ),
                        widget(
                            "Database",
                            [
                                ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", args.dbInstanceIdentifier],
                                ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", args.dbInstanceIdentifier],
                            ],
                            12,
                            6,
                        ),
                        ...(args.cacheReplicationGroupId !== undefined
                            ? [
                                  widget(
                                      "Valkey",
                                      [
                                          ...cacheNodeIds(args.cacheReplicationGroupId, args.cacheNodeCount ?? 1).flatMap((node) => [
                                              ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", node],
                                              ["AWS/ElastiCache", "Evictions", "CacheClusterId", node, { yAxis: "right" }],
                                          ]),
                                      ],
                                      0,
                                      12,
                                  ),
                              ]
                            : []),
                        ...(args.gpuMetricsNamespace && args.gpuFleetName
                            ? [
                                  widget(
                                      "LLM GPUs (utilisation %, memory used MiB)",
                                      [
                                          [args.gpuMetricsNamespace, "nvidia_smi_utilization_gpu", GPU_FLEET_DIMENSION, args.gpuFleetName],
                                          [args.gpuMetricsNamespace, "nvidia_smi_memory_used", GPU_FLEET_DIMENSION, args.gpuFleetName, { yAxis: "right" }],
                                      ],
                                      12,
                                      12,
                                  ),
                              ]
                            : []),
                    ],
                }),
            },
            ctx.opts(),
        );
    }
}

/** The alarms' overrides, the deprecated single-threshold arguments folded in (`alarms` wins). */
function alarmOverrides(args: ObservabilityArgs): Partial<Record<AwsAlarmName, AwsAlarmOverride>> {
    const out: Partial<Record<AwsAlarmName, AwsAlarmOverride>> = {};
    if (args.dbSlowQueryThreshold !== undefined) out["db-slow-queries"] = { threshold: args.dbSlowQueryThreshold };
    if (args.wafBlockedSpike !== undefined) out["waf-blocked-spike"] = { threshold: args.wafBlockedSpike };
    for (const [name, o] of Object.entries(args.alarms ?? {}) as [AwsAlarmName, AwsAlarmOverride][])
        out[name] = o !== null && typeof o === "object" && !Array.isArray(o) ? { ...out[name], ...o } : o;
    return out;
}

/** The member clusters of a replication group: ElastiCache names them `<group>-001`, `-002`, … */
export function cacheNodeIds(groupId: pulumi.Input<string>, count: number): pulumi.Output<string>[] {
    return Array.from({ length: count }, (_, i) => pulumi.interpolate`${groupId}-${String(i + 1).padStart(3, "0")}`);
}
