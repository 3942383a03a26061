import * as assert from "assert";
import { X509Certificate } from "crypto";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as awsComponents from "../components/aws";
import { installMocks, MOCK_ACCOUNT_ID, RecordedResource, settle, valueOf } from "../testing/mocks";
import { ProgramRun, runProgram } from "../testing/program";

const T = {
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    nat: "aws:ec2/natGateway:NatGateway",
    flowLog: "aws:ec2/flowLog:FlowLog",
    endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    kms: "aws:kms/key:Key",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    tg: "aws:lb/targetGroup:TargetGroup",
    waf: "aws:wafv2/webAcl:WebAcl",
    wafAssoc: "aws:wafv2/webAclAssociation:WebAclAssociation",
    wafLog: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    taskDef: "aws:ecs/taskDefinition:TaskDefinition",
    service: "aws:ecs/service:Service",
    cluster: "aws:ecs/cluster:Cluster",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    scalingTarget: "aws:appautoscaling/target:Target",
    scalingPolicy: "aws:appautoscaling/policy:Policy",
    lt: "aws:ec2/launchTemplate:LaunchTemplate",
    asg: "aws:autoscaling/group:Group",
    rds: "aws:rds/instance:Instance",
    proxy: "aws:rds/proxy:Proxy",
    params: "aws:rds/parameterGroup:ParameterGroup",
    backupRepl: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    bucket: "aws:s3/bucket:Bucket",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    secret: "aws:secretsmanager/secret:Secret",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
    trail: "aws:cloudtrail/trail:Trail",
    topic: "aws:sns/topic:Topic",
};

const runs: Record<string, ProgramRun> = {};
const inp = (r: RecordedResource) => r.inputs as Record<string, any>;
const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);

