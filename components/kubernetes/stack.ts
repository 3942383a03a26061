import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { typeToken } from "../core/naming";
import { k8sLabels } from "../core/tags";
import { RagStackComponent } from "../core/outputs";
import { StackSettings } from "../core/types";
import { validateStackSettings, ValidationError } from "../core/validation";
import { Api } from "./api";
import { LogicalBackup } from "./backup";
import { Baseline } from "./baseline";
import { Cache } from "./cache";
import { secretIn, K8sContext } from "./common";
import { Database } from "./database";
import { Edge } from "./edge";
import { Llm } from "./llm";
import { Monitoring } from "./monitoring";
import { ObjectStorage } from "./object-storage";

export interface KubernetesRagStackArgs {
    /** Fully resolved settings (see `resolveStackSettings`). */
    settings: StackSettings;
    /** Provider of the target cluster. Required. */
    provider?: k8s.Provider;
}

/** The whole RAG stack on a Kubernetes cluster, composed from this folder's components. */
export class KubernetesRagStack extends RagStackComponent {
    /** Names of the three zone namespaces. */
    readonly namespaces: { edge: pulumi.Output<string>; app: pulumi.Output<string>; data: pulumi.Output<string> };

    constructor(name: string, args: KubernetesRagStackArgs, opts?: pulumi.ComponentResourceOptions) {
        const s = args.settings;
        validateStackSettings({ ...s, target: "kubernetes" }, `KubernetesRagStack ${name}`);
        if (!args.provider) {
            throw new ValidationError(`KubernetesRagStack ${name}`, [
                { field: "provider", value: undefined, allowed: "an explicit k8s.Provider for the target cluster" },
            ]);
        }
        super(typeToken("kubernetes", "RagStack"), name, {}, opts);
        const k = s.kubernetes;
        const provider = args.provider;
        const common = {
            provider,
            environment: s.environment,
            labels: k8sLabels(s, "rag"),
            imageRegistry: k.imageRegistry,
            protectData: s.protectData,
        };
        delete (common.labels as Record<string, string>)["app.kubernetes.io/name"];
        const child = { parent: this };
        const external = k.objectStorageMode === "external";

        const baseline = new Baseline(
            `${name}-baseline`,
            {
                ...common,
                namespacePrefix: k.namespacePrefix,
                edgeControllerNamespace: k.edgeControllerNamespace,
                cnpgOperatorNamespace: k.cnpgOperatorNamespace,
                monitoringNamespace: k.monitoringNamespace,
                externalObjectStorage: external,
                logicalBackup: k.logicalBackup,
                appQuota: {
                    cpu: String(Math.max(32, s.api.maxReplicas * s.api.cpu * 2)),
                    memory: "256Gi",
                    gpus: Math.max(1, s.llm.maxNodes * s.llm.gpusPerNode),
                },
            },
            child,
        );
        const appNs = baseline.appNamespace;
        const dataNs = baseline.dataNamespace;
        const ctx = new K8sContext(name, common, this);

        // Generated credentials, each a Secret in the namespaces whose pods use it.
        const dbPassword = new random.RandomPassword(`${name}-db-password`, { length: 40, special: false }, child);
        const cachePassword = new random.RandomPassword(`${name}-cache-password`, { length: 48, special: false }, child);
        const dbSecretName = "postgres-app";
        const cacheSecretName = "valkey-auth";
        for (const [zone, ns] of [
            ["data", dataNs],
            ["app", appNs],
        ] as const) {
            secretIn(ctx, `db-credentials-${zone}`, dbSecretName, ns, { username: "rag_app", password: dbPassword.result }, "postgres");
            secretIn(ctx, `cache-credentials-${zone}`, cacheSecretName, ns, { password: cachePassword.result }, "valkey");
        }

        const storage = new ObjectStorage(
            `${name}-object-storage`,
            {
                ...common,
                mode: k.objectStorageMode,
                consumerNamespaces: [appNs, dataNs],
                dataNamespace: dataNs,
                ...(external
                    ? { endpoint: k.objectStorageEndpoint, existingSecretName: k.objectStorageSecretName }
                    : {
                          image: k.objectStorageImage,
                          setupImage: k.backupImage,
                          storageGiB: Math.max(100, s.database.storageGiB * 2),
                          storageClass: k.storageClass || undefined,
                      }),
            },
            child,
        );
        const db = new Database(
            `${name}-postgres`,
            {
                ...common,
                namespace: dataNs,
                image: k.postgresImage,
                // primary + a synchronous-capable standby when multiAz + the read replicas (all serve -ro)
                instances: 1 + (s.database.multiAz ? 1 : 0) + s.database.readReplicas,
                storageGiB: s.database.storageGiB,
                storageClass: k.storageClass || undefined,
                cpu: s.database.cpu,
                memoryMiB: s.database.memoryMiB,
                appSecretName: dbSecretName,
                backup: {
                    destinationPath: "s3://backups/cnpg",
                    endpointUrl: storage.endpoint,
                    credentialsSecretName: storage.credentialsSecretName,
                    retentionDays: s.database.backupRetentionDays,
                },
                monitoring: k.monitoring,
            },
            child,
        );
        const cache = new Cache(
            `${name}-valkey`,
            {
                ...common,
                namespace: dataNs,
                image: k.valkeyImage,
                passwordSecretName: cacheSecretName,
                replicas: s.cache.replicas,
                memoryMiB: s.cache.memoryMiB,
                storageClass: k.storageClass || undefined,
            },
            child,
        );
        let llm: Llm | undefined;
        if (s.llm.enabled) {
            llm = new Llm(
                `${name}-ollama`,
                {
                    ...common,
                    namespace: appNs,
                    image: s.llm.image,
                    models: s.llm.models,
                    replicas: s.llm.desiredNodes,
                    gpus: s.llm.gpusPerNode,
                    volumeGiB: s.llm.modelVolumeGiB,
                    storageClass: k.storageClass || undefined,
                    nodeSelector: k.gpuNodeSelector,
                    tolerationKey: k.gpuTolerationKey,
                    runtimeClassName: k.gpuRuntimeClassName || undefined,
                    keepAlive: s.llm.keepAlive,
                },
                child,
            );
        }
        const api = new Api(
            `${name}-api`,
            {
                ...common,
                namespace: appNs,
                image: s.api.image,
                port: s.api.port,
                healthPath: s.api.healthPath,
                cpu: s.api.cpu,
                memoryMiB: s.api.memoryMiB,
                minReplicas: s.api.minReplicas,
                maxReplicas: s.api.maxReplicas,
                cpuTargetPercent: s.api.cpuTargetPercent,
                memoryTargetPercent: s.api.memoryTargetPercent,
                env: {
                    ...s.api.env,
                    ENVIRONMENT: s.environment,
                    DATABASE_HOST: db.writeHost,
                    DATABASE_READER_HOST: db.readHost,
                    DATABASE_PORT: "5432",
                    DATABASE_NAME: "rag",
                    DATABASE_SSLMODE: "require",
                    REDIS_HOST: cache.host,
                    REDIS_PORT: "6379",
                    OLLAMA_BASE_URL: llm ? llm.endpoint : "disabled",
                    S3_ENDPOINT: storage.endpoint,
                    DOCUMENTS_BUCKET: "documents",
                    BACKUPS_BUCKET: "backups",
                },
                secretEnv: {
                    DATABASE_USER: { secretName: dbSecretName, key: "username" },
                    DATABASE_PASSWORD: { secretName: dbSecretName, key: "password" },
                    REDIS_PASSWORD: { secretName: cacheSecretName, key: "password" },
                    AWS_ACCESS_KEY_ID: { secretName: storage.credentialsSecretName, key: "ACCESS_KEY_ID" },
                    AWS_SECRET_ACCESS_KEY: { secretName: storage.credentialsSecretName, key: "ACCESS_SECRET_KEY" },
                },
            },
            child,
        );
        const edge = new Edge(
            `${name}-edge`,
            {
                ...common,
                mode: k.edgeMode,
                domain: s.domain,
                edgeNamespace: baseline.edgeNamespace,
                appNamespace: appNs,
                apiServiceName: api.serviceName,
                apiPort: api.port,
                clusterIssuer: k.clusterIssuer,
                gatewayClassName: k.gatewayClassName,
                ingressClassName: k.ingressClassName,
                hsts: s.edge.hsts,
                rateLimitRps: Math.max(1, Math.round(s.edge.rateLimitPer5Min / 300)),
            },
            child,
        );
        if (k.monitoring) {
            new Monitoring(
                `${name}-monitoring`,
                {
                    ...common,
                    appNamespace: appNs,
                    dataNamespace: dataNs,
                    appNamespaceName: `${k.namespacePrefix}-app`,
                    dataNamespaceName: `${k.namespacePrefix}-data`,
                    team: common.labels["ragstack.io/owner"],
                    llm: s.llm.enabled,
                },
                child,
            );
        }
        if (k.logicalBackup) {
            new LogicalBackup(
                `${name}-logical-backup`,
                {
                    ...common,
                    namespace: dataNs,
                    pgDumpImage: k.postgresImage,
                    uploadImage: k.backupImage,
                    host: db.readHost,
                    credentialsSecretName: dbSecretName,
                    s3Endpoint: storage.endpoint,
                    s3SecretName: storage.credentialsSecretName,
                    retentionDays: s.database.backupRetentionDays,
                },
                child,
            );
        }

        this.setOutputs({
            url: edge.url,
            databaseEndpoint: db.writeHost,
            databaseReaderEndpoint: db.readHost,
            cacheEndpoint: cache.host,
            llmEndpoint: llm ? llm.endpoint : pulumi.output(undefined),
            documentsBucket: pulumi.output("documents"),
            backupsBucket: pulumi.output("backups"),
            secretRefs: pulumi.all({
                databaseCredentialsSecret: pulumi.interpolate`${appNs}/${dbSecretName}`,
                cacheCredentialsSecret: pulumi.interpolate`${appNs}/${cacheSecretName}`,
                objectStorageCredentialsSecret: pulumi.interpolate`${appNs}/${storage.credentialsSecretName}`,
            }),
        });
        this.namespaces = { edge: baseline.edgeNamespace, app: appNs, data: dataNs };
        this.registerOutputs({ url: this.url, databaseEndpoint: this.databaseEndpoint });
    }
}
