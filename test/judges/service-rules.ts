/**
 * Service-side rules: what AWS enforces (or silently does) that no schema holds, each a named
 * check citing the documentation page that states it. Each was found by reading AWS's
 * documentation of a resource type the stack creates, most of them against a defect of the plan;
 * test/aws-judges.test.ts runs every rule on every AWS plan, and a mutation per rule shows it can
 * fail.
 */
import { RecordedResource } from "../../testing/mocks";
import { Finding } from "./iam";

export interface ServiceRule {
    name: string;
    /** The AWS documentation page that states the rule. */
    doc: string;
    check: (resources: RecordedResource[], ctx: RuleContext) => { resource: string; message: string }[];
}

export interface RuleContext {
    /** The region the stack is planned in. */
    region: string;
}

/**
 * The concurrency limit AWS gives a new account (it raises it with use), and the unreserved
 * minimum every reservation must leave. https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
 */
export const NEW_ACCOUNT_LAMBDA_CONCURRENCY = 10;
export const LAMBDA_UNRESERVED_MINIMUM = 100;

const inp = (r: RecordedResource) => r.inputs as Record<string, any>;
const ofType = (rs: RecordedResource[], t: string) => rs.filter((r) => r.type === t);
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** Minutes since Monday 00:00 of `ddd:hh:mm`. */
function weekMinutes(t: string): number {
    const [d, h, m] = t.split(":");
    return ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].indexOf(d) * 1440 + Number(h) * 60 + Number(m);
}

/** The start minutes (since Monday 00:00) in one week of an AWS Backup cron `cron(m h dom mon dow year)` (dom rules: every weekday). */
function cronStarts(expr: string): number[] {
    const m = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expr);
    if (!m) return [];
    const [minute, hour, , , dow] = [Number(m[1]), Number(m[2]), m[3], m[4], m[5]];
    const days = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
    const on = dow === "?" || dow === "*" ? days.map((_, i) => i) : dow.split(",").map((d) => days.indexOf(d.toUpperCase()));
    return on.map((d) => d * 1440 + hour * 60 + minute);
}

/**
 * Physical names AWS constrains beyond any schema here: (type, input, longest, pattern, page).
 * A name over the limit or off the pattern fails at create.
 */
const NAME_LIMITS: [string, string, number, RegExp, string][] = [
    [
        "aws:lb/loadBalancer:LoadBalancer",
        "name",
        32,
        /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
        "elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
    ],
    [
        "aws:lb/targetGroup:TargetGroup",
        "name",
        32,
        /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
        "elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
    ],
    ["aws:rds/instance:Instance", "identifier", 63, /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/, "AmazonRDS/latest/APIReference/API_CreateDBInstance.html"],
    ["aws:rds/proxy:Proxy", "name", 63, /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/, "AmazonRDS/latest/APIReference/API_CreateDBProxy.html"],
    [
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "replicationGroupId",
        40,
        /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
        "AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html",
    ],
    ["aws:s3/bucket:Bucket", "bucketPrefix", 37, /^[a-z0-9][a-z0-9.-]*$/, "AmazonS3/latest/userguide/bucketnamingrules.html"],
    [
        "aws:ecs/capacityProvider:CapacityProvider",
        "name",
        255,
        /^(?!(aws|ecs|fargate))[A-Za-z0-9_-]+$/i,
        "AmazonECS/latest/APIReference/API_CreateCapacityProvider.html",
    ],
    ["aws:ecs/cluster:Cluster", "name", 255, /^[A-Za-z0-9_-]+$/, "AmazonECS/latest/APIReference/API_CreateCluster.html"],
    ["aws:ecs/service:Service", "name", 255, /^[A-Za-z0-9_-]+$/, "AmazonECS/latest/APIReference/API_CreateService.html"],
    ["aws:ecs/taskDefinition:TaskDefinition", "family", 255, /^[A-Za-z0-9_-]+$/, "AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html"],
    ["aws:lambda/function:Function", "name", 64, /^[A-Za-z0-9_-]+$/, "lambda/latest/api/API_CreateFunction.html"],
    ["aws:wafv2/webAcl:WebAcl", "name", 128, /^[\w-]+$/, "waf/latest/APIReference/API_CreateWebACL.html"],
    ["aws:sns/topic:Topic", "name", 256, /^[A-Za-z0-9_-]+$/, "sns/latest/api/API_CreateTopic.html"],
    [
        "aws:cloudtrail/trail:Trail",
        "name",
        128,
        /^[A-Za-z0-9](?!.*[._-]{2})[A-Za-z0-9._-]*[A-Za-z0-9]$/,
        "awscloudtrail/latest/APIReference/API_CreateTrail.html",
    ],
    ["aws:backup/vault:Vault", "name", 50, /^[A-Za-z0-9_-]+$/, "aws-backup/latest/devguide/API_CreateBackupVault.html"],
    ["aws:backup/plan:Plan", "name", 50, /^[A-Za-z0-9_.-]+$/, "aws-backup/latest/devguide/API_BackupPlanInput.html"],
    ["aws:backup/selection:Selection", "name", 50, /^[A-Za-z0-9_.-]+$/, "aws-backup/latest/devguide/API_BackupSelection.html"],
    ["aws:kms/alias:Alias", "name", 256, /^alias\/(?!aws\/)[A-Za-z0-9/_-]+$/, "kms/latest/APIReference/API_CreateAlias.html"],
    ["aws:cloudwatch/eventRule:EventRule", "name", 64, /^[.\-_A-Za-z0-9]+$/, "eventbridge/latest/APIReference/API_PutRule.html"],
];