describe("AWS target", function () {
    before(async () => {
        runs.staging = await runProgram("staging", { target: "aws" });
        runs.production = await runProgram("production", { target: "aws" });
    });

    for (const env of ["staging", "production"] as const) {
        describe(`${env}`, () => {
            const log = () => runs[env].resources;
            const prod = env === "production";

            it("registers every component in-process (no remote components, no opaque children)", () => {
                const types = new Set(log().all.map((r) => r.type));
                for (const c of [
                    "Keys",
                    "Network",
                    "Storage",
                    "Edge",
                    "Waf",
                    "EcsCluster",
                    "ApiService",
                    "Database",
                    "Cache",
                    "Llm",
                    "Observability",
                    "Audit",
                    "SecureBucket",
                ])
                    assert.ok(types.has(`ragstack:aws:${c}`), `missing component ${c}`);
                assert.deepStrictEqual(
                    log().all.filter((r) => r.remote),
                    [],
                );
                assert.ok(![...types].some((t) => t.startsWith("awsx:")), "no awsx remote components");
            });

            it("every child has a parent, and every taggable resource carries the standard tags", () => {
                const roots = log().all.filter((r) => !r.parent);
                assert.deepStrictEqual(
                    roots.map((r) => r.type).sort(),
                    ["pulumi:providers:aws", "ragstack:index:RagStack"].filter((t) => roots.some((r) => r.type === t)).sort(),
                );
                for (const r of log().all.filter((x) => x.custom && "tags" in x.inputs)) {
                    const raw = inp(r).tags;
                    // Auto Scaling groups take a list of { key, value, propagateAtLaunch }.
                    const tags = Array.isArray(raw) ? Object.fromEntries(raw.map((t: any) => [t.key, t.value])) : raw;
                    for (const k of ["Project", "Environment", "ManagedBy", "Owner", "CostCenter", "DataClassification"])
                        assert.ok(tags?.[k], `${r.type} ${r.name} lacks tag ${k}`);
                    assert.strictEqual(tags.Environment, env);
                }
            });

            it("network: 3 tiers x AZs with a stable layout, NAT per environment, flow logs, endpoints, empty default SG", () => {
                const az = prod ? 3 : 2;
                const subnets = log().ofType(T.subnet);
                assert.strictEqual(subnets.length, 3 * az);
                for (const s of subnets) assert.strictEqual(inp(s).mapPublicIpOnLaunch, false);
                const vpcCidr = inp(log().one(T.vpc)).cidrBlock as string;
                const base = vpcCidr.split(".").slice(0, 2).join(".");
                assert.strictEqual(inp(log().one(T.subnet, "public-0")).cidrBlock, `${base}.0.0/20`);
                assert.strictEqual(inp(log().one(T.subnet, "private-0")).cidrBlock, `${base}.64.0/20`);
                assert.strictEqual(inp(log().one(T.subnet, "isolated-1")).cidrBlock, `${base}.144.0/20`);
                assert.strictEqual(log().ofType(T.nat).length, prod ? 3 : 1);
                const flow = log().one(T.flowLog);
                assert.strictEqual(inp(flow).trafficType, "ALL");
                const flowGroup = log().one(T.logGroup, "flow-logs");
                assert.ok(inp(flowGroup).kmsKeyId && inp(flowGroup).retentionInDays > 0);
                const ds = inp(log().one(T.defaultSg));
                assert.deepStrictEqual([ds.ingress ?? [], ds.egress ?? []], [[], []]);
                const services = log()
                    .ofType(T.endpoint)
                    .map((e) => String(inp(e).serviceName).split(".").slice(3).join("."));
                for (const s of ["s3", "ecr.api", "ecr.dkr", "secretsmanager", "logs", "kms", "ssm"]) assert.ok(services.includes(s), `endpoint ${s}`);
            });

            it("keys: customer-managed, rotated, no wildcard principal", () => {
                const keys = log().ofType(T.kms);
                assert.ok(keys.length >= 2);
                for (const k of keys) {
                    assert.strictEqual(inp(k).enableKeyRotation, true);
                    if (inp(k).policy) assert.ok(!JSON.stringify(json(inp(k).policy)).includes('"AWS":"*"'));
                }
            });

            it("edge: HTTPS with a TLS 1.2+ policy, HTTP only redirects, invalid headers dropped, access logs, deletion protection in production", () => {
                const alb = inp(log().one(T.alb));
                assert.strictEqual(alb.internal, false);
                assert.strictEqual(alb.dropInvalidHeaderFields, true);
                assert.strictEqual(alb.accessLogs.enabled, true);
                assert.strictEqual(alb.enableDeletionProtection, prod);
                const https = inp(log().one(T.listener, "https"));
                assert.strictEqual(https.protocol, "HTTPS");
                assert.match(https.sslPolicy, /^ELBSecurityPolicy-TLS13-1-2/);
                assert.match(https.routingHttpResponseStrictTransportSecurityHeaderValue, /max-age=\d+/);
                const http = inp(log().one(T.listener, "http"));
                assert.deepStrictEqual(
                    http.defaultActions.map((a: any) => a.type),
                    ["redirect"],
                );
                assert.strictEqual(http.defaultActions[0].redirect.protocol, "HTTPS");
                const albRules = log()
                    .ofType(T.ingress)
                    .filter((r) => r.name.includes("-alb-"));
                // 443 and 80 from the allowed clients; in production the blue/green test listener (8443) from the VPC only.
                const ports = env === "production" ? [443, 80, 8443] : [443, 80];
                assert.deepStrictEqual([...new Set(albRules.map((r) => inp(r).fromPort))].sort(), ports);
                for (const r of albRules.filter((x) => inp(x).fromPort === 8443)) assert.notStrictEqual(inp(r).cidrIpv4, "0.0.0.0/0");
                assert.strictEqual(inp(log().one(T.tg, "api")).healthCheck.path, "/health");
            });

            it("WAF: managed rule groups, rate rule, association, logging with redaction", () => {
                const acl = inp(log().one(T.waf));
                const names = acl.rules.map((r: any) => r.name);
                for (const g of [
                    "AWSManagedRulesCommonRuleSet",
                    "AWSManagedRulesKnownBadInputsRuleSet",
                    "AWSManagedRulesSQLiRuleSet",
                    "AWSManagedRulesAmazonIpReputationList",
                    "AWSManagedRulesAnonymousIpList",
                ])
                    assert.ok(names.includes(g), g);
                assert.ok(acl.rules.some((r: any) => r.statement.rateBasedStatement?.limit === (prod ? 3000 : 2000)));
                log().one(T.wafAssoc);
                const logging = inp(log().one(T.wafLog));
                assert.deepStrictEqual(logging.redactedFields.map((f: any) => f.singleHeader.name).sort(), ["authorization", "cookie"]);
                assert.match(inp(log().one(T.logGroup, "waf-logs")).name, /^aws-waf-logs-/);
            });

            it("API service: Fargate in private subnets, no public IP, secrets injected, circuit breaker, autoscaler owns desiredCount", () => {
                const svc = log().one(T.service, "api-service");
                const si = inp(svc);
                assert.strictEqual(si.networkConfiguration.assignPublicIp, false);
                assert.deepStrictEqual(si.deploymentCircuitBreaker, { enable: true, rollback: true });
                assert.ok(svc.ignoreChanges.includes("desiredCount"));
                if (prod) assert.ok(svc.ignoreChanges.includes("taskDefinition"), "CI owns the image in production's stack config");
                const containers = json(inp(log().one(T.taskDef, "api-task")).containerDefinitions);
                const api = containers[0];
                assert.strictEqual(api.readonlyRootFilesystem, true);
                assert.match(api.user, /^[1-9]\d*:/);
                assert.strictEqual(api.logConfiguration.logDriver, "awslogs");
                assert.ok(api.healthCheck.command.join(" ").includes("/health"));
                assert.ok(api.secrets.some((s: any) => s.name === "REDIS_AUTH_TOKEN"));
                for (const e of api.environment) assert.ok(!/PASSWORD|SECRET|TOKEN/.test(e.name), `plain env ${e.name}`);
                const target = inp(log().one(T.scalingTarget));
                assert.deepStrictEqual([target.minCapacity, target.maxCapacity], prod ? [2, 10] : [1, 3]);
                const metrics = log()
                    .ofType(T.scalingPolicy)
                    .map((p) => inp(p).targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType)
                    .sort();
                assert.deepStrictEqual(metrics, ["ALBRequestCountPerTarget", "ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization"]);
                assert.strictEqual(inp(log().one(T.cluster)).settings[0].name, "containerInsights");
            });

            it("IAM: execution and task roles are separate, least privilege, no '*' except ecr:GetAuthorizationToken and namespace-bound metrics", () => {
                for (const p of log().ofType(T.rolePolicy)) {
                    for (const st of json(inp(p).policy).Statement) {
                        const actions = [].concat(st.Action);
                        assert.ok(!actions.includes("*" as never), `${p.name}: Action *`);
                        const resources = [].concat(st.Resource);
                        if (!resources.includes("*" as never)) continue;
                        // Neither action supports resource-level permissions; metrics are bound to one namespace.
                        if (actions.join() === "cloudwatch:PutMetricData")
                            assert.match(st.Condition.StringEquals["cloudwatch:namespace"], /^RagStack\/(GPU|Secrets)$/);
                        // Session Manager's channels have no resource-level permissions.
                        else if (st.Sid === "SessionChannels") assert.ok(actions.every((a: string) => a.startsWith("ssmmessages:")));
                        // ECS's blue/green role: the ELB Describe calls (no resource-level permissions).
                        else if (p.name.endsWith("ecs-infrastructure"))
                            assert.ok(
                                actions.every((a: string) => a.startsWith("elasticloadbalancing:Describe")),
                                `${p.name}: Resource * for ${actions}`,
                            );
                        else assert.deepStrictEqual(actions, ["ecr:GetAuthorizationToken"], `${p.name}: Resource * for ${actions}`);
                    }
                }
                const exec = json(inp(log().one(T.rolePolicy, "api-execution")).policy).Statement;
                const secretStatement = exec.find((s: any) => s.Sid === "Secrets");
                assert.ok(secretStatement.Resource.length >= 2 && secretStatement.Resource.every((r: string) => r.startsWith("arn:aws:secretsmanager:")));
                for (const r of log().ofType(T.role)) assert.ok(!JSON.stringify(json(inp(r).assumeRolePolicy)).includes('"AWS":"*"'));
            });

            it("alerts: RDS events (failover, failure, low storage) of every instance, no healthy API target, Ollama tasks below desired, to the topic", () => {
                const topic = log().one(T.topic);
                const events = inp(log().one("aws:rds/eventSubscription:EventSubscription"));
                for (const c of ["failover", "failure", "low storage"]) assert.ok(events.eventCategories.includes(c), c);
                assert.strictEqual(events.sourceIds.length, prod ? 2 : 1, "the primary and each replica");
                assert.strictEqual(events.snsTopic, topic.state.arn);
                const down = inp(log().one(T.alarm, "api-no-healthy-targets"));
                assert.deepStrictEqual(
                    [down.metricName, down.comparisonOperator, down.threshold, down.treatMissingData],
                    ["HealthyHostCount", "LessThanThreshold", 1, "breaching"],
                );
                const llm = inp(log().one(T.alarm, "llm-tasks-below-desired"));
                assert.strictEqual(llm.metricQueries[1].metric.dimensions.ServiceName, inp(log().one(T.service, "llm-service")).name);
                // the topic's key lets RDS publish its events
                const keyPolicy = log()
                    .ofType(T.kms)
                    .map((k) => json(inp(k).policy))
                    .find((p) => p.Statement.some((st: any) => st.Sid === "CloudWatchAlarmsToEncryptedTopics"));
                const st = keyPolicy.Statement.find((x: any) => x.Sid === "CloudWatchAlarmsToEncryptedTopics");
                assert.ok([].concat(st.Principal.Service).includes("events.rds.amazonaws.com" as never));
            });

            it("AWS Backup: tiered rules (7 daily, 4 weekly, 12 monthly in production), copies to the backup region, locked vaults, the database and the documents selected", () => {
                const plan = inp(log().one("aws:backup/plan:Plan"));
                const keep = Object.fromEntries(plan.rules.map((r: any) => [r.ruleName, r.lifecycle.deleteAfter]));
                assert.deepStrictEqual(keep, prod ? { daily: 7, weekly: 28, monthly: 372 } : { daily: 7 });
                const vaults = log().ofType("aws:backup/vault:Vault");
                assert.strictEqual(vaults.length, prod ? 2 : 1, "a copy vault in the backup region in production");
                for (const v of vaults) assert.ok(inp(v).kmsKeyArn, `${v.name} encrypted with a customer key`);
                for (const r of plan.rules) {
                    if (prod) assert.strictEqual(r.copyActions[0].destinationVaultArn, log().one("aws:backup/vault:Vault", "copy-vault").state.arn);
                    else assert.strictEqual(r.copyActions, undefined);
                }
                const locks = log().ofType("aws:backup/vaultLockConfiguration:VaultLockConfiguration");
                assert.deepStrictEqual(
                    locks.map((l) => inp(l).minRetentionDays),
                    prod ? [7, 7] : [],
                );
                const selection = inp(log().one("aws:backup/selection:Selection"));
                assert.deepStrictEqual(selection.resources, [log().one(T.rds, "primary").state.arn, log().one(T.bucket, "storage-documents-bucket").state.arn]);
                const trust = json(inp(log().one(T.role, "backup-role")).assumeRolePolicy).Statement[0];
                assert.deepStrictEqual([trust.Principal.Service, trust.Condition.StringEquals["aws:SourceAccount"]], ["backup.amazonaws.com", MOCK_ACCOUNT_ID]);
            });

            it("IAM database authentication is granted on every instance the API connects to (the primary and each read replica)", () => {
                const task = json(inp(log().one(T.rolePolicy, "api-task")).policy).Statement.find((st: any) => st.Sid === "RdsIamAuth");
                const instances = log()
                    .ofType(T.rds)
                    .map((r) => r.state.resourceId as string);
                assert.strictEqual(instances.length, prod ? 2 : 1);
                const proxies = log()
                    .ofType(T.proxy)
                    .map((p) => String(p.state.arn).split(":").pop());
                assert.deepStrictEqual(
                    [...task.Resource].sort(),
                    [...instances, ...proxies].map((id) => `arn:aws:rds-db:eu-west-1:${MOCK_ACCOUNT_ID}:dbuser:${id}/rag_app`).sort(),
                );
                const env = json(inp(log().one(T.taskDef, "api-task")).containerDefinitions)[0].environment;
                const reader = env.find((e: any) => e.name === "DATABASE_READER_HOST").value;
                const readerInstance = log()
                    .ofType(T.rds)
                    .find((r) => r.state.address === reader)!;
                assert.ok(
                    task.Resource.some((arn: string) => arn.includes(`:dbuser:${readerInstance.state.resourceId}/`)),
                    "the reader's instance is granted",
                );
            });

            it("TLS to RDS: the tasks write the region's RDS CA bundle (no download) before they connect and verify the server against it (verify-full)", () => {
                const containers = json(inp(log().one(T.taskDef, "api-task")).containerDefinitions);
                const [api, ca] = containers;
                assert.deepStrictEqual([ca.name, ca.essential, api.name], ["rds-ca", false, "api"]);
                assert.deepStrictEqual(api.dependsOn, [{ containerName: "rds-ca", condition: "SUCCESS" }]);
                const env = Object.fromEntries(api.environment.map((e: any) => [e.name, e.value]));
                assert.strictEqual(env.DATABASE_SSLMODE, "verify-full");
                assert.strictEqual(env.DATABASE_SSLROOTCERT, "/tmp/rds-ca-bundle.pem");
                // Both mount the task's tmp volume where the file is written and read.
                for (const c of [ca, api])
                    assert.ok(
                        c.mountPoints.some((m: any) => m.sourceVolume === "tmp" && m.containerPath === "/tmp"),
                        c.name,
                    );
                // The bundle: the region's RDS roots (valid ones) and Amazon Root CA 1-4 (RDS Proxy's ACM certificates).
                const bundle = ca.environment.find((e: any) => e.name === "RDS_CA_BUNDLE").value as string;
                const names = (bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map(
                    (pem) => /CN=([^\n]+)/.exec(new X509Certificate(pem).subject)![1],
                );
                assert.deepStrictEqual(names, [
                    "Amazon RDS eu-west-1 Root CA RSA2048 G1",
                    "Amazon RDS eu-west-1 Root CA RSA4096 G1",
                    "Amazon RDS eu-west-1 Root CA ECC384 G1",
                    "Amazon Root CA 1",
                    "Amazon Root CA 2",
                    "Amazon Root CA 3",
                    "Amazon Root CA 4",
                ]);
                assert.strictEqual(new X509Certificate(bundle).subject.includes("eu-west-1"), true, "the server's issuer (rds-ca-rsa2048-g1) first");
                // The emitted write, run for real by python (the API image's interpreter), with no network.
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ragstack-rdsca-"));
                const script = String(ca.command[0]);
                assert.doesNotMatch(script, /https?:|urllib|socket/);
                execFileSync("python3", ["-c", script.replace('"/tmp/rds-ca-bundle.pem"', `"${dir}/rds-ca-bundle.pem"`)], {
                    env: { ...process.env, RDS_CA_BUNDLE: bundle },
                });
                assert.strictEqual(fs.readFileSync(path.join(dir, "rds-ca-bundle.pem"), "utf8"), bundle);
                // The bootstrap task: the same bundle written by its shell, then psql with verify-full against it
                // (run here with a stand-in psql that checks the file it is given).
                const psql = json(inp(log().one(T.taskDef, "api-db-bootstrap")).containerDefinitions)[0];
                const cmd: string = psql.command[2];
                assert.strictEqual(psql.environment.find((e: any) => e.name === "RDS_CA_BUNDLE").value, bundle);
                fs.writeFileSync(
                    path.join(dir, "psql"),
                    '#!/bin/sh\ncase "$1" in *sslrootcert=*) f=${1##*sslrootcert=}; grep -c "BEGIN CERTIFICATE" "$f";; esac\n',
                    { mode: 0o755 },
                );
                const out = execFileSync("sh", ["-c", cmd.replaceAll("/tmp/rds-ca-bundle.pem", `${dir}/b.pem`)], {
                    env: { PATH: `${dir}:${process.env.PATH}`, RDS_CA_BUNDLE: bundle, PGHOST: "db", SQL: "select 1" },
                    encoding: "utf8",
                });
                assert.strictEqual(out.trim(), "7");
                assert.strictEqual(fs.readFileSync(path.join(dir, "b.pem"), "utf8"), bundle);
                fs.rmSync(dir, { recursive: true, force: true });
                const conninfo = Object.fromEntries(
                    /psql "([^"]+)"/
                        .exec(cmd)![1]
                        .split(" ")
                        .map((kv: string) => kv.split("=")),
                );
                assert.deepStrictEqual(conninfo, { host: "$PGHOST", dbname: "rag", sslmode: "verify-full", sslrootcert: "/tmp/rds-ca-bundle.pem" });
            });

            it("GPU instance role: the ECS agent's managed policy and Session Manager only (no broad SSM reads of parameters and documents)", () => {
                const attached = log()
                    .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                    .filter((a) => a.name.includes("llm-instance"))
                    .map((a) => inp(a).policyArn);
                assert.deepStrictEqual(attached, ["arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"]);
                const ssm = json(inp(log().one(T.rolePolicy, "llm-instance-session-manager")).policy).Statement;
                const actions = ssm.flatMap((s: any) => [].concat(s.Action));
                assert.ok(!actions.some((a: string) => /^ssm:(Get|Describe|List|Send)/.test(a) || a.endsWith("*")), actions.join());
                assert.deepStrictEqual(ssm.find((s: any) => s.Sid === "RegisterThisInstance").Resource, `arn:aws:ec2:eu-west-1:${MOCK_ACCOUNT_ID}:instance/*`);
            });

            it("GPU metrics and slow queries: the GPU instances' CloudWatch agent publishes NVIDIA metrics that alarm; slow statements are counted from the log", () => {
                const lt = log().one(T.lt, "llm-gpu");
                const userData = Buffer.from(String(inp(lt).userData), "base64").toString();
                assert.match(userData, /yum install -y amazon-cloudwatch-agent/);
                const config = JSON.parse(/<<'AGENT'\n(.*)\nAGENT/.exec(userData)![1]);
                assert.deepStrictEqual(config.metrics.metrics_collected.nvidia_gpu.measurement, [
                    "utilization_gpu",
                    "memory_used",
                    "memory_total",
                    "temperature_gpu",
                ]);
                // A fixed fleet dimension: no ${aws:AutoScalingGroupName}, which needs ec2:DescribeTags.
                assert.deepStrictEqual(config.metrics.aggregation_dimensions, [["GpuFleet"]]);
                const fleet = config.metrics.metrics_collected.nvidia_gpu.append_dimensions.GpuFleet;
                assert.strictEqual(fleet, `rag-${prod ? "production" : "staging"}-gpu`);
                assert.ok(!userData.includes("${aws:"));
                const alarm = (key: string) => inp(log().one("aws:cloudwatch/metricAlarm:MetricAlarm", key));
                assert.strictEqual(alarm("gpu-utilization").namespace, config.metrics.namespace);
                assert.deepStrictEqual(alarm("gpu-utilization").dimensions, { GpuFleet: fleet });
                const mem = alarm("gpu-memory").metricQueries;
                assert.deepStrictEqual(
                    mem.filter((q: any) => q.metric).map((q: any) => [q.metric.namespace, q.metric.metricName, q.metric.dimensions.GpuFleet]),
                    [
                        ["RagStack/GPU", "nvidia_smi_memory_used", fleet],
                        ["RagStack/GPU", "nvidia_smi_memory_total", fleet],
                    ],
                );
                const filter = inp(log().one("aws:cloudwatch/logMetricFilter:LogMetricFilter", "db-slow-queries"));
                assert.strictEqual(filter.logGroupName, inp(log().one(T.logGroup, "db-log-postgresql")).name);
                assert.strictEqual(alarm("db-slow-queries").metricName, filter.metricTransformation.name);
                assert.strictEqual(alarm("db-slow-queries").namespace, filter.metricTransformation.namespace);
            });

            it("connection pooling: an RDS Proxy (IAM end to end, TLS) in production takes the writes; the API may connect through it", () => {
                const proxies = log().ofType(T.proxy);
                assert.strictEqual(proxies.length, prod ? 1 : 0);
                const env = json(inp(log().one(T.taskDef, "api-task")).containerDefinitions)[0].environment;
                const host = env.find((e: any) => e.name === "DATABASE_HOST").value;
                const primary = log().one(T.rds, "db-primary");
                if (!prod) {
                    assert.strictEqual(host, primary.state.address);
                    return;
                }
                const p = proxies[0];
                assert.strictEqual(p.inputs.engineFamily, "POSTGRESQL");
                assert.strictEqual(p.inputs.defaultAuthScheme, "IAM_AUTH");
                assert.strictEqual(p.inputs.requireTls, true);
                assert.strictEqual(p.inputs.debugLogging, false);
                assert.strictEqual(host, p.state.endpoint, "writes go through the proxy");
                assert.deepStrictEqual(p.inputs.vpcSubnetIds, log().one("aws:rds/subnetGroup:SubnetGroup", "db-subnets").inputs.subnetIds);
                const target = log().one("aws:rds/proxyTarget:ProxyTarget", "db-proxy");
                assert.strictEqual(target.inputs.dbInstanceIdentifier, primary.inputs.identifier);
                // The proxy's role may connect as the app user on the primary, nothing else.
                const proxyPolicy = json(log().one(T.rolePolicy, "db-proxy").inputs.policy).Statement;
                assert.deepStrictEqual(proxyPolicy.map((s: any) => s.Action).flat(), ["rds-db:connect"]);
                assert.deepStrictEqual(proxyPolicy[0].Resource, [`arn:aws:rds-db:eu-west-1:${MOCK_ACCOUNT_ID}:dbuser:${primary.state.resourceId}/rag_app`]);
                // The API may connect through the proxy (its resource id ends the proxy ARN).
                const proxyId = String(p.state.arn).split(":").pop();
                const task = json(inp(log().one(T.rolePolicy, "api-task")).policy).Statement.find((st: any) => st.Sid === "RdsIamAuth");
                assert.ok(task.Resource.includes(`arn:aws:rds-db:eu-west-1:${MOCK_ACCOUNT_ID}:dbuser:${proxyId}/rag_app`));
                // The proxy admits the API only and reaches the database; the database admits the proxy.
                const proxySg = log().one(T.sg, "db-proxy");
                const dbSg = log().one(T.sg, "db-db");
                const apiSg = log().one(T.sg, "api-api");
                const ingressTo = (sg: RecordedResource) =>
                    log()
                        .ofType(T.ingress)
                        .filter((r) => r.inputs.securityGroupId === sg.id);
                assert.deepStrictEqual(
                    ingressTo(proxySg).map((r) => r.inputs.referencedSecurityGroupId),
                    [apiSg.id],
                );
                assert.ok(ingressTo(dbSg).some((r) => r.inputs.referencedSecurityGroupId === proxySg.id));
                // Its alarms.
                for (const key of ["db-proxy-borrow-latency", "db-proxy-connections"])
                    assert.strictEqual((log().one("aws:cloudwatch/metricAlarm:MetricAlarm", key).inputs.dimensions as any).ProxyName, p.inputs.name);
            });

            it("LLM: GPU ASG from the ECS GPU AMI, IMDSv2 hop limit 1, encrypted gp3, no public IP, GPU requirement, 11434 from the API only", () => {
                const lt = inp(log().one(T.lt));
                assert.deepStrictEqual([lt.metadataOptions.httpTokens, lt.metadataOptions.httpPutResponseHopLimit], ["required", 1]);
                assert.strictEqual(lt.networkInterfaces[0].associatePublicIpAddress, "false");
                assert.deepStrictEqual([lt.blockDeviceMappings[0].ebs.encrypted, lt.blockDeviceMappings[0].ebs.volumeType], ["true", "gp3"]);
                assert.ok(!lt.keyName, "no SSH key");
                assert.strictEqual(lt.instanceType, prod ? "g5.2xlarge" : "g5.xlarge");
                const asg = inp(log().one(T.asg));
                assert.deepStrictEqual([asg.minSize, asg.maxSize], prod ? [2, 3] : [0, 1]);
                assert.strictEqual(inp(log().one(T.taskDef, "llm-task")).memory, prod ? "24576" : "12288", "75% of the g5 host memory");
                const containers = json(inp(log().one(T.taskDef, "llm-task")).containerDefinitions);
                const ollama = containers.find((c: any) => c.name === "ollama");
                assert.deepStrictEqual(ollama.resourceRequirements, [{ type: "GPU", value: "1" }]);
                assert.ok(ollama.environment.some((e: any) => e.name === "OLLAMA_HOST" && e.value.startsWith("0.0.0.0")));
                assert.deepStrictEqual(ollama.healthCheck.command, ["CMD", "ollama", "list"]);
                assert.ok(ollama.healthCheck.startPeriod >= 300);
                // staging pulls from the Ollama registry; production (no internet) checks the models staged in S3
                const prepare = containers.find((c: any) => c.name === (prod ? "model-check" : "model-pull"));
                assert.ok(prepare.command[0].includes("llama3.1:8b"));
                assert.deepStrictEqual(ollama.dependsOn, [{ containerName: prepare.name, condition: "SUCCESS" }]);
                const rules = log()
                    .ofType(T.ingress)
                    .filter((r) => r.name.includes("llm-from-api"));
                assert.strictEqual(rules.length, 1);
                assert.ok(inp(rules[0]).referencedSecurityGroupId && !inp(rules[0]).cidrIpv4);
            });

            it("database: encrypted with KMS, managed password, IAM auth, TLS forced, private, backups and protection per environment", () => {
                const primary = log().one(T.rds, "primary");
                const p = inp(primary);
                assert.strictEqual(p.storageEncrypted, true);
                assert.ok(p.kmsKeyId && p.performanceInsightsKmsKeyId);
                assert.strictEqual(p.manageMasterUserPassword, true);
                assert.ok(!p.password);
                assert.strictEqual(p.iamDatabaseAuthenticationEnabled, true);
                assert.strictEqual(p.publiclyAccessible, false);
                assert.strictEqual(p.engineVersion, "16");
                assert.strictEqual(p.backupRetentionPeriod, prod ? 30 : 7);
                assert.strictEqual(p.multiAz, prod);
                assert.strictEqual(p.deletionProtection, prod);
                assert.strictEqual(p.skipFinalSnapshot, false);
                assert.strictEqual(p.copyTagsToSnapshot, true);
                assert.ok(p.monitoringInterval > 0 && p.enabledCloudwatchLogsExports.includes("postgresql"));
                assert.strictEqual(primary.protect, prod);
                assert.strictEqual(primary.retainOnDelete, prod);
                const params = inp(log().one(T.params)).parameters;
                assert.ok(params.some((x: any) => x.name === "rds.force_ssl" && x.value === "1"));
                const replicas = log()
                    .ofType(T.rds)
                    .filter((r) => r.name.includes("replica"));
                assert.strictEqual(replicas.length, prod ? 1 : 0);
                for (const r of replicas) assert.ok(!inp(r).username && !inp(r).password && inp(r).storageEncrypted);
                assert.strictEqual(log().ofType(T.backupRepl).length, prod ? 1 : 0);
                const dbRules = log()
                    .ofType(T.ingress)
                    .filter((r) => r.name.includes("db-from-app"));
                assert.ok(dbRules.length >= 1 && dbRules.every((r) => inp(r).fromPort === 5432 && inp(r).referencedSecurityGroupId && !inp(r).cidrIpv4));
            });

            it("cache: encryption at rest and in transit, AUTH from Secrets Manager, failover in production, slow log", () => {
                const c = inp(log().one(T.redis));
                assert.strictEqual(c.atRestEncryptionEnabled, true);
                assert.ok(c.kmsKeyId);
                assert.strictEqual(c.transitEncryptionEnabled, true);
                assert.ok(c.authToken && c.authToken.length >= 32);
                assert.ok(log().one(T.redis).secretPaths.includes("authToken"), "AUTH token is a Pulumi secret");
                assert.strictEqual(c.automaticFailoverEnabled, prod);
                assert.strictEqual(c.multiAzEnabled, prod);
                assert.strictEqual(c.numCacheClusters, prod ? 2 : 1);
                assert.strictEqual(c.logDeliveryConfigurations[0].logType, "slow-log");
            });

            it("storage: every bucket versioned, SSE (KMS except the ALB log bucket), public access blocked, TLS-only policy, lifecycle", () => {
                const buckets = log().ofType(T.bucket);
                // documents, backups, ALB logs, S3 access logs, CloudTrail; production: the two replicas and the staged models
                assert.strictEqual(buckets.length, prod ? 8 : 5);
                for (const type of [T.sse, T.pab, T.bucketPolicy, T.versioning, T.lifecycle])
                    assert.strictEqual(log().ofType(type).length, buckets.length, type);
                for (const s of log().ofType(T.sse)) {
                    const algo = inp(s).rules[0].applyServerSideEncryptionByDefault.sseAlgorithm;
                    assert.strictEqual(algo, s.name.includes("access-logs") ? "AES256" : "aws:kms", s.name);
                }
                for (const p of log().ofType(T.pab))
                    assert.ok(["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => inp(p)[k] === true));
                for (const p of log().ofType(T.bucketPolicy)) {
                    const deny = json(inp(p).policy).Statement.find((s: any) => s.Sid === "DenyInsecureTransport");
                    assert.deepStrictEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
                }
                const docs = log()
                    .ofType(T.lifecycle)
                    .find((l) => l.name.includes("documents"))!;
                const rule = inp(docs).rules[0];
                assert.deepStrictEqual(
                    rule.transitions.map((t: any) => t.storageClass),
                    // Glacier Instant Retrieval: AWS Backup protects the documents and skips Flexible Retrieval objects.
                    ["STANDARD_IA", "GLACIER_IR"],
                );
                assert.ok(rule.abortIncompleteMultipartUpload.daysAfterInitiation > 0 && rule.noncurrentVersionExpiration.noncurrentDays > 0);
                for (const b of buckets.filter((x) => !x.name.includes("access-logs"))) assert.strictEqual(b.protect, prod, b.name);
            });

            it("cross-region replication: production's documents and backups are replicated to the backup region, re-encrypted there, locked as the source", () => {
                const configs = log().ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig");
                assert.strictEqual(configs.length, prod ? 2 : 0);
                if (!prod) return;
                const providerRegion = (r: RecordedResource) => {
                    const urn = String(r.provider ?? "")
                        .split("::")
                        .slice(0, -1)
                        .join("::");
                    return log().all.find((p) => p.urn === urn)?.inputs.region;
                };
                const byPurpose = (purpose: string) =>
                    log()
                        .ofType(T.bucket)
                        .find((b) => inp(b).tags.Purpose === purpose)!;
                const replicaKey = log().one(T.kms, "replica-key");
                assert.strictEqual(providerRegion(replicaKey), "eu-central-1");
                const role = log().one(T.role, "storage-replication");
                assert.deepStrictEqual(json(inp(role).assumeRolePolicy).Statement[0].Principal, { Service: "s3.amazonaws.com" });
                const policy = json(inp(log().one(T.rolePolicy, "storage-replication")).policy).Statement;
                for (const purpose of ["documents", "backups"]) {
                    const source = byPurpose(purpose);
                    const replica = byPurpose(`${purpose}-replica`);
                    assert.strictEqual(providerRegion(replica), "eu-central-1", purpose);
                    assert.strictEqual(replica.protect, true, `${purpose} replica protected`);
                    const config = configs.find((c) => inp(c).bucket === source.state.bucket)!;
                    assert.ok(config, `${purpose} replicated`);
                    const rule = inp(config).rules[0];
                    assert.strictEqual(rule.status, "Enabled");
                    assert.strictEqual(rule.destination.bucket, replica.state.arn);
                    assert.strictEqual(rule.destination.encryptionConfiguration.replicaKmsKeyId, replicaKey.state.arn);
                    assert.strictEqual(rule.sourceSelectionCriteria.sseKmsEncryptedObjects.status, "Enabled");
                    assert.strictEqual(rule.deleteMarkerReplication.status, "Enabled");
                    assert.strictEqual(inp(config).role, role.state.arn);
                    // The replica bucket is a SecureBucket with the replica key.
                    const sse = log()
                        .ofType(T.sse)
                        .find((s) => inp(s).bucket === replica.id)!;
                    assert.strictEqual(inp(sse).rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, replicaKey.state.arn);
                }
                // Writes land in the replicas only; the sources are only read.
                const write = policy.find((s: any) => s.Sid === "WriteReplicas");
                assert.deepStrictEqual([...write.Resource].sort(), ["documents-replica", "backups-replica"].map((p) => `${byPurpose(p).state.arn}/*`).sort());
                assert.ok(policy.every((s: any) => !JSON.stringify(s.Action).includes("Delete") || s.Sid === "WriteReplicas"));
                const lock = log()
                    .ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
                    .find((l) => inp(l).bucket === byPurpose("backups-replica").id)!;
                assert.deepStrictEqual(inp(lock).rule.defaultRetention, { mode: "GOVERNANCE", days: 30 });
            });

            it("blast radius: backups and audit logs locked in production, access logged, document reads in the trail", () => {
                const bucket = (purpose: string) =>
                    log()
                        .ofType(T.bucket)
                        .find((b) => inp(b).tags.Purpose === purpose)!;
                const locks = log().ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration");
                if (prod) {
                    for (const [purpose, days] of [
                        ["backups", 30],
                        ["cloudtrail", 365],
                    ] as const) {
                        assert.strictEqual(inp(bucket(purpose)).objectLockEnabled, true, purpose);
                        const lock = locks.find((l) => l.parent === bucket(purpose).parent)!;
                        assert.deepStrictEqual(inp(lock).rule.defaultRetention, { mode: "GOVERNANCE", days }, purpose);
                    }
                    const selectors = inp(log().ofType(T.trail)[0]).advancedEventSelectors;
                    const data = selectors.find((x: any) => x.fieldSelectors.some((f: any) => f.field === "eventCategory" && f.equals[0] === "Data"));
                    assert.ok(data.fieldSelectors.some((f: any) => f.field === "resources.ARN" && String(f.startsWiths[0]).includes("documents")));
                } else {
                    assert.strictEqual(locks.length, 0, "staging: the named opt-out (storage.objectLock none)");
                    assert.strictEqual(inp(log().ofType(T.trail)[0]).advancedEventSelectors, undefined);
                }
                const logging = log().ofType("aws:s3/bucketLogging:BucketLogging");
                for (const purpose of ["documents", "backups", "cloudtrail"])
                    assert.ok(
                        logging.some((l) => l.parent === bucket(purpose).parent),
                        `${purpose} logs access`,
                    );
                const accessLogs = log()
                    .ofType(T.bucketPolicy)
                    .find((p) => p.name.includes("storage-access-logs"))!;
                const grant = json(inp(accessLogs).policy).Statement.find((x: any) => x.Sid === "S3ServerAccessLogs");
                assert.deepStrictEqual(grant.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
                const albLogs = log()
                    .ofType(T.bucketPolicy)
                    .find((p) => p.name.includes("edge-access-logs"))!;
                for (const x of json(inp(albLogs).policy).Statement.filter((st: any) => String(st.Sid).startsWith("AlbAccessLog")))
                    assert.match(String(x.Resource), /\/alb\/AWSLogs\/123456789012\/\*$/, x.Sid);
            });

            it("least privilege: the API touches documents only, the bootstrap's own role reads the master secret, the LLM's root is read-only", () => {
                const policyOf = (suffix: string) =>
                    json(
                        inp(
                            log()
                                .ofType(T.rolePolicy)
                                .find((p) => p.name.endsWith(suffix))!,
                        ).policy,
                    );
                const task = policyOf("api-task");
                const objects = task.Statement.find((x: any) => x.Sid === "ReadWriteObjects");
                assert.ok(
                    objects.Resource.every((r: string) => r.includes("documents")),
                    JSON.stringify(objects.Resource),
                );
                const execution = JSON.stringify(policyOf("api-execution"));
                assert.ok(!execution.includes("MasterSecret"), "the API's execution role cannot read the master secret");
                const bootstrap = policyOf("api-bootstrap-execution");
                assert.ok(bootstrap.Statement.some((x: any) => x.Sid === "MasterSecret"));
                const bootstrapTask = log()
                    .ofType(T.taskDef)
                    .find((t) => t.name.endsWith("db-bootstrap"))!;
                const apiExec = log()
                    .ofType(T.role)
                    .find((r) => r.name.endsWith("api-execution"))!;
                assert.notStrictEqual(inp(bootstrapTask).executionRoleArn, `arn:aws:iam::123456789012:role/${apiExec.name}`);
                const llm = JSON.parse(
                    inp(
                        log()
                            .ofType(T.taskDef)
                            .find((t) => t.name.endsWith("llm-task"))!,
                    ).containerDefinitions,
                );
                for (const c of llm) assert.strictEqual(c.readonlyRootFilesystem, true, c.name);
                assert.ok(llm.filter((c: any) => c.essential !== false).every((c: any) => c.user === "10001:10001"));
            });

            it("secrets: every Secrets Manager secret uses the customer-managed key", () => {
                const secrets = log().ofType(T.secret);
                assert.ok(secrets.length >= 2);
                for (const s of secrets) assert.ok(String(inp(s).kmsKeyId).startsWith("arn:aws:kms:"), s.name);
            });

            it("observability and audit: alarms to SNS, dashboard, encrypted log groups, multi-region validated CloudTrail", () => {
                const alarms = log()
                    .ofType(T.alarm)
                    .map((a) => a.name);
                for (const a of [
                    "alb-5xx-rate",
                    "alb-p95-latency",
                    "api-unhealthy-targets",
                    "api-cpu",
                    "api-memory",
                    "db-cpu",
                    "db-free-storage",
                    "db-connections",
                    "cache-memory",
                    "cache-evictions",
                    "gpu-status",
                    "waf-blocked-spike",
                ])
                    assert.ok(
                        alarms.some((n) => n.endsWith(a)),
                        `alarm ${a}`,
                    );
                assert.strictEqual(
                    alarms.some((n) => n.includes("replica-lag")),
                    prod,
                );
                for (const a of log().ofType(T.alarm)) assert.ok(inp(a).alarmActions.length === 1);
                assert.ok(inp(log().one(T.topic)).kmsMasterKeyId);
                log().one(T.dashboard);
                for (const g of log().ofType(T.logGroup)) assert.ok(inp(g).kmsKeyId && inp(g).retentionInDays >= 1, g.name);
                const trail = inp(log().one(T.trail));
                assert.deepStrictEqual(
                    [trail.isMultiRegionTrail, trail.enableLogFileValidation, !!trail.kmsKeyId, !!trail.cloudWatchLogsGroupArn],
                    [true, true, true, true],
                );
            });

            it("stack outputs hold references, never secret values", () => {
                const out = JSON.stringify(runs[env].outputs);
                const generated = log().all.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
                assert.ok(generated.length > 0);
                assert.ok(!out.includes("mock"), "a generated secret leaked into the outputs");
                assert.match(String((runs[env].outputs.secretRefs as any).databaseMasterSecretArn), /^arn:aws:secretsmanager:/);
            });
        });
    }

    it("production counts more resources than staging (replica, NATs, backup replication, AZ)", () => {
        assert.ok(runs.production.resources.all.length > runs.staging.resources.all.length);
    });
});

describe("AWS target: bring your own VPC, key, certificate and alarm topic", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram("production", {
            target: "aws",
            existingVpcId: "vpc-0123456789abcdef0",
            existingVpcCidr: "10.50.0.0/16",
            existingPublicSubnetIds: JSON.stringify(["subnet-0a000001", "subnet-0a000002"]),
            existingPrivateSubnetIds: JSON.stringify(["subnet-0b000001", "subnet-0b000002"]),
            existingIsolatedSubnetIds: JSON.stringify(["subnet-0c000001", "subnet-0c000002"]),
            kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555",
            certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abcdef01-2345-6789-abcd-ef0123456789",
            alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:platform-alarms",
            alarmEmails: "[]",
        });
    });
    it("creates no VPC, no primary KMS keys, no certificate and no topic, and wires the given ones", () => {
        const log = run.resources;
        for (const t of [T.vpc, T.subnet, T.nat, T.flowLog, T.topic, "aws:acm/certificate:Certificate"]) assert.strictEqual(log.ofType(t).length, 0, t);
        // only the backup region's keys remain (bucket replicas, RDS backup replication, AWS Backup copies)
        assert.deepStrictEqual(
            log.ofType(T.kms).map((k) => k.name),
            ["rag-aws-storage-replica-key", "rag-aws-db-backup-key", "rag-aws-backup-copy-key"],
        );
        assert.strictEqual(inp(log.one(T.rds, "primary")).kmsKeyId, "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555");
        assert.deepStrictEqual(inp(log.one(T.alb)).subnets, ["subnet-0a000001", "subnet-0a000002"]);
        assert.strictEqual(
            inp(log.one(T.listener, "https")).certificateArn,
            "arn:aws:acm:eu-west-1:123456789012:certificate/abcdef01-2345-6789-abcd-ef0123456789",
        );
        for (const a of log.ofType(T.alarm)) assert.deepStrictEqual(inp(a).alarmActions, ["arn:aws:sns:eu-west-1:123456789012:platform-alarms"]);
    });
});

