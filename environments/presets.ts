import { COST_ASSUMPTIONS } from "../components/core/cost";
import { DEFAULT_CONTENT_SECURITY_POLICY } from "../components/core/facts";
import { EnvironmentName, StackSettings } from "../components/core/types";

/** What a preset fixes: everything but the identity of the stack (target, domain, API image). */
export type EnvironmentPreset = Omit<StackSettings, "target" | "domain" | "name" | "environment">;

/** Pinned default images. Override them (or set `kubernetes.imageRegistry`) for air-gapped clusters. */
export const DEFAULT_IMAGES = {
    ollama: "ollama/ollama:0.12.6",
    valkey: "valkey/valkey:8.1.4",
    postgres: "ghcr.io/cloudnative-pg/postgresql:16.10-standard-bookworm",
    awsCli: "amazon/aws-cli:2.31.18",
    seaweedfs: "chrislusf/seaweedfs:3.97",
} as const;

function common(): EnvironmentPreset {
    return {
        protectData: false,
        tags: { owner: "platform-team", costCenter: "rag", dataClassification: "internal", extra: {} },
        api: {
            image: "",
            port: 8000,
            healthPath: "/health",
            cpu: 1,
            memoryMiB: 2048,
            minReplicas: 1,
            maxReplicas: 3,
            cpuTargetPercent: 70,
            memoryTargetPercent: 80,
            requestsPerTarget: 1000,
            imageManagedByCi: false,
            env: {},
            secrets: {},
        },
        llm: {
            enabled: true,
            image: DEFAULT_IMAGES.ollama,
            models: ["llama3.1:8b", "nomic-embed-text:v1.5"],
            desiredNodes: 1,
            minNodes: 0,
            maxNodes: 1,
            instanceType: "g5.xlarge",
            gpusPerNode: 1,
            spot: false,
            modelVolumeGiB: 100,
            keepAlive: "24h",
        },
        database: {
            engineVersion: "16",
            instanceClass: "db.r6g.large",
            cpu: 1,
            memoryMiB: 4096,
            storageGiB: 50,
            maxStorageGiB: 200,
            backupRetentionDays: 7,
            multiAz: false,
            readReplicas: 0,
            deletionProtection: false,
            crossRegionBackup: false,
            connectionPooler: false,
            restoreFrom: "none",
        },
        cache: {
            nodeType: "cache.t4g.medium",
            replicas: 0,
            automaticFailover: false,
            snapshotRetentionDays: 1,
            memoryMiB: 1024,
        },
        storage: { transitionToIaDays: 90, transitionToGlacierDays: 365, noncurrentVersionExpirationDays: 30, objectLock: "none" },
        network: { cidr: "10.20.0.0/16", azCount: 2, natStrategy: "single", allowedIngressCidrs: ["0.0.0.0/0"] },
        edge: {
            rateLimitPer5Min: 2000,
            hsts: true,
            contentSecurityPolicy: DEFAULT_CONTENT_SECURITY_POLICY,
            referrerPolicy: "no-referrer",
            idleTimeoutSeconds: 120,
            allowedCountries: [],
            loginPaths: [],
            loginRateLimitPer5Min: 100,
        },
        observability: { logRetentionDays: 90, alarmEmails: [] },
        secrets: { rotatedOn: "", maxAgeDays: 180 },
        recovery: { rpoMinutes: 1440, rtoMinutes: 1440, siteLossRpoMinutes: 0, siteLossRtoMinutes: 0 },
        costAssumptions: COST_ASSUMPTIONS.staging,
        aws: { region: "eu-west-1", backupRegion: "eu-central-1", internetEgress: true },
        kubernetes: {
            namespacePrefix: "rag",
            storageClass: "",
            edgeMode: "gateway",
            gatewayClassName: "cilium",
            ingressClassName: "nginx",
            clusterIssuer: "internal-ca",
            internalIssuer: "internal-ca",
            imageRegistry: "",
            modelRegistry: "",
            objectStorageCidrs: [],
            offsiteObjectStorageCidrs: [],
            apiServerCidrs: ["0.0.0.0/0"],
            apiEgressCidrs: [],
            modelSourceCidrs: ["0.0.0.0/0"],
            allowInternetEgress: false,
            valkeyImage: DEFAULT_IMAGES.valkey,
            cacheTls: true,
            postgresImage: DEFAULT_IMAGES.postgres,
            backupImage: DEFAULT_IMAGES.awsCli,
            objectStorageMode: "in-cluster",
            objectStorageEndpoint: "",
            objectStorageSecretName: "",
            objectStorageBackupsSecretName: "",
            objectStorageImage: DEFAULT_IMAGES.seaweedfs,
            offsiteObjectStorageEndpoint: "",
            offsiteObjectStorageSecretName: "",
            offsiteBucket: "rag-offsite-backups",
            logicalBackupMonthlyRetention: 12,
            gpuNodeSelector: { "nvidia.com/gpu.present": "true" },
            llmSharedStorageClass: "",
            gpuTolerationKey: "nvidia.com/gpu",
            gpuRuntimeClassName: "",
            monitoring: true,
            logicalBackup: false,
            cnpgOperatorNamespace: "cnpg-system",
            secrets: "native",
            externalSecretStore: "",
            externalSecretPath: "",
            allowPlaintextRenderedSecrets: false,
            edgeControllerNamespace: "gateway-system",
            edgeControllerPodSelector: {},
            monitoringNamespace: "monitoring",
            alertWebhookSecretName: "",
            nodePools: [
                { name: "cpu", count: 3, cpu: 4, memoryGiB: 16, zones: ["zone-a", "zone-b"] },
                {
                    name: "gpu",
                    count: 1,
                    cpu: 8,
                    memoryGiB: 32,
                    gpus: 1,
                    zones: ["zone-a"],
                    labels: { "nvidia.com/gpu.present": "true" },
                    taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }],
                },
            ],
        },
    };
}