export const SERVICE_RULES: ServiceRule[] = [
    {
        name: "physical-names-within-aws-limits",
        doc: "https://docs.aws.amazon.com/ (one API reference page per name: NAME_LIMITS)",
        check: (rs) =>
            NAME_LIMITS.flatMap(([type, field, max, pattern, page]) =>
                ofType(rs, type)
                    .filter((r) => typeof inp(r)[field] === "string")
                    .filter((r) => inp(r)[field].length > max || !pattern.test(inp(r)[field]))
                    .map((r) => ({
                        resource: r.name,
                        message: `${field} "${inp(r)[field]}" (${inp(r)[field].length} characters): at most ${max} matching ${pattern} (https://docs.aws.amazon.com/${page})`,
                    })),
            ),
    },
    {
        name: "s3-replication-metrics-event-threshold-needs-rtc",
        doc: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html",
        check: (rs) =>
            ofType(rs, "aws:s3/bucketReplicationConfig:BucketReplicationConfig").flatMap((r) =>
                list(inp(r).rules)
                    .filter((rule: any) => rule.destination?.metrics?.eventThreshold && rule.destination?.replicationTime?.status !== "Enabled")
                    .map((rule: any) => ({
                        resource: r.name,
                        message: `rule ${rule.id}: metrics with an event threshold and no Replication Time Control: S3 answers InvalidArgument`,
                    })),
            ),
    },
    {
        name: "kms-key-policy-principals-exist-first",
        doc: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html",
        // KMS refuses a key policy naming an IAM principal that does not exist (MalformedPolicyDocument:
        // invalid principals). A role the plan creates is named by its ARN and the key depends on it; a
        // role the plan does not create must not be one that only some accounts have (service-linked roles).
        check: (rs) =>
            ofType(rs, "aws:kms/key:Key").flatMap((key) => {
                const policy = JSON.parse(inp(key).policy ?? "{}");
                const principals = list(policy.Statement).flatMap((s: any) => list(s.Principal?.AWS) as string[]);
                return principals
                    .filter((p) => !/:root$/.test(p))
                    .flatMap((p) => {
                        const creator = rs.find((r) => r.custom && r.state.arn === p);
                        if (creator && !key.dependencies.includes(creator.urn))
                            return [{ resource: key.name, message: `names ${p} (${creator.name}) without depending on it` }];
                        if (!creator && /:role\/aws-service-role\//.test(p))
                            return [{ resource: key.name, message: `names ${p}, a service-linked role a new account does not have: create it in the stack` }];
                        return [];
                    });
            }),
    },
    {
        name: "lambda-reserved-concurrency-headroom",
        doc: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
        check: (rs) => {
            const fns = ofType(rs, "aws:lambda/function:Function").filter((r) => Number(inp(r).reservedConcurrentExecutions ?? -1) > 0);
            const reserved = fns.reduce((n, r) => n + Number(inp(r).reservedConcurrentExecutions), 0);
            return reserved > NEW_ACCOUNT_LAMBDA_CONCURRENCY - LAMBDA_UNRESERVED_MINIMUM
                ? fns.map((r) => ({
                      resource: r.name,
                      message: `reserves ${inp(r).reservedConcurrentExecutions}: a new account (concurrency ${NEW_ACCOUNT_LAMBDA_CONCURRENCY}) must keep ${LAMBDA_UNRESERVED_MINIMUM} unreserved, so Lambda refuses any reservation`,
                  }))
                : [];
        },
    },
    {
        name: "cloudwatch-agent-ec2-placeholders-need-describe-tags",
        doc: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Agent-Configuration-File-Details.html",
        // ${aws:AutoScalingGroupName} is read from the instance's tags (ec2:DescribeTags, an EC2 API
        // call); without the permission or a route to EC2 the agent drops the metrics.
        check: (rs) =>
            ofType(rs, "aws:ec2/launchTemplate:LaunchTemplate")
                .filter((lt) =>
                    Buffer.from(String(inp(lt).userData ?? ""), "base64")
                        .toString()
                        .includes("${aws:AutoScalingGroupName}"),
                )
                .filter(
                    () =>
                        !ofType(rs, "aws:iam/rolePolicy:RolePolicy").some((p) => String(inp(p).policy).includes("ec2:DescribeTags")) ||
                        !ofType(rs, "aws:ec2/vpcEndpoint:VpcEndpoint").some((e) => /\.ec2$/.test(String(inp(e).serviceName))),
                )
                .map((lt) => ({
                    resource: lt.name,
                    message:
                        "the CloudWatch agent appends ${aws:AutoScalingGroupName}, which needs ec2:DescribeTags and a route to EC2: its metrics are dropped",
                })),
    },
    {
        name: "backup-rds-not-within-an-hour-of-maintenance",
        doc: "https://docs.aws.amazon.com/aws-backup/latest/devguide/plan-options-and-configuration.html",
        // AWS Backup does not start a database backup within the hour before or during the
        // database's maintenance window; the job is then not run in its start window.
        check: (rs) => {
            const windows = ofType(rs, "aws:rds/instance:Instance")
                .map((db) => String(inp(db).maintenanceWindow ?? ""))
                .filter((w) => /^[a-z]{3}:\d\d:\d\d-[a-z]{3}:\d\d:\d\d$/.test(w));
            return ofType(rs, "aws:backup/plan:Plan").flatMap((plan) =>
                list(inp(plan).rules).flatMap((rule: any) =>
                    windows.flatMap((w) => {
                        const [m0, m1raw] = w.split("-").map(weekMinutes);
                        const m1 = m1raw < m0 ? m1raw + 10080 : m1raw;
                        const blocked = [m0 - 60, m1];
                        const hit = cronStarts(rule.schedule).some((s) =>
                            [0, 10080, -10080].some((wrap) => s + wrap < blocked[1] && blocked[0] < s + wrap + Number(rule.startWindow ?? 60)),
                        );
                        return hit
                            ? [
                                  {
                                      resource: plan.name,
                                      message: `rule ${rule.ruleName} (${rule.schedule}, start window ${rule.startWindow} min) meets the database maintenance window ${w} or the hour before it`,
                                  },
                              ]
                            : [];
                    }),
                ),
            );
        },
    },
    {
        name: "backup-rule-at-most-hourly",
        doc: "https://docs.aws.amazon.com/aws-backup/latest/devguide/plan-options-and-configuration.html",
        // AWS Backup's shortest schedule is once an hour (shorter needs continuous backup): a cron
        // whose minute field is not one number runs more often and is refused. Its lifecycle
        // counts whole days, at least one.
        check: (rs) =>
            ofType(rs, "aws:backup/plan:Plan").flatMap((plan) =>
                list(inp(plan).rules).flatMap((rule: any) => {
                    const minute = /^cron\((\S+) /.exec(String(rule.schedule))?.[1];
                    const out: { resource: string; message: string }[] = [];
                    if (minute !== undefined && !/^\d{1,2}$/.test(minute))
                        out.push({ resource: plan.name, message: `rule ${rule.ruleName} (${rule.schedule}) runs more often than once an hour` });
                    const days = rule.lifecycle?.deleteAfter;
                    if (days !== undefined && !(Number.isInteger(days) && days >= 1))
                        out.push({ resource: plan.name, message: `rule ${rule.ruleName} keeps its points ${days} days (whole days, at least 1)` });
                    return out;
                }),
            ),
    },
    {
        name: "s3-lifecycle-expiration-after-transitions",
        doc: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html",
        // S3: "'Days' in the Expiration action must be greater than 'Days' in the Transition action",
        // and objects stay 30 days in STANDARD before STANDARD_IA.
        check: (rs) =>
            ofType(rs, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").flatMap((r) =>
                list(inp(r).rules).flatMap((rule: any) => {
                    const out: { resource: string; message: string }[] = [];
                    const days = list(rule.transitions).map((t: any) => Number(t.days));
                    const exp = Number(list(rule.expiration)[0]?.days ?? NaN);
                    if (!Number.isNaN(exp) && days.some((d) => d >= exp))
                        out.push({ resource: r.name, message: `rule ${rule.id}: expires at ${exp} days, not after its transitions (${days.join(", ")})` });
                    for (const t of list(rule.transitions) as any[])
                        if (["STANDARD_IA", "ONEZONE_IA"].includes(t.storageClass) && Number(t.days) < 30)
                            out.push({ resource: r.name, message: `rule ${rule.id}: ${t.storageClass} after ${t.days} days (S3 needs 30)` });
                    return out;
                }),
            ),
    },
    {
        name: "backup-s3-not-in-glacier-flexible-or-deep-archive",
        doc: "https://docs.aws.amazon.com/aws-backup/latest/devguide/s3-backups.html",
        // AWS Backup does not back up objects in S3 Glacier Flexible Retrieval or Deep Archive:
        // a bucket it protects may tier to Glacier Instant Retrieval at most.
        check: (rs) => {
            const selected = ofType(rs, "aws:backup/selection:Selection").flatMap((s) => list(inp(s).resources) as string[]);
            return ofType(rs, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
                .filter((lc) => {
                    const bucket = rs.find((b) => b.type === "aws:s3/bucket:Bucket" && (b.state.bucket === inp(lc).bucket || b.state.id === inp(lc).bucket));
                    return bucket && selected.includes(String(bucket.state.arn));
                })
                .flatMap((lc) =>
                    list(inp(lc).rules).flatMap((rule: any) =>
                        (list(rule.transitions) as any[])
                            .filter((t) => ["GLACIER", "DEEP_ARCHIVE"].includes(t.storageClass))
                            .map((t) => ({
                                resource: lc.name,
                                message: `rule ${rule.id}: ${t.storageClass} after ${t.days} days in a bucket AWS Backup protects: those objects are not backed up`,
                            })),
                    ),
                );
        },
    },
    {
        name: "ecs-service-after-its-capacity-provider-association",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html",
        // "A capacity provider must be associated with a cluster before it can be included as part of
        // the default capacity provider strategy of the cluster or used in a capacity provider strategy."
        check: (rs) => {
            const associations = ofType(rs, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders");
            return ofType(rs, "aws:ecs/service:Service").flatMap((svc) =>
                (list(inp(svc).capacityProviderStrategies) as any[])
                    .filter((s) => !["FARGATE", "FARGATE_SPOT"].includes(s.capacityProvider))
                    .filter((s) => {
                        const assoc = associations.find((a) => list(inp(a).capacityProviders).includes(s.capacityProvider));
                        return assoc && !svc.dependencies.includes(assoc.urn);
                    })
                    .map((s) => ({
                        resource: svc.name,
                        message: `uses capacity provider ${s.capacityProvider} without depending on its association with the cluster`,
                    })),
            );
        },
    },
    {
        name: "ecs-service-after-its-target-group-listener",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html",
        // CreateService: "The target group ... does not have an associated load balancer" until a
        // listener (or rule) forwards to it, so the service waits for that listener.
        // A rule attaches it as a listener's default action does (a plain or a weighted forward).
        check: (rs) => {
            const actionsOf = (r: any): any[] => list(r.type === "aws:lb/listener:Listener" ? inp(r).defaultActions : inp(r).actions);
            const forwardsTo = (a: any, tg: string) => a.targetGroupArn === tg || list(a.forward?.targetGroups).some((g: any) => g.arn === tg);
            const attaching = [...ofType(rs, "aws:lb/listener:Listener"), ...ofType(rs, "aws:lb/listenerRule:ListenerRule")];
            return ofType(rs, "aws:ecs/service:Service").flatMap((svc) =>
                (list(inp(svc).loadBalancers) as any[]).flatMap((lb) => {
                    const forwarding = attaching.filter((l) => actionsOf(l).some((a) => forwardsTo(a, lb.targetGroupArn)));
                    if (forwarding.length === 0) return [];
                    const deps = new Set([...svc.dependencies, ...Object.values(svc.propertyDependencies).flat()]);
                    return forwarding.some((l) => deps.has(l.urn))
                        ? []
                        : [
                              {
                                  resource: svc.name,
                                  message: `registers target group ${lb.targetGroupArn} without depending on a listener or rule that attaches it`,
                              },
                          ];
                }),
            );
        },
    },
    {
        name: "fargate-adds-no-capability-but-sys-ptrace",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html",
        // "Tasks launched on AWS Fargate only support adding the SYS_PTRACE kernel capability."
        check: (rs) =>
            ofType(rs, "aws:ecs/taskDefinition:TaskDefinition")
                .filter((td) => list(inp(td).requiresCompatibilities).includes("FARGATE"))
                .flatMap((td) =>
                    (JSON.parse(inp(td).containerDefinitions) as any[])
                        .filter((c) => list(c.linuxParameters?.capabilities?.add).some((cap: string) => cap !== "SYS_PTRACE"))
                        .map((c) => ({
                            resource: td.name,
                            message: `container ${c.name} adds ${list(c.linuxParameters.capabilities.add).join(", ")}: Fargate adds only SYS_PTRACE`,
                        })),
                ),
    },
    {
        name: "rds-log-exports-into-the-stack-log-groups",
        doc: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html",
        // RDS writes each export to /aws/rds/instance/<id>/<log>, creating the group if it does not
        // exist: then with no retention and without the stack's key.
        check: (rs) => {
            const groups = new Set(ofType(rs, "aws:cloudwatch/logGroup:LogGroup").map((g) => inp(g).name));
            return ofType(rs, "aws:rds/instance:Instance").flatMap((db) =>
                (list(inp(db).enabledCloudwatchLogsExports) as string[])
                    .map((l) => `/aws/rds/instance/${inp(db).identifier}/${l}`)
                    .filter((g) => !groups.has(g))
                    .map((g) => ({ resource: db.name, message: `exports to ${g}, which the stack does not create: RDS creates it unencrypted, kept forever` })),
            );
        },
    },
    {
        name: "wafv2-alarm-dimension-is-the-metric-name",
        doc: "https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html",
        // The WebACL dimension of AWS/WAFV2 is the web ACL's metric name (visibilityConfig), not its name.
        check: (rs) => {
            const metricNames = new Set(ofType(rs, "aws:wafv2/webAcl:WebAcl").map((a) => inp(a).visibilityConfig?.metricName));
            return ofType(rs, "aws:cloudwatch/metricAlarm:MetricAlarm")
                .filter((a) => inp(a).namespace === "AWS/WAFV2" && !metricNames.has(inp(a).dimensions?.WebACL))
                .map((a) => ({
                    resource: a.name,
                    message: `WebACL dimension "${inp(a).dimensions?.WebACL}" is no web ACL's metric name (${[...metricNames].join(", ")})`,
                }));
        },
    },
];

/** Every service-side rule over a plan's resources. */
export function judgeServiceRules(resources: RecordedResource[], ctx: RuleContext, rules = SERVICE_RULES): Finding[] {
    return rules.flatMap((rule) => rule.check(resources, ctx).map((f) => ({ judge: `service:${rule.name}`, ...f })));
}
