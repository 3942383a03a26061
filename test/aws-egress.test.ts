/**
 * Internet egress on AWS as an opt-in: production's tasks and GPU hosts reach only the VPC's
 * endpoints and S3, pull from ECR (AWS helpers through a pull-through cache of ECR Public) and copy
 * their models from the models bucket; staging opts in. Checked on the real inputs, and the
 * refusals name the key.
 */
import * as assert from "assert";
import { Llm } from "../components/aws/llm";
import { ApiService } from "../components/aws/api-service";
import { MOCK_S3_PREFIX_LIST, RecordedResource } from "../testing/mocks";
import { ProgramRun, runProgram } from "../testing/program";
import { resolveConfigValues } from "./harness/config";
import { IMAGE_LOCK } from "../components/core/images";

/** "@<digest>" of a default image once images.lock.json has it (the release fills it), "" before. */
const pin = (name: string) => (IMAGE_LOCK.images[name].digest ? `@${IMAGE_LOCK.images[name].digest}` : "");

const inp = (r: RecordedResource) => r.inputs as any;
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const https = (run: ProgramRun, group: "api" | "llm") =>
    run.resources
        .ofType(EGRESS)
        .filter((r) => r.name.includes(`${group}-https`))
        .map((r) => ({ port: [inp(r).fromPort, inp(r).toPort], cidr: inp(r).cidrIpv4, prefixList: inp(r).prefixListId }));
const containers = (run: ProgramRun, suffix: string) =>
    JSON.parse(inp(run.resources.one("aws:ecs/taskDefinition:TaskDefinition", suffix)).containerDefinitions);
const REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

