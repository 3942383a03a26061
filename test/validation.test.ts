import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import { RagStack } from "../facade/stack";
import { DeepPartial } from "../components/core/types";
import { StackSettings } from "../components/settings";
import { isCidr, isPinnedImage, ValidationError } from "../components/core/validation";
import { StackInput } from "../environments/resolve";
import { parseConfig } from "../environments/config";
import { installMocks, settle } from "../testing/mocks";
import * as aws from "../components/aws";
import * as kube from "../components/kubernetes";

const base: StackInput = {
    target: "aws",
    environment: "staging",
    domain: "rag.example.gov",
    overrides: { api: { image: "ghcr.io/example/rag-api:1.0.0" }, aws: { hostedZoneId: "Z0123456789ABC" } },
};

function withOverrides(o: DeepPartial<StackSettings>, top: Partial<StackInput> = {}): StackInput {
    const merged = JSON.parse(JSON.stringify(base.overrides)) as Record<string, Record<string, unknown>>;
    for (const [k, v] of Object.entries(o)) merged[k] = typeof v === "object" && !Array.isArray(v) ? { ...(merged[k] ?? {}), ...(v as object) } : (v as never);
    return { ...base, ...top, overrides: merged as DeepPartial<StackSettings> };
}

/** [description, input, field the error must name, fragment of the allowed values] */
const BAD: [string, StackInput, string, string][] = [
    ["unknown target", { ...base, target: "gcp" as never }, "target", '"aws", "kubernetes"'],
    ["unknown environment", { ...base, environment: "qa" as never }, "environment", '"staging", "production"'],
    ["missing domain", { ...base, domain: "" }, "domain", "HTTPS needs a domain"],
    ["domain with scheme", { ...base, domain: "https://rag.example.gov" }, "domain", "DNS name"],
    ["bad name prefix", { ...base, name: "9Rag" }, "name", "starting with a letter"],
    ["api image latest", withOverrides({ api: { image: "ghcr.io/example/rag-api:latest" } }), "api.image", "other than `latest`"],
    ["api image unpinned", withOverrides({ api: { image: "ghcr.io/example/rag-api" } }), "api.image", "pinned"],
    ["min > max replicas", withOverrides({ api: { minReplicas: 5, maxReplicas: 2 } }), "api.minReplicas", "at most api.maxReplicas"],
    ["zero replicas", withOverrides({ api: { minReplicas: 0 } }), "api.minReplicas", "from 1 to 100"],
    ["fargate cpu", withOverrides({ api: { cpu: 3 } }), "api.cpu", "0.25, 0.5, 1, 2, 4"],
    ["memory out of cpu range", withOverrides({ api: { cpu: 1, memoryMiB: 512 } }), "api.memoryMiB", "2048 to 8192 in steps of 1024"],
    ["memory off the Fargate step", withOverrides({ api: { cpu: 1, memoryMiB: 2500 } }), "api.memoryMiB", "2048 to 8192 in steps of 1024"],
    ["memory of a quarter vCPU", withOverrides({ api: { cpu: 0.25, memoryMiB: 1536 } }), "api.memoryMiB", "one of 512, 1024, 2048"],
    ["cpu target", withOverrides({ api: { cpuTargetPercent: 99 } }), "api.cpuTargetPercent", "from 10 to 95"],
    ["secret in plain env", withOverrides({ api: { env: { DB_PASSWORD: "hunter2" } } }), "api.env.DB_PASSWORD", "no secrets in plain environment"],
    ["no models with LLM on", withOverrides({ llm: { models: [] } }), "llm.models", "at least one model"],
    ["GPU count 0 with LLM on", withOverrides({ llm: { gpusPerNode: 0 } }), "llm.gpusPerNode", "from 1 to 8"],
    ["max GPU nodes 0 with LLM on", withOverrides({ llm: { maxNodes: 0, desiredNodes: 0 } }), "llm.maxNodes", "from 1 to 50"],
    ["desired outside min..max", withOverrides({ llm: { desiredNodes: 5 } }), "llm.desiredNodes", "between llm.minNodes"],
    ["not a GPU instance", withOverrides({ llm: { instanceType: "m5.large" } }), "llm.instanceType", "GPU instance type"],
    ["ollama latest", withOverrides({ llm: { image: "ollama/ollama:latest" } }), "llm.image", "other than `latest`"],
    ["postgres 14", withOverrides({ database: { engineVersion: "14" } }), "database.engineVersion", "pgvector needs >= 15.2"],
    ["retention 0", withOverrides({ database: { backupRetentionDays: 0 } }), "database.backupRetentionDays", "from 1 to 35"],
    ["retention 40", withOverrides({ database: { backupRetentionDays: 40 } }), "database.backupRetentionDays", "from 1 to 35"],
    [
        "production retention 3",
        { ...withOverrides({ database: { backupRetentionDays: 3 } }), environment: "production" },
        "database.backupRetentionDays",
        "at least 7 in production",
    ],
    ["max storage < storage", withOverrides({ database: { storageGiB: 100, maxStorageGiB: 50 } }), "database.maxStorageGiB", "at least 110"],
    ["autoscaling ceiling under 10% above", withOverrides({ database: { storageGiB: 100, maxStorageGiB: 105 } }), "database.maxStorageGiB", "10% above"],
    ["no such RDS size", withOverrides({ database: { instanceClass: "db.r6g.3xlarge" } }), "database.instanceClass", "RDS for PostgreSQL instance class"],
    ["no such cache size", withOverrides({ cache: { nodeType: "cache.r7g.3xlarge" } }), "cache.nodeType", "ElastiCache node type"],
    ["more GPUs than the instance has", withOverrides({ llm: { gpusPerNode: 4 } }), "llm.gpusPerNode", "g5.xlarge has 1 GPU"],
    ["no such GPU size", withOverrides({ llm: { instanceType: "g5.large" } }), "llm.instanceType", "GPU instance type"],
    [
        "failover without replicas",
        withOverrides({ cache: { automaticFailover: true, replicas: 0 } }),
        "cache.replicas",
        "at least 1 when cache.automaticFailover",
    ],
    ["invalid CIDR", withOverrides({ network: { cidr: "10.0.0.0/33" } }), "network.cidr", "IPv4 CIDR"],
    ["CIDR not a network address", withOverrides({ network: { cidr: "10.0.0.1/16" } }), "network.cidr", "IPv4 CIDR"],
    ["VPC too small", withOverrides({ network: { cidr: "10.0.0.0/24" } }), "network.cidr", "/16 to /20"],
    ["one AZ", withOverrides({ network: { azCount: 1 } }), "network.azCount", "from 2 to 3"],
    ["unknown NAT strategy", withOverrides({ network: { natStrategy: "dual" as never } }), "network.natStrategy", '"single", "perAz", "none"'],
    ["bad ingress CIDR", withOverrides({ network: { allowedIngressCidrs: ["everywhere"] } }), "network.allowedIngressCidrs[0]", "IPv4 CIDR"],
    [
        "glacier before IA",
        withOverrides({ storage: { transitionToIaDays: 90, transitionToGlacierDays: 60 } }),
        "storage.transitionToGlacierDays",
        "greater than storage.transitionToIaDays",
    ],
    ["log retention 0", withOverrides({ observability: { logRetentionDays: 0 } }), "observability.logRetentionDays", "one of 1, 3, 5, 7, 14, 30"],
    ["log retention not a CloudWatch value", withOverrides({ observability: { logRetentionDays: 2 } }), "observability.logRetentionDays", "3288, 3653"],
    ["bad alarm e-mail", withOverrides({ observability: { alarmEmails: ["oncall"] } }), "observability.alarmEmails[0]", "e-mail"],
    ["unknown classification", withOverrides({ tags: { dataClassification: "secret" as never } }), "tags.dataClassification", '"restricted"'],
    ["empty owner", withOverrides({ tags: { owner: " " } }), "tags.owner", "non-empty"],
    ["no certificate nor zone", withOverrides({ aws: { hostedZoneId: undefined } }), "aws.certificateArn / aws.hostedZoneId", "HTTPS needs a certificate"],
    ["bad certificate ARN", withOverrides({ aws: { certificateArn: "arn:aws:iam::123:cert" } }), "aws.certificateArn", "ACM certificate ARN"],
    [
        "backup region = region",
        withOverrides({ database: { crossRegionBackup: true }, aws: { backupRegion: "eu-west-1" } }),
        "aws.backupRegion",
        "a region other than aws.region",
    ],
    ["bad region", withOverrides({ aws: { region: "europe" } }), "aws.region", "AWS region"],
    [
        "existing VPC with one subnet",
        withOverrides({
            aws: {
                existingVpc: {
                    vpcId: "vpc-0123456789abcdef0",
                    cidr: "10.0.0.0/16",
                    publicSubnetIds: ["subnet-01234567"],
                    privateSubnetIds: ["subnet-01234567", "subnet-89abcdef"],
                    isolatedSubnetIds: ["subnet-01234567", "subnet-89abcdef"],
                },
            },
        }),
        "aws.existingVpc.publicSubnetIds",
        "at least two subnet ids",
    ],
    [
        "k8s unknown edge mode",
        { ...withOverrides({ kubernetes: { edgeMode: "nodeport" as never } }), target: "kubernetes" },
        "kubernetes.edgeMode",
        '"gateway", "ingress"',
    ],
    [
        "k8s external storage without endpoint",
        {
            ...withOverrides({
                kubernetes: { objectStorageMode: "external", objectStorageEndpoint: "", objectStorageSecretName: "s3", objectStorageBackupsSecretName: "b" },
            }),
            target: "kubernetes",
        },
        "kubernetes.objectStorageEndpoint",
        "https:// URL",
    ],
    [
        "k8s one object-storage identity for the API and the backups",
        {
            ...withOverrides({
                kubernetes: {
                    objectStorageMode: "external",
                    objectStorageEndpoint: "https://s3.site",
                    objectStorageSecretName: "s3",
                    objectStorageBackupsSecretName: "s3",
                },
            }),
            target: "kubernetes",
        },
        "kubernetes.objectStorageBackupsSecretName",
        "one identity per consumer",
    ],
    [
        "k8s off-site backups without an off-site store",
        { ...withOverrides({ database: { crossRegionBackup: true }, kubernetes: { logicalBackup: true } }), target: "kubernetes" },
        "kubernetes.offsiteObjectStorageEndpoint",
        "database.crossRegionBackup to false, the named opt-out",
    ],
    [
        "k8s off-site store = the store",
        {
            ...withOverrides({
                database: { crossRegionBackup: true },
                kubernetes: {
                    logicalBackup: true,
                    objectStorageMode: "external",
                    objectStorageEndpoint: "https://s3.site",
                    objectStorageSecretName: "s3",
                    objectStorageBackupsSecretName: "b",
                    offsiteObjectStorageEndpoint: "https://s3.site/",
                    offsiteObjectStorageSecretName: "dr",
                },
            }),
            target: "kubernetes",
        },
        "kubernetes.offsiteObjectStorageEndpoint",
        "other than kubernetes.objectStorageEndpoint",
    ],
    [
        "k8s off-site backups without the logical dump",
        {
            ...withOverrides({
                database: { crossRegionBackup: true },
                kubernetes: { logicalBackup: false, offsiteObjectStorageEndpoint: "https://s3.dr", offsiteObjectStorageSecretName: "dr" },
            }),
            target: "kubernetes",
        },
        "kubernetes.logicalBackup",
        "the off-site copy is the logical dump",
    ],
    [
        "k8s edge controller in kube-system without its pod labels",
        { ...withOverrides({ kubernetes: { edgeControllerNamespace: "kube-system", edgeControllerPodSelector: {} } }), target: "kubernetes" },
        "kubernetes.edgeControllerPodSelector",
        "every system pod there would reach the API",
    ],
    [
        "k8s valkey latest",
        { ...withOverrides({ kubernetes: { valkeyImage: "valkey/valkey:latest" } }), target: "kubernetes" },
        "kubernetes.valkeyImage",
        "other than `latest`",
    ],
    [
        "k8s bad namespace prefix",
        { ...withOverrides({ kubernetes: { namespacePrefix: "RAG" } }), target: "kubernetes" },
        "kubernetes.namespacePrefix",
        "DNS label",
    ],
];