/**
 * Staging: min 1 / max 3 API tasks, one NAT gateway, single-AZ data stores, 7-day backups,
 * no deletion protection, GPU able to scale to zero.
 */
export function stagingPreset(): EnvironmentPreset {
    return common();
}

/**
 * Production: min 2 / max 10 API tasks, a NAT gateway per AZ, Multi-AZ database with a read
 * replica, Redis with automatic failover, 30-day backups copied to a second region, deletion
 * protection, 2 GPU nodes, 3 AZs.
 */
export function productionPreset(): EnvironmentPreset {
    const p = common();
    return {
        ...p,
        protectData: true,
        tags: { ...p.tags, dataClassification: "confidential" },
        api: { ...p.api, cpu: 2, memoryMiB: 4096, minReplicas: 2, maxReplicas: 10 },
        llm: { ...p.llm, desiredNodes: 2, minNodes: 2, maxNodes: 3, modelVolumeGiB: 200 },
        database: {
            ...p.database,
            instanceClass: "db.r6g.xlarge",
            cpu: 2,
            memoryMiB: 8192,
            storageGiB: 200,
            maxStorageGiB: 1000,
            backupRetentionDays: 30,
            multiAz: true,
            readReplicas: 1,
            deletionProtection: true,
            crossRegionBackup: true,
            connectionPooler: true,
        },
        cache: {
            nodeType: "cache.r7g.large",
            replicas: 1,
            automaticFailover: true,
            snapshotRetentionDays: 7,
            memoryMiB: 4096,
        },
        storage: { ...p.storage, noncurrentVersionExpirationDays: 365, objectLock: { mode: "GOVERNANCE", days: 30 } },
        network: { ...p.network, cidr: "10.30.0.0/16", azCount: 3, natStrategy: "perAz" },
        edge: { ...p.edge, rateLimitPer5Min: 5000 },
        observability: { ...p.observability, logRetentionDays: 365 },
        secrets: { ...p.secrets, maxAgeDays: 90 },
        // Inside the site: no more than 5 minutes of data, back within the hour; after losing the
        // region or site: no more than a day of data, back within a working day.
        recovery: { rpoMinutes: 5, rtoMinutes: 60, siteLossRpoMinutes: 1440, siteLossRtoMinutes: 480 },
        costAssumptions: COST_ASSUMPTIONS.production,
        // No internet from the tasks and GPU hosts: images from ECR, models from the models bucket.
        aws: { ...p.aws, internetEgress: false },
        kubernetes: {
            ...p.kubernetes,
            logicalBackup: true,
            nodePools: [
                { name: "cpu", count: 6, cpu: 8, memoryGiB: 32, zones: ["zone-a", "zone-b", "zone-c"] },
                {
                    name: "gpu",
                    count: 3,
                    cpu: 8,
                    memoryGiB: 32,
                    gpus: 1,
                    zones: ["zone-a", "zone-b", "zone-c"],
                    labels: { "nvidia.com/gpu.present": "true" },
                    taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }],
                },
            ],
        },
    };
}

/** The preset of an environment. */
export function presetFor(environment: EnvironmentName): EnvironmentPreset {
    return environment === "production" ? productionPreset() : stagingPreset();
}
