import * as assert from "assert";
import * as fs from "fs";
import { CONFIG_KEYS, settingsTable } from "../environments/config";
import { resolveConfigValues } from "./harness/config";
import { developmentPreset, productionPreset, stagingPreset } from "../environments/presets";
import { ValidationError } from "../components/core/validation";
import { SETTINGS_DOC, settingsMarkdown } from "../tools/gen-docs";

const REQUIRED: Record<string, string> = {
    target: "kubernetes",
    environment: "production",
    domain: "rag.example.gov",
    apiImage: "ghcr.io/example-gov/rag-api:1.4.2",
    // Production on Kubernetes copies its dumps off site: that store is required.
    k8sOffsiteObjectStorageEndpoint: "https://s3.dr-site.example.gov",
    k8sOffsiteObjectStorageSecretName: "rag-offsite-storage",
    // Production egress is an allow-list: each destination by its addresses.
    k8sOffsiteObjectStorageCidrs: '["10.80.20.0/24"]',
    k8sApiServerCidrs: '["10.40.0.0/28"]',
    k8sModelSourceCidrs: '["10.40.30.0/24"]',
};

/** The same on AWS: production without internet egress pulls its images from ECR. */
const AWS_REQUIRED: Record<string, string> = {
    target: "aws",
    environment: "production",
    domain: "rag.example.gov",
    apiImage: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/rag-api:1.4.2",
    llmImage: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ollama:0.12.6",
    hostedZoneId: "Z0123456789ABC",
};

/**
 * The program's settings for these config values (as `pulumi preview` and the plan resolve them),
 * on Kubernetes unless a key is used by AWS only (a key the target does not use is refused).
 */
function settingsWith(values: Record<string, string>) {
    const awsOnly = Object.keys(values).some((k) => !CONFIG_KEYS.find((c) => c.key === k)?.targets.includes("kubernetes"));
    return resolveConfigValues({ ...(awsOnly ? AWS_REQUIRED : REQUIRED), ...values }).settings;
}

const at = (o: unknown, path: string) => path.split(".").reduce<unknown>((x, p) => (x as Record<string, unknown>)[p], o);

describe("settings: every preset value has a config key", () => {
    const rows = settingsTable({ development: developmentPreset(), staging: stagingPreset(), production: productionPreset() });

    it("each preset value is overridden by a stack config key (or, for the region, the provider's)", () => {
        const without = rows.filter((r) => !r.key).map((r) => r.path);
        assert.deepStrictEqual(without, [], `preset values no config key sets: ${without.join(", ")}`);
        assert.ok(rows.length >= 80, `${rows.length} rows`);
    });

    it("docs/settings.md is current (npm run docs)", () => {
        assert.strictEqual(fs.readFileSync(SETTINGS_DOC, "utf8"), settingsMarkdown());
    });

    it("docs/settings.md lists every config key, required ones and the target included", () => {
        const doc = fs.readFileSync(SETTINGS_DOC, "utf8");
        assert.deepStrictEqual(
            CONFIG_KEYS.map((k) => k.key).filter((k) => !doc.includes(`\`rag-platform:${k}\``)),
            [],
        );
    });

    // One value per key, different from both presets: the key reaches its setting.
    const cases: [key: string, text: string, expected: unknown][] = [
        ["apiPort", "8080", 8080],
        ["apiHealthPath", "/healthz", "/healthz"],
        ["apiMemoryTargetPercent", "70", 70],
        ["apiRequestsPerTarget", "500", 500],
        ["llmGpusPerNode", "2", 2],
        ["llmKeepAlive", "1h", "1h"],
        ["dbEngineVersion", "17", "17"],
        ["dbCpu", "3", 3],
        ["dbMemoryMiB", "12288", 12288],
        ["cacheMemoryMiB", "2048", 2048],
        ["storageTransitionToIaDays", "60", 60],
        ["storageTransitionToGlacierDays", "400", 400],
        ["storageNoncurrentVersionExpirationDays", "90", 90],
        ["storageObjectLock", "COMPLIANCE:365", { mode: "COMPLIANCE", days: 365 }],
        ["edgeHsts", "false", false],
        ["k8sPostgresImage", "ghcr.io/cloudnative-pg/postgresql:16.4", "ghcr.io/cloudnative-pg/postgresql:16.4"],
        ["k8sValkeyImage", "valkey/valkey:8.1.1", "valkey/valkey:8.1.1"],
        ["k8sBackupImage", "postgres:17.2-alpine", "postgres:17.2-alpine"],
        ["k8sGpuTolerationKey", "gpu", "gpu"],
        ["k8sCnpgOperatorNamespace", "postgres-operator", "postgres-operator"],
        ["k8sMonitoringNamespace", "observability", "observability"],
    ];
    for (const [key, text, expected] of cases) {
        it(`${key}=${text} sets ${CONFIG_KEYS.find((k) => k.key === key)?.path}`, () => {
            const path = CONFIG_KEYS.find((k) => k.key === key)!.path;
            assert.notDeepStrictEqual(at(productionPreset(), path), expected, "the case must differ from the preset");
            assert.deepStrictEqual(at(settingsWith({ [key]: text }), path), expected);
        });
    }

    it("objects are merged over the preset's: apiEnv, tagsExtra, k8sGpuNodeSelector", () => {
        const s = settingsWith({
            apiEnv: JSON.stringify({ LOG_LEVEL: "debug" }),
            k8sGpuNodeSelector: JSON.stringify({ "example.gov/gpu": "a100" }),
        });
        assert.strictEqual(s.api.env.LOG_LEVEL, "debug");
        for (const [k, v] of Object.entries(productionPreset().api.env)) assert.strictEqual(s.api.env[k], v, `preset env ${k} kept`);
        assert.deepStrictEqual(settingsWith({ tagsExtra: JSON.stringify({ Project: "rag" }) }).tags.extra, {
            ...productionPreset().tags.extra,
            Project: "rag",
        });
        assert.strictEqual(s.kubernetes.gpuNodeSelector["example.gov/gpu"], "a100");
    });

    const bad: [key: string, text: string, field: RegExp][] = [
        ["storageObjectLock", "forever", /rag-platform:storageObjectLock/],
        ["storageObjectLock", "LEGAL:30", /rag-platform:storageObjectLock/],
        ["tagsExtra", JSON.stringify({ Project: 7 }), /rag-platform:tagsExtra \(tags\.extra\.Project\)/],
        ["k8sGpuNodeSelector", JSON.stringify({ "bad key!": "x" }), /rag-platform:k8sGpuNodeSelector/],
        ["k8sMonitoringNamespace", "Monitoring_NS", /rag-platform:k8sMonitoringNamespace/],
        ["apiPort", "eighty", /rag-platform:apiPort/],
    ];
    for (const [key, text, field] of bad) {
        it(`${key}=${text} fails naming the key`, () => {
            assert.throws(
                () => settingsWith({ [key]: text }),
                (e: unknown) => e instanceof ValidationError && field.test(e.message),
            );
        });
    }
});