describe("AWS: internet egress is an opt-in", function () {
    this.timeout(120_000);
    let production: ProgramRun;
    let staging: ProgramRun;
    before(async () => {
        production = await runProgram("production", { target: "aws" });
        staging = await runProgram("staging", { target: "aws" });
    });

    it("production: the API and the GPU hosts reach only the VPC's endpoints and S3 on 443; staging opts in to the internet", () => {
        const vpcCidr = inp(production.resources.one("aws:ec2/vpc:Vpc")).cidrBlock;
        for (const group of ["api", "llm"] as const) {
            assert.deepStrictEqual(https(production, group), [
                { port: [443, 443], cidr: vpcCidr, prefixList: undefined },
                { port: [443, 443], cidr: undefined, prefixList: MOCK_S3_PREFIX_LIST },
            ]);
            assert.deepStrictEqual(https(staging, group), [{ port: [443, 443], cidr: "0.0.0.0/0", prefixList: undefined }]);
        }
        // no other egress of the two groups leaves the VPC
        for (const r of production.resources.ofType(EGRESS)) assert.notStrictEqual(inp(r).cidrIpv4, "0.0.0.0/0", r.name);
        // the prefix list is the gateway endpoint's, and the hosts' metrics have their endpoint
        const endpoints = production.resources.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => String(inp(e).serviceName));
        assert.ok(endpoints.some((n) => n.endsWith(".s3")) && endpoints.some((n) => n.endsWith(".monitoring")));
    });

    it("the S3 endpoint admits this account's principals to this account's buckets, and reads of AWS-owned objects (ECR layers, OS packages, the CloudWatch agent) unsigned by this account", () => {
        const s3 = production.resources.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").find((e) => String(inp(e).serviceName).endsWith(".s3"))!;
        const statements = JSON.parse(inp(s3).policy).Statement;
        const own = statements.find((st: any) => st.Sid === "OwnAccountBuckets");
        assert.deepStrictEqual(own.Condition, { StringEquals: { "aws:PrincipalAccount": "123456789012", "aws:ResourceAccount": "123456789012" } });
        const aws = statements.find((st: any) => st.Sid === "AwsOwnedResources");
        assert.strictEqual(aws.Action, "s3:GetObject");
        assert.strictEqual(aws.Condition, undefined, "ECR presigns layer downloads with its own credentials; packages are anonymous");
        assert.ok(aws.Resource.includes("arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*"));
        assert.ok(aws.Resource.includes("arn:aws:s3:::amazonlinux-2-repos-eu-west-1/*"), "the GPU hosts' yum (Amazon Linux 2 ECS GPU AMI)");
        assert.deepStrictEqual(
            statements.map((st: any) => st.Sid),
            ["OwnAccountBuckets", "AwsOwnedResources"],
        );
    });

    it("production: AWS helper images come through an ECR pull-through cache of ECR Public, which the execution roles may fill", () => {
        const rule = inp(production.resources.one("aws:ecr/pullThroughCacheRule:PullThroughCacheRule"));
        assert.deepStrictEqual([rule.ecrRepositoryPrefix, rule.upstreamRegistryUrl], ["ecr-public", "public.ecr.aws"]);
        const template = inp(production.resources.one("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"));
        assert.deepStrictEqual(
            [template.prefix, template.appliedFors, template.encryptionConfigurations],
            ["ecr-public", ["PULL_THROUGH_CACHE"], [{ encryptionType: "AES256" }]],
        );
        assert.strictEqual(containers(production, "api-db-bootstrap")[0].image, `${REGISTRY}/ecr-public/docker/library/postgres:16.10-alpine`);
        assert.strictEqual(containers(staging, "api-db-bootstrap")[0].image, `public.ecr.aws/docker/library/postgres:16.10-alpine${pin("aws-db-bootstrap")}`);
        const fills = production.resources
            .ofType("aws:iam/rolePolicy:RolePolicy")
            .filter((p) => JSON.parse(inp(p).policy).Statement.some((s: any) => s.Sid === "EcrPullThroughCache"))
            .map((p) => p.name.replace(/^rag-aws-/, ""))
            .sort();
        assert.deepStrictEqual(fills, ["api-bootstrap-execution", "api-execution", "llm-execution"]);
        for (const p of production.resources.ofType("aws:iam/rolePolicy:RolePolicy")) {
            const st = JSON.parse(inp(p).policy).Statement.find((s: any) => s.Sid === "EcrPullThroughCache");
            if (st) assert.strictEqual(st.Resource, `arn:aws:ecr:eu-west-1:123456789012:repository/ecr-public/*`);
        }
        assert.strictEqual(staging.resources.ofType("aws:ecr/pullThroughCacheRule:PullThroughCacheRule").length, 0);
    });

    it("production: the models are copied from the models bucket and checked before Ollama starts; the task may read that prefix only", () => {
        const defs = containers(production, "llm-task");
        const byName = Object.fromEntries(defs.map((c: any) => [c.name, c]));
        assert.deepStrictEqual(
            defs.map((c: any) => c.name),
            ["volume-permissions", "model-sync", "model-check", "ollama"],
        );
        const models = production.resources.ofType("aws:s3/bucket:Bucket").find((b) => b.name.endsWith("storage-models-bucket") || b.name.includes("models"))!;
        assert.deepStrictEqual(byName["model-sync"].command.slice(0, 4), ["s3", "sync", `s3://${models.state.bucket}/ollama/models/`, "/models/models/"]);
        assert.strictEqual(byName["model-sync"].image, `${REGISTRY}/ecr-public/aws-cli/aws-cli:2.31.18`);
        assert.match(byName["model-check"].command[0], /ollama show "\$m" .*\|\| \{ echo "model \$m is not staged in the models bucket"; exit 1; \}/);
        assert.doesNotMatch(JSON.stringify(defs), /ollama pull/);
        assert.deepStrictEqual(byName.ollama.dependsOn, [{ containerName: "model-check", condition: "SUCCESS" }]);
        const policy = JSON.parse(inp(production.resources.one("aws:iam/rolePolicy:RolePolicy", "llm-task")).policy).Statement;
        assert.deepStrictEqual(
            policy.map((s: any) => [s.Sid, s.Action, s.Resource]),
            [
                ["ListModels", ["s3:ListBucket"], [models.state.arn]],
                ["ReadModels", ["s3:GetObject"], [`${models.state.arn}/ollama/models/*`]],
                ["DecryptThroughS3", ["kms:Decrypt"], [policy[2].Resource[0]]],
            ],
        );
        assert.deepStrictEqual(policy[0].Condition, { StringLike: { "s3:prefix": ["ollama/models/*"] } });
        assert.deepStrictEqual(policy[2].Condition, { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } });
        assert.strictEqual(
            inp(production.resources.one("aws:ecs/taskDefinition:TaskDefinition", "llm-task")).taskRoleArn,
            production.resources.one("aws:iam/role:Role", "llm-task").state.arn,
        );
        // staging pulls from the registry and has no models bucket
        assert.ok(containers(staging, "llm-task").some((c: any) => c.name === "model-pull"));
        assert.ok(!staging.resources.ofType("aws:s3/bucket:Bucket").some((b) => b.name.includes("models")));
    });

    it("without internet egress an image outside ECR is refused by key; the opt-in or a copy in ECR is accepted; Kubernetes refuses the key", () => {
        const base = { environment: "production", domain: "rag.example.gov", hostedZoneId: "Z0123456789PRODUCT", target: "aws" };
        assert.throws(
            () => resolveConfigValues({ ...base, apiImage: "ghcr.io/example-gov/rag-api:1.4.2", llmImage: `${REGISTRY}/ollama:0.12.6` }),
            /rag-platform:apiImage \(api\.image\): got "ghcr.io\/example-gov\/rag-api:1.4.2"; allowed: an image in ECR of eu-west-1 .* or set awsInternetEgress true/,
        );
        assert.throws(
            () => resolveConfigValues({ ...base, apiImage: `${REGISTRY}/rag-api:1.4.2` }),
            /rag-platform:llmImage \(llm\.image\): got "ollama\/ollama:0.12.6(@sha256:[a-f0-9]{64})?"/,
        );
        // ECR of another region is not reachable through this VPC's endpoints
        assert.throws(
            () => resolveConfigValues({ ...base, apiImage: "123456789012.dkr.ecr.us-east-1.amazonaws.com/rag-api:1.4.2", llmImage: `${REGISTRY}/o:1` }),
            /api\.image/,
        );
        assert.doesNotThrow(() => resolveConfigValues({ ...base, apiImage: "ghcr.io/example-gov/rag-api:1.4.2", awsInternetEgress: "true" }));
        assert.doesNotThrow(() => resolveConfigValues({ ...base, apiImage: `${REGISTRY}/rag-api:1.4.2`, llmImage: `${REGISTRY}/mirror/ollama/ollama:0.12.6` }));
        assert.throws(
            () =>
                resolveConfigValues({
                    environment: "staging",
                    domain: "rag.example.gov",
                    target: "kubernetes",
                    apiImage: "ghcr.io/x/y:1",
                    awsInternetEgress: "false",
                }),
            /rag-platform:awsInternetEgress \([a-zA-Z.]+\): got false; allowed: unset on the kubernetes target/,
        );
    });

    it("the components refuse an offline choice they cannot honour, naming the argument", () => {
        const common = {
            environment: "production" as const,
            vpcId: "vpc-1",
            subnetIds: ["subnet-1"],
            allowedSecurityGroupIds: ["sg-1"],
            kmsKeyArn: "k",
            logsKeyArn: "l",
        };
        const offline = { vpcCidr: "10.0.0.0/16", s3PrefixListId: MOCK_S3_PREFIX_LIST };
        const llm = {
            ...common,
            clusterArn: "c",
            clusterName: "c",
            namespaceId: "n",
            namespaceName: "n",
            models: ["llama3.1:8b"],
            amiId: "ami-0123456789abcdef0",
        };
        assert.throws(
            () => new Llm("x", { ...llm, httpsEgress: offline }),
            /Llm x: invalid input[\s\S]*image: got "ollama\/ollama:0.12.6(@sha256:[a-f0-9]{64})?"[\s\S]*stagedModels: got nothing \(the field is missing\); allowed: the bucket the models are staged in/,
        );
        assert.throws(
            () =>
                new Llm("x", {
                    ...llm,
                    httpsEgress: offline,
                    image: `${REGISTRY}/o:1`,
                    stagedModels: { bucketName: "b", bucketArn: "arn:aws:s3:::b", kmsKeyArn: "k", prefix: "models" },
                }),
            /stagedModels\.syncImage: got "public.ecr.aws\/aws-cli\/aws-cli:2.31.18(@sha256:[a-f0-9]{64})?"[\s\S]*stagedModels\.prefix: got "models"; allowed: a key prefix ending in '\/'/,
        );
        const api = {
            ...common,
            vpcCidr: "10.0.0.0/16",
            clusterArn: "c",
            clusterName: "c",
            albSecurityGroupId: "sg-alb",
            targetGroupArn: "tg",
            loadBalancerArnSuffix: "lb",
            targetGroupArnSuffix: "tg",
            image: "ghcr.io/x/api:1",
            databaseBootstrap: { masterSecretArn: "s", host: "h", database: "rag" },
        };
        assert.throws(
            () => new ApiService("y", { ...api, httpsEgress: offline } as any),
            /ApiService y: invalid input[\s\S]*image: got "ghcr.io\/x\/api:1"[\s\S]*databaseBootstrap\.image: got "public.ecr.aws\/docker\/library\/postgres:16.10-alpine(@sha256:[a-f0-9]{64})?"/,
        );
    });
});