describe("AWS target: a credential-less preview (account, zones and AMI from stack config)", () => {
    const NETWORK_CALLS = [
        "aws:index/getCallerIdentity:getCallerIdentity",
        "aws:index/getAvailabilityZones:getAvailabilityZones",
        "aws:ssm/getParameter:getParameter",
    ];
    let looked: ProgramRun;
    let given: ProgramRun;
    before(async () => {
        looked = await runProgram("production", { target: "aws" });
        given = await runProgram("production", {
            target: "aws",
            awsAccountId: "210987654321",
            apiImage: "210987654321.dkr.ecr.eu-west-1.amazonaws.com/rag-api:1.4.2",
            llmImage: "210987654321.dkr.ecr.eu-west-1.amazonaws.com/mirror/ollama/ollama:0.12.6",
            awsAvailabilityZones: JSON.stringify(["eu-west-1a", "eu-west-1b", "eu-west-1c"]),
            awsGpuAmiId: "ami-0123456789abcdef0",
        });
    });

    it("without them the program asks AWS (STS, EC2, SSM), which needs credentials even for a preview", () => {
        const tokens = new Set(looked.resources.invokes.map((i) => i.token));
        for (const t of NETWORK_CALLS) assert.ok(tokens.has(t), t);
    });

    it("with them it makes none of those calls and uses the given values", () => {
        const tokens = new Set(given.resources.invokes.map((i) => i.token));
        for (const t of NETWORK_CALLS) assert.ok(!tokens.has(t), `${t} was called`);
        const log = given.resources;
        assert.deepStrictEqual(
            log
                .ofType(T.subnet)
                .map((s) => inp(s).availabilityZone)
                .sort(),
            ["eu-west-1a", "eu-west-1a", "eu-west-1a", "eu-west-1b", "eu-west-1b", "eu-west-1b", "eu-west-1c", "eu-west-1c", "eu-west-1c"],
        );
        assert.strictEqual(inp(log.one("aws:ec2/launchTemplate:LaunchTemplate")).imageId, "ami-0123456789abcdef0");
        // Every input names the given account (the mocked AWS reports it too), never another one.
        const all = JSON.stringify(log.all.map((r) => r.inputs));
        assert.ok(all.includes("210987654321"));
        assert.ok(!all.includes(MOCK_ACCOUNT_ID), "another account in the inputs");
    });
});