describe("validation: bad input is rejected before any resource is registered", () => {
    it(`covers at least 25 bad inputs (has ${BAD.length})`, () => assert.ok(BAD.length >= 25));

    for (const [what, input, field, allowed] of BAD) {
        it(`${what} -> names ${field}`, async () => {
            const log = installMocks();
            let error: unknown;
            try {
                new RagStack("rag", { ...input, kubernetesProvider: input.target === "kubernetes" ? new k8s.Provider("p", {}) : undefined });
            } catch (e) {
                error = e;
            }
            await settle();
            assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
            const issue = error.issues.find((i) => i.field === field);
            assert.ok(issue, `no issue names "${field}"; issues: ${error.message}`);
            assert.ok(issue.allowed.includes(allowed), `"${field}" allowed text "${issue.allowed}" lacks "${allowed}"`);
            assert.ok(error.message.includes(field) && error.message.includes("got"), "message names the field and the value");
            const registered = log.all.filter((r) => r.type !== "pulumi:providers:kubernetes");
            assert.deepStrictEqual(
                registered.map((r) => r.type),
                [],
                "no resource may be registered",
            );
        });
    }

    it("the happy-path input is valid", async () => {
        installMocks();
        assert.doesNotThrow(() => new RagStack("rag", base));
        await settle();
    });
});

