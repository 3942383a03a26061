/**
 * Where each setting applies is data (`targets` in its tier file); this proves the data against
 * the code. Each target's stack is built under the mocks from settings wrapped in a recording
 * proxy, and every read but the validation's (it reads everything) is noted, together with the
 * plan's analysis (cost, capacity, recovery). Then:
 * - a setting declared for a target is read by that target in at least one fixture (otherwise the
 *   target would ignore it silently);
 * - a setting declared not for a target is never read by it (otherwise refusing it there is wrong).
 */
import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import { SETTINGS, StackSettings } from "../components/settings";
import { Target } from "../components/core/types";
import { resolveStackSettings } from "../environments/resolve";
import { installMocks, settle } from "../testing/mocks";
import { capacityOf, costOf, recoveryOf } from "../testing/plan/estimate";

/** Settings whose reads are recorded in `reads` (dotted paths), except the validation's. */
function recording(s: StackSettings, reads: Set<string>): StackSettings {
    const wrap = (o: object, prefix: string): object =>
        new Proxy(o, {
            get(target, key, receiver) {
                const value = Reflect.get(target, key, receiver);
                if (typeof key !== "string") return value;
                const p = prefix ? `${prefix}.${key}` : key;
                // The validation reads every setting: that is not a use.
                if (!/validateStackSettings|unusedSettings/.test(new Error().stack ?? "")) reads.add(p);
                return value !== null && typeof value === "object" ? wrap(value, p) : value;
            },
        });
    return wrap(s, "") as StackSettings;
}

const IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/rag-api:1.4.2";
const base = { domain: "rag.example.gov", overrides: { api: { image: IMAGE } } };