describe("AWS Llm on an ECS cluster you bring: the cluster's capacity providers are merged, never dropped", () => {
    const base = {
        environment: "production" as const,
        vpcId: "vpc-0123456789abcdef0",
        subnetIds: ["subnet-0b000001", "subnet-0b000002"],
        clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/shared",
        clusterName: "shared",
        namespaceId: "ns-0123456789",
        namespaceName: "rag.internal",
        allowedSecurityGroupIds: ["sg-0a1b2c3d4e5f67890"],
        kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555",
        logsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555",
        amiId: "ami-0123456789abcdef0",
        models: ["llama3.1:8b"],
        httpsEgress: "internet" as const,
    };
    const association = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders";
    const base_ = (environment: "staging" | "production") => ({ ...base, environment });

    it("keeps the providers the cluster has next to FARGATE, FARGATE_SPOT and the GPU provider, and the given default strategy", async () => {
        const log = installMocks();
        const llm = new awsComponents.Llm("llm", {
            ...base,
            existingCapacityProviders: ["team-ec2", "FARGATE"],
            defaultCapacityProviderStrategies: [{ capacityProvider: "team-ec2", weight: 1 }],
        });
        await settle(log);
        const gpu = await valueOf(llm.capacityProviderName);
        const cp = inp(log.one(association));
        assert.deepStrictEqual(await valueOf(cp.capacityProviders), ["FARGATE", "FARGATE_SPOT", "team-ec2", gpu]);
        assert.deepStrictEqual(cp.defaultCapacityProviderStrategies, [{ capacityProvider: "team-ec2", weight: 1 }]);
    });

    it("with associateCapacityProvider: false leaves the cluster's list alone and exports the provider's name", async () => {
        const log = installMocks();
        const llm = new awsComponents.Llm("llm", { ...base, associateCapacityProvider: false });
        await settle(log);
        assert.strictEqual(log.ofType(association).length, 0);
        assert.match(await valueOf(llm.capacityProviderName), /gpu/);
    });

    it("on Spot, production keeps one on-demand GPU instance under the Spot ones (a reclaim cannot take them all); staging none", async () => {
        for (const [environment, base] of [
            ["production", 1],
            ["staging", 0],
        ] as const) {
            const log = installMocks();
            new awsComponents.Llm("llm", { ...base_(environment), spot: true });
            await settle(log);
            const dist = inp(log.one("aws:autoscaling/group:Group")).mixedInstancesPolicy.instancesDistribution;
            assert.deepStrictEqual([dist.onDemandBaseCapacity, dist.onDemandPercentageAboveBaseCapacity], [base, 0], environment);
        }
    });

    it("a default strategy naming a provider the cluster does not have fails, naming the field", () => {
        assert.throws(
            () => new awsComponents.Llm("llm", { ...base, defaultCapacityProviderStrategies: [{ capacityProvider: "team-ec2" }] }),
            /defaultCapacityProviderStrategies\[0\]\.capacityProvider.*FARGATE, FARGATE_SPOT/s,
        );
    });
});