describe("validation: component arguments", () => {
    const cases: [string, () => unknown, string][] = [
        [
            "Network existingVpc and cidr",
            () =>
                new aws.Network("n", {
                    environment: "staging",
                    cidr: "10.0.0.0/16",
                    existingVpc: { vpcId: "vpc-1", cidr: "10.0.0.0/16", publicSubnetIds: [], privateSubnetIds: [], isolatedSubnetIds: [] },
                }),
            "existingVpc / cidr",
        ],
        [
            "Keys existing and create args",
            () => new aws.Keys("k", { environment: "staging", existingKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/x", rotationPeriodDays: 180 }),
            "existingKeyArn / rotationPeriodDays",
        ],
        [
            "Observability topic and e-mails",
            () =>
                new aws.Observability("o", {
                    environment: "staging",
                    logsKeyArn: "k",
                    alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:t",
                    alarmEmails: ["a@b.c"],
                    loadBalancerArnSuffix: "",
                    targetGroupArnSuffix: "",
                    clusterName: "",
                    apiServiceName: "",
                    dbInstanceIdentifier: "",
                    dbInstanceClass: "db.r6g.large",
                    dbStorageGiB: 50,
                    cacheReplicationGroupId: "",
                }),
            "alarmTopicArn / alarmEmails",
        ],
        [
            "Edge without certificate",
            () => new aws.Edge("e", { environment: "staging", vpcId: "v", publicSubnetIds: [], domain: "a.example.gov" }),
            "certificateArn / hostedZoneId",
        ],
        [
            "Edge weak TLS policy",
            () =>
                new aws.Edge("e", {
                    environment: "staging",
                    vpcId: "v",
                    publicSubnetIds: [],
                    domain: "a.example.gov",
                    certificateArn: "arn",
                    sslPolicy: "ELBSecurityPolicy-2016-08" as never,
                }),
            "sslPolicy",
        ],
        ["SecureBucket without KMS", () => new aws.SecureBucket("b", { environment: "staging", purpose: "documents" }), "kmsKeyArn"],
        [
            "Database without allowed groups",
            () => new aws.Database("d", { environment: "staging", vpcId: "v", subnetIds: [], allowedSecurityGroupIds: [], kmsKeyArn: "k", logsKeyArn: "k" }),
            "allowedSecurityGroupIds",
        ],
        [
            "Backup without a daily tier",
            () =>
                new aws.Backup("b", {
                    environment: "production",
                    resourceArns: ["arn:aws:rds:eu-west-1:1:db:x"],
                    kmsKeyArn: "k",
                    tiers: { daily: 0, weekly: 4, monthly: 12 },
                }),
            "tiers.daily",
        ],
        [
            "Backup with an unknown lock mode",
            () =>
                new aws.Backup("b", {
                    environment: "production",
                    resourceArns: ["arn:aws:rds:eu-west-1:1:db:x"],
                    kmsKeyArn: "k",
                    vaultLock: "legal-hold" as never,
                }),
            "vaultLock",
        ],
        [
            "Cache failover without replicas",
            () =>
                new aws.Cache("c", {
                    environment: "staging",
                    vpcId: "v",
                    subnetIds: [],
                    allowedSecurityGroupIds: ["sg"],
                    kmsKeyArn: "k",
                    logsKeyArn: "k",
                    automaticFailover: true,
                    replicas: 0,
                }),
            "replicas",
        ],
        [
            "k8s ObjectStorage external and image",
            () =>
                new kube.ObjectStorage("s", {
                    provider: new k8s.Provider("p", {}),
                    environment: "staging",
                    mode: "external",
                    documentsNamespace: "a",
                    dataNamespace: "d",
                    endpoint: "https://s3",
                    existingSecretName: "x",
                    existingBackupsSecretName: "y",
                    image: "a/b:1",
                }),
            "existingSecretName / image",
        ],
        [
            "k8s ObjectStorage external: one identity for documents and backups",
            () =>
                new kube.ObjectStorage("s", {
                    provider: new k8s.Provider("p", {}),
                    environment: "staging",
                    mode: "external",
                    documentsNamespace: "a",
                    dataNamespace: "d",
                    endpoint: "https://s3",
                    existingSecretName: "x",
                    existingBackupsSecretName: "x",
                }),
            "existingBackupsSecretName",
        ],
        [
            "k8s Database more synchronous standbys than replicas",
            () =>
                new kube.Database("d", {
                    provider: new k8s.Provider("p", {}),
                    environment: "production",
                    namespace: "n",
                    image: "ghcr.io/cloudnative-pg/postgresql:16.4",
                    instances: 2,
                    synchronousReplicas: 2,
                    appSecretName: "app",
                    ownerSecretName: "owner",
                    backup: { destinationPath: "s3://backups/cnpg", endpointUrl: "https://s3", credentialsSecretName: "s", retentionDays: 7 },
                }),
            "synchronousReplicas",
        ],
        [
            "k8s Api latest image",
            () => new kube.Api("a", { provider: new k8s.Provider("p", {}), environment: "staging", namespace: "n", image: "api:latest" }),
            "image",
        ],
        ...(
            [
                [{ name: "tmp", secretName: "s", keys: ["ca.crt"], mountPath: "/etc/x" }, "secretFiles[0].name"],
                [{ name: "ca", secretName: "s", keys: ["ca.crt"], mountPath: "/tmp/ca" }, "secretFiles[0].mountPath"],
                [{ name: "ca", secretName: "s", keys: ["ca.crt"], mountPath: "etc/ca" }, "secretFiles[0].mountPath"],
                [{ name: "ca", secretName: "s", keys: [], mountPath: "/etc/ca" }, "secretFiles[0].keys"],
            ] as const
        ).map(
            ([file, field]) =>
                [
                    `k8s Api secretFiles ${field} (${JSON.stringify(file)})`,
                    () =>
                        new kube.Api("a", {
                            provider: new k8s.Provider("p", {}),
                            environment: "staging",
                            namespace: "n",
                            image: "api:1.0",
                            secretFiles: [{ ...file, keys: [...file.keys] }],
                        }),
                    field,
                ] as [string, () => unknown, string],
        ),
    ];
    for (const [what, make, field] of cases) {
        it(`${what} -> names ${field}`, async () => {
            const log = installMocks();
            assert.throws(make, (e: unknown) => e instanceof ValidationError && e.issues.some((i) => i.field === field));
            await settle();
            assert.strictEqual(log.all.filter((r) => !r.type.startsWith("pulumi:providers")).length, 0);
        });
    }
});

describe("validation: helpers", () => {
    it("isCidr accepts network addresses only", () => {
        assert.ok(isCidr("10.0.0.0/16"));
        assert.ok(isCidr("0.0.0.0/0"));
        assert.ok(!isCidr("10.0.0.1/16"));
        assert.ok(!isCidr("256.0.0.0/8"));
        assert.ok(!isCidr("10.0.0.0"));
    });
    it("isPinnedImage rejects latest and untagged, accepts tags, ports and digests", () => {
        assert.ok(isPinnedImage("ollama/ollama:0.12.6"));
        assert.ok(isPinnedImage("registry.local:5000/rag/api:1.2.3"));
        assert.ok(isPinnedImage(`api@sha256:${"a".repeat(64)}`));
        assert.ok(!isPinnedImage("registry.local:5000/rag/api"));
        assert.ok(!isPinnedImage("api:latest"));
    });
    it("stack config type errors name every bad key at once", () => {
        const raw: Record<string, string> = {
            target: "aws",
            environment: "staging",
            domain: "a.example.gov",
            apiImage: "a/b:1",
            apiMinReplicas: "two",
            dbMultiAz: "yes",
            llmModels: "llama3",
        };
        assert.throws(
            () => parseConfig((k) => raw[k]),
            (e: unknown) =>
                e instanceof ValidationError &&
                ["rag-platform:apiMinReplicas", "rag-platform:dbMultiAz", "rag-platform:llmModels"].every((f) => e.issues.some((i) => i.field === f)),
        );
    });
    it("stack config requires target, environment, domain and apiImage", () => {
        assert.throws(
            () => parseConfig(() => undefined),
            (e: unknown) => e instanceof ValidationError && e.issues.length === 4,
        );
    });
});