/** Fixtures per target: the presets and variants that take each conditional branch. */
const FIXTURES: Record<Target, { name: string; input: Parameters<typeof resolveStackSettings>[0] }[]> = {
    aws: [
        {
            name: "staging",
            input: { ...base, target: "aws", environment: "staging", overrides: { api: { image: IMAGE }, aws: { hostedZoneId: "Z0123456789ABC" } } },
        },
        {
            name: "production, bring your own everything",
            input: {
                ...base,
                target: "aws",
                environment: "production",
                overrides: {
                    api: { image: IMAGE },
                    llm: { image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ollama:0.12.6", spot: true },
                    edge: { allowedCountries: ["DE"], loginPaths: ["/auth/login"] },
                    database: { restoreFrom: { kind: "snapshot", source: "rag-db-final" } },
                    storage: { objectLock: { mode: "COMPLIANCE", days: 30 } },
                    frontend: {
                        enabled: true,
                        source: "examples/frontend/dist",
                        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abcd-5678",
                    },
                    aws: {
                        certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234",
                        kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abcd-1234",
                        alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:alarms",
                        accountId: "123456789012",
                        availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
                        gpuAmiId: "ami-0abcdef1234567890",
                        dataTierClientSecurityGroupIds: ["sg-0123456789abcdef0"],
                        existingVpc: {
                            vpcId: "vpc-0123456789abcdef0",
                            cidr: "10.30.0.0/16",
                            publicSubnetIds: ["subnet-00000000000000001", "subnet-00000000000000002", "subnet-00000000000000003"],
                            privateSubnetIds: ["subnet-00000000000000004", "subnet-00000000000000005", "subnet-00000000000000006"],
                            isolatedSubnetIds: ["subnet-00000000000000007", "subnet-00000000000000008", "subnet-00000000000000009"],
                        },
                    },
                },
            },
        },
    ],
    kubernetes: [
        { name: "staging", input: { ...base, target: "kubernetes", environment: "staging" } },
        {
            name: "production, external store and secrets, ingress",
            input: {
                ...base,
                target: "kubernetes",
                environment: "production",
                overrides: {
                    api: { image: IMAGE },
                    database: { restoreFrom: { kind: "pointInTime", source: "postgres" } },
                    frontend: { enabled: true, image: "registry.example.gov/rag-frontend:1.0.0" },
                    kubernetes: {
                        edgeMode: "ingress",
                        objectStorageMode: "external",
                        objectStorageEndpoint: "https://s3.example.gov",
                        objectStorageSecretName: "docs-keys",
                        objectStorageBackupsSecretName: "backup-keys",
                        objectStorageDocumentsReaderSecretName: "documents-reader-keys",
                        objectStorageCidrs: ["10.80.10.0/24"],
                        offsiteObjectStorageEndpoint: "https://s3.dr.example.gov",
                        offsiteObjectStorageSecretName: "offsite-keys",
                        offsiteObjectStorageCidrs: ["10.80.20.0/24"],
                        apiServerCidrs: ["10.40.0.0/28"],
                        apiEgressCidrs: ["10.50.0.0/24"],
                        modelSourceCidrs: ["10.40.30.0/24"],
                        modelRegistry: "models.example.gov",
                        imageRegistry: "registry.example.gov",
                        secrets: "external",
                        externalSecretStore: "vault",
                        externalSecretPath: "rag/production",
                        llmSharedStorageClass: "cephfs",
                        gpuRuntimeClassName: "nvidia",
                        alertWebhookSecretName: "alert-webhook",
                    },
                },
            },
        },
    ],
};

/** Settings the stack's components never read that the plan's analysis does (recorded too) or the program itself. */
const READ_ELSEWHERE: Record<string, string> = {
    "kubernetes.allowPlaintextRenderedSecrets": "read by the program (environments/config.ts) before rendering manifests",
    "kubernetes.allowInternetEgress": "a check of the egress allow-lists (components/settings/kubernetes.ts) and no resource",
};

async function readsOf(target: Target): Promise<Set<string>> {
    const reads = new Set<string>();
    for (const f of FIXTURES[target]) {
        const settings = resolveStackSettings(f.input, f.name);
        const log = installMocks({ stack: f.name, region: settings.aws.region });
        const proxied = recording(settings, reads);
        if (target === "aws") {
            const { AwsRagStack } = await import("../components/aws/stack");
            new AwsRagStack("rag-aws", { settings: proxied });
        } else {
            const { KubernetesRagStack } = await import("../components/kubernetes/stack");
            new KubernetesRagStack("rag-k8s", { settings: proxied, provider: new k8s.Provider("cluster", { renderYamlToDirectory: undefined }) });
        }
        await settle(log);
        costOf(log.all, proxied, {});
        capacityOf(log.all, proxied);
        recoveryOf(log.all, proxied);
    }
    return reads;
}

describe("settings: each target reads exactly the settings declared for it", function () {
    this.timeout(300000);
    const limit = Error.stackTraceLimit;
    before(() => (Error.stackTraceLimit = 50));
    after(() => (Error.stackTraceLimit = limit));
    const reads: Partial<Record<Target, Set<string>>> = {};
    before(async () => {
        reads.aws = await readsOf("aws");
        reads.kubernetes = await readsOf("kubernetes");
    });
    const used = (t: Target, path: string) => [...reads[t]!].some((r) => r === path || r.startsWith(`${path}.`));

    for (const target of ["aws", "kubernetes"] as const) {
        it(`${target}: every setting declared for ${target} is read by its stack or the plan's analysis`, () => {
            const unread = SETTINGS.filter((e) => e.targets.includes(target) && !used(target, e.path) && !(e.path in READ_ELSEWHERE)).map((e) => e.path);
            assert.deepStrictEqual(unread, []);
        });
        it(`${target}: no setting declared only for the other target is read by ${target}`, () => {
            const misdeclared = SETTINGS.filter((e) => !e.targets.includes(target) && used(target, e.path)).map((e) => e.path);
            assert.deepStrictEqual(misdeclared, []);
        });
    }

    it("the recorder sees a read (it can fail)", () => {
        const r = new Set<string>();
        const s = recording(resolveStackSettings(FIXTURES.aws[0].input), r);
        void s.llm.spot;
        assert.ok(r.has("llm.spot"));
    });
});
