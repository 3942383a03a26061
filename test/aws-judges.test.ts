/**
 * AWS as AWS judges it. The AWS provider cannot run here, so every AWS plan (both stacks on the
 * AWS target and the AWS examples) is read against AWS's own machine-readable data (test/judges):
 * the IAM judge (actions, condition keys, ARN formats, managed policies), the CloudWatch judge
 * (namespaces, metrics, dimension sets), the property judge (CloudFormation registry types and
 * enums) and the service-side rules (what AWS enforces that no schema holds, each citing its page).
 * Each judge must find nothing on the plans, and a mutation per check (most of them the defect it
 * was written for) shows that it can fail. The coverage is printed.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AWS_PARTITION_REGIONS, ELB_LOG_DELIVERY_ACCOUNTS, ISO_COUNTRY_CODES } from "../components/core/aws-catalog";
import { RecordedResource } from "../testing/mocks";
import { plan } from "../testing/plan";
import { ProgramRun, repoRoot, runProgram } from "../testing/program";
import { cfnResource, sdkPartitions } from "./judges/aws-data";
import { judgeCloudWatch } from "./judges/cloudwatch";
import { arnsOverlap, Finding, judgeIam, judgeStatement } from "./judges/iam";
import { judgeProperties } from "./judges/properties";
import { judgeServiceRules, SERVICE_RULES } from "./judges/service-rules";

const inp = (r: RecordedResource) => r.inputs as Record<string, any>;
const clone = (rs: RecordedResource[]) => JSON.parse(JSON.stringify(rs)) as RecordedResource[];
const show = (fs: Finding[]) => fs.map((f) => `${f.judge} ${f.resource}: ${f.message}`);
const one = (rs: RecordedResource[], type: string, name?: string) => rs.find((r) => r.type === type && (!name || r.name.endsWith(name)))!;

/** A self-signed certificate whose subject is an RDS root CA of `region` (what truststore.pki.rds.amazonaws.com serves). */
function fakeRdsCa(region: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rds-ca-"));
    try {
        execFileSync(
            "openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "ca.pem")].concat([
                "-days",
                "365",
                "-subj",
                `/C=US/O=Amazon Web Services, Inc./OU=Amazon RDS/CN=Amazon RDS ${region} Root CA RSA2048 G1`,
            ]),
            { stdio: "ignore" },
        );
        return fs.readFileSync(path.join(dir, "ca.pem"), "utf8");
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("AWS as AWS judges it: AWS's machine-readable data on every AWS plan", function () {
    this.timeout(300_000);
    const plans: Record<string, { resources: RecordedResource[]; partition: string; region: string }> = {};
    let govCloud: ProgramRun;

    before(async () => {
        for (const stack of ["development", "staging", "production"]) {
            const run = await runProgram(stack, { target: "aws" });
            plans[`${stack}-aws`] = { resources: run.resources.all, partition: "aws", region: "eu-west-1" };
        }
        for (const [dir, config] of [
            ["examples/aws-staging", undefined],
            ["examples/byo-vpc-and-cluster", "policies/config/production.json"],
        ] as const) {
            const r = await plan({ dir: path.join(repoRoot(), dir), stack: "example", ...(config ? { policyConfigFile: config } : {}) });
            plans[dir] = { resources: r.records, partition: "aws", region: String(r.settings?.aws.region ?? "eu-west-1") };
        }
        // The longest stack name the settings allow (22 characters) in production: every physical name within AWS's limits.
        const longest = await runProgram("production", { target: "aws", name: "a234567890123456789012" });
        plans["production-aws-longest-name"] = { resources: longest.resources.all, partition: "aws", region: "eu-west-1" };
        // Named egress destinations: the Network Firewall, its routes and the data key's network-firewall use.
        const egress = await runProgram("production", {
            target: "aws",
            egressDestinations: JSON.stringify([
                { name: "openai", host: "api.openai.com", ports: [443] },
                { name: "ldap", cidr: "10.200.0.10/32", ports: [636] },
            ]),
        });
        plans["production-aws-egress-destinations"] = { resources: egress.resources.all, partition: "aws", region: "eu-west-1" };
        // The web front end: its bucket, keys, CloudFront distribution, CLOUDFRONT-scope WAF and logs in us-east-1.
        const frontend = await runProgram("production", { target: "aws", frontendEnabled: "true", frontendSource: "examples/frontend/dist" });
        plans["production-aws-frontend"] = { resources: frontend.resources.all, partition: "aws", region: "eu-west-1" };
        // GovCloud: the partition comes from the provider's region; the region's RDS CAs are given (awsRdsCaBundle).
        const ecr = "123456789012.dkr.ecr.us-gov-west-1.amazonaws.com";
        govCloud = await runProgram("production", {
            target: "aws",
            "aws:region": "us-gov-west-1",
            awsBackupRegion: "us-gov-east-1",
            awsRdsCaBundle: fakeRdsCa("us-gov-west-1"),
            apiImage: `${ecr}/rag-api:1.4.2`,
            llmImage: `${ecr}/mirror/ollama/ollama:0.12.6`,
        });
        plans["production-aws-us-gov-west-1"] = { resources: govCloud.resources.all, partition: "aws-us-gov", region: "us-gov-west-1" };
    });

    describe("every plan passes every judge", () => {
        const coverage = {
            types: new Set<string>(),
            typesChecked: new Set<string>(),
            properties: 0,
            propertiesChecked: 0,
            enums: 0,
            statements: 0,
            documents: 0,
            metrics: 0,
        };
        for (const key of [
            "staging-aws",
            "production-aws",
            "production-aws-longest-name",
            "examples/aws-staging",
            "examples/byo-vpc-and-cluster",
            "production-aws-us-gov-west-1",
            "production-aws-frontend",
        ]) {
            it(`${key}: IAM, CloudWatch, properties, service-side rules`, () => {
                const p = plans[key];
                const iam = judgeIam(p.resources, p.partition);
                const cw = judgeCloudWatch(p.resources);
                const props = judgeProperties(p.resources);
                const service = judgeServiceRules(p.resources, { region: p.region });
                assert.deepStrictEqual(show([...iam.findings, ...cw.findings, ...props.findings, ...service]), []);
                assert.ok(iam.statements > 0 && cw.checked > 0, "the judges read something");
                coverage.documents += iam.documents;
                coverage.statements += iam.statements;
                coverage.metrics += cw.checked;
                for (const t of props.coverage.typesPlanned) coverage.types.add(t);
                for (const t of props.coverage.typesChecked) coverage.typesChecked.add(t);
                coverage.properties += props.coverage.propertiesPlanned;
                coverage.propertiesChecked += props.coverage.propertiesChecked;
                coverage.enums += props.coverage.enumsChecked;
            });
        }
        after(() => {
            console.log(
                `      coverage: IAM ${coverage.statements} statements in ${coverage.documents} documents; CloudWatch ${coverage.metrics} metric uses; ` +
                    `properties: ${coverage.typesChecked.size}/${coverage.types.size} resource types, ${coverage.propertiesChecked}/${coverage.properties} inputs checked (${coverage.enums} enum values); ` +
                    `${SERVICE_RULES.length} service-side rules. Types not mapped: ${[...coverage.types].filter((t) => !coverage.typesChecked.has(t)).length}`,
            );
        });
    });

    describe("the IAM judge catches", () => {
        it("a managed policy at a path AWS does not publish it under (the S3 backup policy under service-role/)", () => {
            const rs = clone(plans["production-aws"].resources);
            const attachment = rs.find(
                (r) =>
                    r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
                    String(inp(r).policyArn).endsWith("AWSBackupServiceRolePolicyForS3Backup"),
            )!;
            assert.strictEqual(inp(attachment).policyArn, "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup");
            inp(attachment).policyArn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForS3Backup";
            assert.match(show(judgeIam(rs, "aws").findings).join("\n"), /AWSBackupServiceRolePolicyForS3Backup" is not one AWS publishes/);
        });

        it("a condition key the action never carries: CloudTrail's DescribeKey under an encryption-context condition (a silent deny)", () => {
            const old = {
                Sid: "CloudTrailOfThisAccount",
                Effect: "Allow" as const,
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: ["kms:GenerateDataKey*", "kms:DescribeKey"],
                Resource: "*",
                Condition: { StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:123456789012:trail/*" } },
            };
            const problems = judgeStatement(old, "aws", "logs key");
            assert.deepStrictEqual(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], /kms:DescribeKey never carries "kms:EncryptionContext:aws:cloudtrail:arn"/);
        });

        it("the fixed logs key gives CloudTrail the statements AWS requires: encrypt, describe, decrypt (S3 Bucket Key)", () => {
            const key = one(plans["production-aws"].resources, "aws:kms/key:Key", "keys-logs");
            const statements = JSON.parse(inp(key).policy).Statement.filter((s: any) => s.Principal?.Service === "cloudtrail.amazonaws.com");
            assert.deepStrictEqual(
                statements
                    .map((s: any) => s.Action)
                    .flat()
                    .sort(),
                ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*"],
            );
            for (const s of statements) assert.ok(s.Condition.ArnLike["aws:SourceArn"], `${s.Sid} limited to the account's trails`);
        });

        it("unknown actions, unknown condition keys, ARNs of another partition or of no resource type, actions that need Resource *", () => {
            const p = (st: object) => judgeStatement({ Effect: "Allow", Resource: "*", ...st } as never, "aws", "s");
            assert.match(p({ Action: "kms:DescribeKeys" }).join(), /kms has no action of that name/);
            assert.match(p({ Action: "kmz:DescribeKey" }).join(), /no service prefix "kmz"/);
            assert.match(p({ Action: "kms:Decrypt", Condition: { StringEquals: { "kms:ViaServices": "x" } } }).join(), /not a condition key of kms/);
            assert.match(p({ Action: "s3:GetObject", Condition: { Bool: { "aws:SecureTransports": "true" } } }).join(), /not a global condition key/);
            assert.match(p({ Action: "s3:GetObject", Resource: "arn:aws-us-gov:s3:::b/*" }).join(), /partition "aws-us-gov", the stack's is "aws"/);
            assert.match(p({ Action: "s3:GetObject", Resource: "arn:aws:s3:eu-west-1::b" }).join(), /matches no s3 resource type/);
            assert.match(
                p({ Action: "ecr:GetAuthorizationToken", Resource: "arn:aws:ecr:eu-west-1:123456789012:repository/x" }).join(),
                /takes no resource type: it needs Resource "\*"/,
            );
            assert.match(p({ Action: "s3:ListBucket", Resource: "arn:aws:s3:::b/*" }).join(), /s3:ListBucket applies to none of/);
            // A condition the action supports, and wildcards on both sides, pass.
            assert.deepStrictEqual(p({ Action: ["kms:Decrypt"], Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } } }), []);
            assert.ok(
                arnsOverlap(
                    "arn:aws:logs:eu-west-1:123456789012:log-group:/x:*",
                    "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}",
                    "aws",
                ),
            );
            assert.ok(
                !arnsOverlap(
                    "arn:aws:logs:eu-west-1:123456789012:log-group:/x",
                    "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}",
                    "aws",
                ),
            );
        });
    });

    describe("the CloudWatch judge catches", () => {
        it("ElastiCache metrics by ReplicationGroupId (published per node only): the alarm never has data", () => {
            const rs = clone(plans["production-aws"].resources);
            const alarm = one(rs, "aws:cloudwatch/metricAlarm:MetricAlarm", "cache-evictions");
            for (const q of inp(alarm).metricQueries) if (q.metric) q.metric.dimensions = { ReplicationGroupId: "rag-production-cache" };
            assert.match(show(judgeCloudWatch(rs).findings).join("\n"), /AWS\/ElastiCache Evictions is not published with dimensions \[ReplicationGroupId\]/);
        });

        it("a metric name AWS does not publish, and the GPU metrics by a dimension the agent does not emit", () => {
            const rs = clone(plans["production-aws"].resources);
            inp(one(rs, "aws:cloudwatch/metricAlarm:MetricAlarm", "db-cpu")).metricName = "CpuUtilisation";
            inp(one(rs, "aws:cloudwatch/metricAlarm:MetricAlarm", "gpu-utilization")).dimensions = { AutoScalingGroupName: "rag-production-gpu-x" };
            const text = show(judgeCloudWatch(rs).findings).join("\n");
            assert.match(text, /AWS\/RDS has no metric "CpuUtilisation"/);
            assert.match(
                text,
                /RagStack\/GPU nvidia_smi_utilization_gpu is not published with dimensions \[AutoScalingGroupName\] \(published: \[GpuFleet\]\)/,
            );
        });
    });

    describe("the property judge catches", () => {
        it("a value outside a CloudFormation enum, and a wrong type", () => {
            const rs = clone(plans["production-aws"].resources);
            inp(one(rs, "aws:ecs/service:Service", "api-service")).propagateTags = "TASK";
            inp(one(rs, "aws:kms/key:Key", "keys-data")).enableKeyRotation = { on: true };
            const text = show(judgeProperties(rs).findings).join("\n");
            assert.match(text, /propagateTags \(AWS::ECS::Service.PropagateTags\): "TASK" is not one of/);
            assert.match(text, /enableKeyRotation \(AWS::KMS::Key.EnableKeyRotation\): a boolean/);
            assert.ok(cfnResource("AWS::RDS::DBInstance")?.DBInstanceClass, "the registry data is loaded");
        });

        it("CloudFront's fields under the distribution's and the policies' configuration (DistributionConfig, ResponseHeadersPolicyConfig)", () => {
            const rs = clone(plans["production-aws-frontend"].resources);
            inp(one(rs, "aws:cloudfront/distribution:Distribution", "frontend-cdn")).defaultCacheBehavior.compress = { on: true };
            inp(one(rs, "aws:cloudfront/distribution:Distribution", "frontend-cdn")).isIpv6Enabled = "maybe";
            inp(one(rs, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")).securityHeadersConfig.strictTransportSecurity.accessControlMaxAgeSec =
                "two years";
            const text = show(judgeProperties(rs).findings).join("\n");
            assert.match(text, /defaultCacheBehavior \(AWS::CloudFront::Distribution\.DefaultCacheBehavior\)\.compress: a boolean/);
            assert.match(text, /isIpv6Enabled \(AWS::CloudFront::Distribution\.IPV6Enabled\): a boolean/);
            assert.match(text, /strictTransportSecurity\.accessControlMaxAgeSec: a number/);
        });
    });

    describe("service-side rules: each catches its defect", () => {
        const mutations: Record<string, (rs: RecordedResource[]) => void> = {
            "physical-names-within-aws-limits": (rs) => {
                inp(one(rs, "aws:lb/targetGroup:TargetGroup")).name = "rag-production-api-target-group-x";
            },
            "s3-replication-metrics-event-threshold-needs-rtc": (rs) => {
                inp(one(rs, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")).rules[0].destination.metrics = {
                    status: "Enabled",
                    eventThreshold: { minutes: 15 },
                };
            },
            "kms-key-policy-principals-exist-first": (rs) => {
                const key = one(rs, "aws:kms/key:Key", "keys-data");
                const policy = JSON.parse(inp(key).policy);
                policy.Statement.push({
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling" },
                    Action: "kms:Decrypt",
                    Resource: "*",
                });
                inp(key).policy = JSON.stringify(policy);
            },
            "lambda-reserved-concurrency-headroom": (rs) => {
                inp(one(rs, "aws:lambda/function:Function")).reservedConcurrentExecutions = 1;
            },
            "cloudwatch-agent-ec2-placeholders-need-describe-tags": (rs) => {
                const lt = one(rs, "aws:ec2/launchTemplate:LaunchTemplate");
                const userData = Buffer.from(inp(lt).userData, "base64")
                    .toString()
                    .replace('"aggregation_dimensions"', '"append_dimensions":{"AutoScalingGroupName":"${aws:AutoScalingGroupName}"},"aggregation_dimensions"');
                inp(lt).userData = Buffer.from(userData).toString("base64");
            },
            "backup-rds-not-within-an-hour-of-maintenance": (rs) => {
                inp(one(rs, "aws:backup/plan:Plan")).rules[0].schedule = "cron(0 3 * * ? *)";
            },
            "backup-rule-at-most-hourly": (rs) => {
                inp(one(rs, "aws:backup/plan:Plan")).rules[0].schedule = "cron(0/30 * ? * * *)";
            },
            "s3-lifecycle-expiration-after-transitions": (rs) => {
                const lc = one(rs, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "edge-access-logs-lifecycle");
                inp(lc).rules[0].transitions.push({ days: 365, storageClass: "GLACIER" });
            },
            "backup-s3-not-in-glacier-flexible-or-deep-archive": (rs) => {
                const lc = one(rs, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "storage-documents-lifecycle");
                inp(lc).rules[0].transitions[1].storageClass = "GLACIER";
            },
            "ecs-service-after-its-capacity-provider-association": (rs) => {
                const svc = one(rs, "aws:ecs/service:Service", "llm-service");
                svc.dependencies = svc.dependencies.filter((d) => !d.includes("ClusterCapacityProviders"));
            },
            "ecs-service-after-its-target-group-listener": (rs) => {
                // The service waits for no listener or rule (production: ECS's blue/green production rule).
                const svc = one(rs, "aws:ecs/service:Service", "api-service");
                const attaching = new Set(
                    rs.filter((r) => ["aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule"].includes(r.type)).map((r) => r.urn),
                );
                svc.dependencies = svc.dependencies.filter((d) => !attaching.has(d));
                for (const k of Object.keys(svc.propertyDependencies))
                    svc.propertyDependencies[k] = svc.propertyDependencies[k].filter((d) => !attaching.has(d));
            },
            "fargate-adds-no-capability-but-sys-ptrace": (rs) => {
                const td = one(rs, "aws:ecs/taskDefinition:TaskDefinition", "api-task");
                const containers = JSON.parse(inp(td).containerDefinitions);
                containers.find((c: any) => c.name === "volume-owner").linuxParameters.capabilities = { drop: ["ALL"], add: ["CHOWN"] };
                inp(td).containerDefinitions = JSON.stringify(containers);
            },
            "rds-log-exports-into-the-stack-log-groups": (rs) => {
                const i = rs.findIndex((r) => r.type === "aws:cloudwatch/logGroup:LogGroup" && String(inp(r).name).includes("-replica-0/postgresql"));
                rs.splice(i, 1);
            },
            "wafv2-alarm-dimension-is-the-metric-name": (rs) => {
                inp(one(rs, "aws:cloudwatch/metricAlarm:MetricAlarm", "waf-blocked-spike")).dimensions.WebACL = "rag-production-acl";
            },
        };
        it("every rule has a mutation", () =>
            assert.deepStrictEqual(
                SERVICE_RULES.map((r) => r.name).filter((n) => !mutations[n]),
                [],
            ));
        for (const rule of SERVICE_RULES) {
            it(`${rule.name} (${rule.doc})`, () => {
                const rs = clone(plans["production-aws"].resources);
                assert.deepStrictEqual(judgeServiceRules(rs, { region: "eu-west-1" }, [rule]), []);
                mutations[rule.name](rs);
                assert.ok(judgeServiceRules(rs, { region: "eu-west-1" }, [rule]).length > 0, `${rule.name} did not catch its mutation`);
            });
        }
    });

    describe("a new account, first try", () => {
        it("the data key names the stack's own Auto Scaling service-linked role, created first; never the account's default one", () => {
            const rs = plans["production-aws"].resources;
            const slr = one(rs, "aws:iam/serviceLinkedRole:ServiceLinkedRole");
            assert.deepStrictEqual([inp(slr).awsServiceName, inp(slr).customSuffix], ["autoscaling.amazonaws.com", "rag-production"]);
            const key = one(rs, "aws:kms/key:Key", "keys-data");
            assert.ok(inp(key).policy.includes(slr.state.arn as string));
            assert.ok(!inp(key).policy.includes('AWSServiceRoleForAutoScaling"'), "not the default role");
            assert.ok(key.dependencies.includes(slr.urn));
            assert.strictEqual(inp(one(rs, "aws:autoscaling/group:Group")).serviceLinkedRoleArn, slr.state.arn);
        });

        it("the GPU agent needs no EC2 call: a fixed GpuFleet dimension, no ${aws:AutoScalingGroupName}", () => {
            const lt = one(plans["production-aws"].resources, "aws:ec2/launchTemplate:LaunchTemplate");
            const userData = Buffer.from(inp(lt).userData, "base64").toString();
            assert.ok(!userData.includes("${aws:"), userData);
            assert.match(userData, /"append_dimensions":\{"GpuFleet":"rag-production-gpu"\}/);
        });

        it("the plan prints the quota preflight: GPU vCPUs (G and VT), Fargate vCPUs, Elastic IPs, with codes", async () => {
            const r = await plan({ stack: "production", target: "aws" });
            const checks = Object.fromEntries(r.document.preflight!.checks.map((c) => [c.quotaCode, c]));
            assert.strictEqual(checks["L-DB2E81BA"].status, "request");
            assert.strictEqual(checks["L-DB2E81BA"].needed, 24); // 3 x g5.2xlarge at the maximum
            assert.strictEqual(checks["L-3032A538"].needed, 40); // 10 API tasks x 2 vCPU x 200% during a deployment
            assert.deepStrictEqual([checks["L-0263D0A3"].needed, checks["L-0263D0A3"].status], [3, "ok"]);
            for (const code of ["L-F678F1CE", "L-53DA6B97", "L-7B6409FD", "L-DFE45DF3", "L-B99A9384"]) assert.ok(checks[code], code);
            assert.strictEqual(r.document.preflight!.requests, 2);
        });
    });

    describe("every AWS region and partition", () => {
        it("the region table is AWS's (the SDKs' endpoint partitions)", () => {
            const sdk = sdkPartitions();
            for (const [p, regions] of Object.entries(AWS_PARTITION_REGIONS)) assert.deepStrictEqual([...regions].sort(), [...(sdk[p] ?? [])].sort(), p);
        });

        it("WAF's country codes are the WAFv2 API's CountryCode enum", () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const { CountryCode } = require("@aws-sdk/client-wafv2") as { CountryCode: Record<string, string> };
            assert.deepStrictEqual([...ISO_COUNTRY_CODES].sort(), Object.values(CountryCode).sort());
        });

        it("ELB log-delivery accounts only where AWS names one; every other region writes through the service principal", () => {
            for (const r of Object.keys(ELB_LOG_DELIVERY_ACCOUNTS))
                assert.ok([...AWS_PARTITION_REGIONS.aws, ...AWS_PARTITION_REGIONS["aws-us-gov"]].includes(r as never), r);
            const policyOf = (rs: RecordedResource[]) =>
                JSON.parse(inp(rs.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && r.name.includes("edge-access-logs"))!).policy).Statement.map(
                    (s: any) => s.Sid,
                );
            assert.ok(policyOf(plans["production-aws"].resources).includes("AlbAccessLogDelivery"));
        });

        it("GovCloud: every ARN in the aws-us-gov partition", () => {
            const arns = JSON.stringify(govCloud.resources.all.map((r) => r.inputs)).match(/arn:aws[a-z-]*:/g) ?? [];
            assert.ok(arns.length > 50);
            assert.deepStrictEqual([...new Set(arns)], ["arn:aws-us-gov:"]);
        });

        it("il-central-1: a clear error naming aws:region and awsRdsCaBundle; with the region's bundle it plans and the API task carries it", async () => {
            await assert.rejects(runProgram("staging", { target: "aws", "aws:region": "il-central-1" }), (e: Error) =>
                /aws\.region: got "il-central-1".*rag-platform:awsRdsCaBundle/s.test(e.message),
            );
            const pem = fakeRdsCa("il-central-1");
            const run = await runProgram("staging", { target: "aws", "aws:region": "il-central-1", awsRdsCaBundle: pem });
            const task = JSON.parse(inp(one(run.resources.all, "aws:ecs/taskDefinition:TaskDefinition", "api-task")).containerDefinitions);
            const bundle = task.find((c: any) => c.name === "rds-ca").environment[0].value as string;
            assert.ok(bundle.startsWith(pem.trim().split("\n")[0]) && bundle.includes(pem.trim().split("\n")[1]));
            await assert.rejects(
                runProgram("staging", { target: "aws", "aws:region": "il-central-1", awsRdsCaBundle: fakeRdsCa("eu-west-1") }),
                /aws\.rdsCaBundle.*"Amazon RDS il-central-1/s,
            );
        });

        const bad: [string, Record<string, string>, RegExp][] = [
            [
                "a region AWS does not have",
                { "aws:region": "eu-west-9" },
                /aws\.region\)?: got "eu-west-9"; allowed: an AWS region, one of .*did you mean "eu-west-\d"/s,
            ],
            ["a backup region AWS does not have", { awsBackupRegion: "eu-west-9" }, /aws\.backupRegion\)?: got "eu-west-9"/],
            [
                "a China region (another partition)",
                { "aws:region": "cn-north-1" },
                /aws\.region\)?: got "cn-north-1"; allowed: a region of the aws or aws-us-gov partition/,
            ],
            [
                "a backup region in another partition",
                { awsBackupRegion: "us-gov-east-1" },
                /aws\.backupRegion\)?: got "us-gov-east-1"; allowed: a region of the same partition as aws\.region \(aws\)/,
            ],
            [
                "a duplicated zone",
                { awsAvailabilityZones: '["eu-west-1a","eu-west-1a","eu-west-1b"]' },
                /aws\.availabilityZones\[1\]\)?: got "eu-west-1a"; allowed: a value not already in aws\.availabilityZones/,
            ],
            [
                "a zone of another region",
                { awsAvailabilityZones: '["eu-west-1a","eu-west-2b","eu-west-1c"]' },
                /aws\.availabilityZones\[1\]\)?: got "eu-west-2b"; allowed: a zone of aws\.region \(eu-west-1\)/,
            ],
            [
                "UK (not ISO 3166)",
                { wafAllowedCountries: '["DE","UK"]' },
                /edge\.allowedCountries\[1\]\)?: got "UK"; allowed: an ISO 3166-1 alpha-2 country code WAF knows/,
            ],
            ["XX", { wafAllowedCountries: '["XX"]' }, /edge\.allowedCountries\[0\]\)?: got "XX"/],
            ["a duplicated country", { wafAllowedCountries: '["DE","DE"]' }, /edge\.allowedCountries\[1\]\)?: got "DE"; allowed: a value not already in/],
            ["a duplicated alarm e-mail", { alarmEmails: '["ops@example.gov","ops@example.gov"]' }, /observability\.alarmEmails\[1\]\)?: got/],
            ["a duplicated ingress CIDR", { allowedIngressCidrs: '["10.0.0.0/8","10.0.0.0/8"]' }, /network\.allowedIngressCidrs\[1\]\)?: got/],
        ];
        for (const [what, overrides, message] of bad)
            it(`refused before any resource: ${what}`, async () => {
                await assert.rejects(runProgram("production", { target: "aws", ...overrides }), (e: Error) => message.test(e.message));
            });
    });
});
