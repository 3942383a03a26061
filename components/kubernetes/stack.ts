import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { typeToken } from "../core/naming";
import { withRenames } from "../core/renames";
import { k8sLabels } from "../core/tags";
import { KubernetesDelivery, RagStackComponent } from "../core/outputs";
import { apiAutoscaling, postgresImageFor, StackSettings, validateStackSettings } from "../settings";
import { ValidationError } from "../core/validation";
import { Api } from "./api";
import { DocumentsOffsite, LogicalBackup } from "./backup";
import { Baseline } from "./baseline";
import { Cache, CACHE_CLIENT_TLS_SECRET } from "./cache";
import { externalSecretIn, K8sCommonArgs, K8sContext, secretIn } from "./common";
import { Database, DB_CLIENT_TLS_SECRET, DB_ROLES } from "./database";
import { Edge, EdgeArgs } from "./edge";
import { Frontend, FRONTEND_REPLICAS, FRONTEND_RESOURCES } from "./frontend";
import { Llm, LLM_DEFAULTS } from "./llm";
import { Monitoring } from "./monitoring";
import { ObjectStorage } from "./object-storage";

export interface KubernetesRagStackArgs {
    /** Fully resolved settings (see `resolveStackSettings`). */
    settings: StackSettings;
    /** Provider of the target cluster. Required. */
    provider?: k8s.Provider;
}

/**
 * The app zone's quota: what the API (at its maximum, plus one pod of rolling update) and the LLM
 * (at its maximum) are limited to, with a quarter of headroom. A fixed quota (what this stack had
 * before) could not admit production's rolling update at the maximum: the offline plan's capacity
 * stage and cluster:check both caught it.
 */
export function appQuota(s: StackSettings): { cpu: string; memory: string; gpus: number } {
    const apiPods = s.api.maxReplicas + 1;
    const llmPods = s.llm.enabled ? s.llm.maxNodes : 0;
    // The front end at its maximum plus one pod of rolling update: 250m and 128 MiB each.
    const frontendPods = s.frontend.enabled ? FRONTEND_REPLICAS[s.environment].max + 1 : 0;
    const cpu = apiPods * s.api.cpu + llmPods * LLM_DEFAULTS.cpu + frontendPods * FRONTEND_CPU;
    const memoryMiB = apiPods * s.api.memoryMiB + llmPods * LLM_DEFAULTS.memoryMiB + frontendPods * FRONTEND_MEMORY_MIB;
    return { cpu: String(Math.ceil(cpu * 1.25)), memory: `${Math.ceil((memoryMiB * 1.25) / 1024)}Gi`, gpus: Math.max(1, llmPods * s.llm.gpusPerNode) };
}

/** The front end's limits in the quota's units. */
const FRONTEND_CPU = parseInt(FRONTEND_RESOURCES.limits.cpu, 10) / 1000;
const FRONTEND_MEMORY_MIB = parseInt(FRONTEND_RESOURCES.limits.memory, 10);

/** Names of the zone namespaces. */
type Zones = { edge: pulumi.Output<string>; app: pulumi.Output<string>; data: pulumi.Output<string> };
/** Names of the generated credentials' Secrets. */
/** Secrets of the database roles (application, owner, read-only backups) and of the cache. */
/** TCP port of an https:// endpoint URL (443 unless it names one). */
function portOf(endpoint: string): number {
    return Number(new URL(endpoint).port || 443);
}

/** Where the API finds the CA that verifies PostgreSQL's server certificate. */
const DB_CA_MOUNT = "/etc/rag/postgres-tls";
/** Where the API finds the CA that verifies Valkey's server certificate. */
const CACHE_CA_MOUNT = "/etc/rag/valkey-tls";

/** The credentials' Secret names, and those the stack generated (none with an external store). */
type SecretNames = { database: string; databaseOwner: string; databaseBackup: string; cache: string; generated: string[] };

/** What every step of the constructor needs. */
interface StepInput {
    name: string;
    s: StackSettings;
    k: StackSettings["kubernetes"];
    common: K8sCommonArgs;
    child: pulumi.ComponentResourceOptions;
    ctx: K8sContext;
}

/** The whole RAG stack on a Kubernetes cluster, composed from this folder's components. */
export class KubernetesRagStack extends RagStackComponent {
    /** Names of the three zone namespaces. */
    readonly namespaces: { edge: pulumi.Output<string>; app: pulumi.Output<string>; data: pulumi.Output<string> };
    /** What tools/pre-deploy-snapshot.sh and tools/rollback.sh read (the `delivery` stack output). */
    readonly delivery: pulumi.Output<KubernetesDelivery>;

    constructor(name: string, args: KubernetesRagStackArgs, opts?: pulumi.ComponentResourceOptions) {
        const s = args.settings;
        validateStackSettings(s, `KubernetesRagStack ${name}`, "kubernetes");
        if (!args.provider) {
            throw new ValidationError(`KubernetesRagStack ${name}`, [
                { field: "provider", value: undefined, allowed: "an explicit k8s.Provider for the target cluster" },
            ]);
        }
        super(typeToken("kubernetes", "RagStack"), name, {}, withRenames(opts));
        const labels = k8sLabels(s, "rag");
        delete labels["app.kubernetes.io/name"];
        const common: K8sCommonArgs = {
            provider: args.provider,
            environment: s.environment,
            labels,
            imageRegistry: s.kubernetes.imageRegistry,
            protectData: s.protectData,
            secretsRotatedOn: s.secrets.rotatedOn,
        };
        const input: StepInput = { name, s, k: s.kubernetes, common, child: { parent: this }, ctx: new K8sContext(name, common, this) };

        const baseline = this.createBaseline(input);
        const zones = { edge: baseline.edgeNamespace, app: baseline.appNamespace, data: baseline.dataNamespace };
        const secrets = this.createCredentials(input, zones);
        const storage = this.createObjectStorage(input, zones);
        const db = this.createDatabase(input, zones, secrets, storage);
        const cache = s.cache.enabled ? this.createCache(input, zones, secrets) : undefined;
        const llm = s.llm.enabled ? this.createLlm(input, zones) : undefined;
        const api = this.createApi(input, zones, secrets, { db, cache, llm, storage });
        const frontend = s.frontend.enabled ? this.createFrontend(input, zones) : undefined;
        const edge = this.createEdge(input, zones, api, frontend);
        if (s.kubernetes.monitoring) this.createMonitoring(input, zones, llm, [...secrets.generated, ...storage.generatedSecretNames]);
        if (s.kubernetes.logicalBackup) this.createLogicalBackup(input, zones, secrets, db, storage);
        if (s.database.crossRegionBackup) this.createDocumentsOffsite(input, zones, storage);

        this.setOutputs({
            url: edge.url,
            databaseEndpoint: db.writeHost,
            databaseReaderEndpoint: db.readHost,
            cacheEndpoint: cache ? cache.host : pulumi.output(undefined),
            llmEndpoint: llm ? llm.endpoint : pulumi.output(undefined),
            documentsBucket: pulumi.output("documents"),
            backupsBucket: pulumi.output("backups"),
            secretRefs: pulumi.all({
                databaseCredentialsSecret: pulumi.interpolate`${zones.app}/${secrets.database}`,
                ...(cache ? { cacheCredentialsSecret: pulumi.interpolate`${zones.app}/${secrets.cache}` } : {}),
                objectStorageCredentialsSecret: pulumi.interpolate`${zones.app}/${storage.documentsSecretName}`,
                objectStorageBackupsCredentialsSecret: pulumi.interpolate`${zones.data}/${storage.backupsSecretName}`,
            }),
            attachments: pulumi.output({
                target: "kubernetes" as const,
                namespaces: zones,
                serviceAccounts: { api: api.serviceAccount, ...(llm ? { llm: llm.serviceAccount } : {}) },
                podSelectors: { api: api.podSelector, ...(llm ? { llm: llm.podSelector } : {}) },
            }),
        });
        this.namespaces = zones;
        this.delivery = pulumi.output({
            target: "kubernetes" as const,
            preDeploySnapshot: s.delivery.preDeploySnapshot,
            preDeploySnapshotRetentionDays: s.delivery.preDeploySnapshotRetentionDays,
            cnpgNamespace: zones.data,
            cnpgCluster: db.clusterName,
            apiNamespace: zones.app,
            apiDeployment: api.deploymentName,
            progressDeadlineSeconds: s.delivery.progressDeadlineSeconds,
        });
        this.registerOutputs({ url: this.url, databaseEndpoint: this.databaseEndpoint });
    }

    /** Namespaces per zone with quotas sized for the API's and the LLM's maximum, and the NetworkPolicies. */
    private createBaseline({ name, s, k, common, child }: StepInput): Baseline {
        const external = k.objectStorageMode === "external";
        return new Baseline(
            `${name}-baseline`,
            {
                ...common,
                namespacePrefix: k.namespacePrefix,
                edgeControllerNamespace: k.edgeControllerNamespace,
                edgeControllerPodSelector: k.edgeControllerPodSelector,
                cnpgOperatorNamespace: k.cnpgOperatorNamespace,
                monitoringNamespace: k.monitoringNamespace,
                externalObjectStorage: external,
                objectStorage: external ? { cidrs: k.objectStorageCidrs, port: portOf(k.objectStorageEndpoint) } : undefined,
                offsiteObjectStorage:
                    s.database.crossRegionBackup && k.logicalBackup
                        ? { cidrs: k.offsiteObjectStorageCidrs, port: portOf(k.offsiteObjectStorageEndpoint) }
                        : undefined,
                kubeApiCidrs: k.apiServerCidrs,
                apiEgressCidrs: k.apiEgressCidrs,
                modelSourceCidrs: s.llm.enabled ? k.modelSourceCidrs : [],
                egressDestinations: s.network.egressDestinations,
                fqdnPolicy: k.fqdnPolicy,
                logicalBackup: k.logicalBackup,
                documentsOffsite: s.database.crossRegionBackup,
                connectionPooler: s.database.connectionPooler,
                cacheSentinel: s.cache.automaticFailover,
                cache: s.cache.enabled,
                appQuota: appQuota(s),
            },
            child,
        );
    }

    /**
     * Credentials of the database roles and the cache, each a Secret in the namespaces whose pods
     * use it: generated here (`secrets: native`), or synced from an external store by External
     * Secrets Operator (`secrets: external`, nothing secret in the program, its state or rendered
     * YAML). The owner's and the backup role's stay in the data zone; the app zone gets only
     * `rag_app`'s.
     */
    private createCredentials({ name, s, k, ctx, child }: StepInput, zones: Zones): SecretNames {
        const names: SecretNames = {
            database: "postgres-app",
            databaseOwner: "postgres-owner",
            databaseBackup: "postgres-backup",
            cache: "valkey-auth",
            generated: [],
        };
        // [key, Secret, remote key, namespaces, username, password length]
        const credentials: [string, string, string, pulumi.Input<string>[], string | undefined, number][] = [
            ["db", names.database, "database", [zones.data, zones.app], DB_ROLES.app, 40],
            ["db-owner", names.databaseOwner, "database-owner", [zones.data], DB_ROLES.owner, 40],
            ...(k.logicalBackup
                ? [
                      ["db-backup", names.databaseBackup, "database-backup", [zones.data], DB_ROLES.backup, 40] as [
                          string,
                          string,
                          string,
                          pulumi.Input<string>[],
                          string,
                          number,
                      ],
                  ]
                : []),
            ...(s.cache.enabled
                ? [
                      ["cache", names.cache, "cache", [zones.data, zones.app], undefined, 48] as [
                          string,
                          string,
                          string,
                          pulumi.Input<string>[],
                          undefined,
                          number,
                      ],
                  ]
                : []),
        ];
        const zoneOf = (ns: pulumi.Input<string>) => (ns === zones.app ? "app" : "data");
        for (const [key, secret, remote, namespaces, username, length] of credentials) {
            const component = key === "cache" ? "valkey" : "postgres";
            const keys = username ? ["username", "password"] : ["password"];
            if (k.secrets === "external") {
                for (const ns of namespaces)
                    externalSecretIn(
                        ctx,
                        `${key}-credentials-${zoneOf(ns)}`,
                        secret,
                        ns,
                        k.externalSecretStore,
                        `${k.externalSecretPath}/${remote}`,
                        keys,
                        component,
                    );
                continue;
            }
            const password = new random.RandomPassword(`${name}-${key}-password`, { length, special: false, ...ctx.rotationKeepers() }, child);
            names.generated.push(secret);
            for (const ns of namespaces)
                secretIn(ctx, `${key}-credentials-${zoneOf(ns)}`, secret, ns, { ...(username ? { username } : {}), password: password.result }, component);
        }
        return names;
    }

    /** S3-compatible object storage: the external endpoint, or SeaweedFS in the data zone. */
    private createObjectStorage({ name, s, k, common, child }: StepInput, zones: Zones): ObjectStorage {
        const external = k.objectStorageMode === "external";
        const [appNs, dataNs] = [zones.app, zones.data];
        return new ObjectStorage(
            `${name}-object-storage`,
            {
                ...common,
                mode: k.objectStorageMode,
                documentsNamespace: appNs,
                dataNamespace: dataNs,
                documentsReader: s.database.crossRegionBackup,
                ...(external
                    ? {
                          endpoint: k.objectStorageEndpoint,
                          existingSecretName: k.objectStorageSecretName,
                          existingBackupsSecretName: k.objectStorageBackupsSecretName,
                          existingDocumentsReaderSecretName: s.database.crossRegionBackup ? k.objectStorageDocumentsReaderSecretName : undefined,
                      }
                    : {
                          image: k.objectStorageImage,
                          setupImage: k.backupImage,
                          storageGiB: Math.max(100, s.database.storageGiB * 2),
                          storageClass: k.storageClass || undefined,
                      }),
            },
            child,
        );
    }

    /** PostgreSQL with pgvector (CloudNativePG), backed up to the object store. */
    private createDatabase({ name, s, k, common, child }: StepInput, zones: Zones, secrets: SecretNames, storage: ObjectStorage): Database {
        const dataNs = zones.data;
        const dbSecretName = secrets.database;
        return new Database(
            `${name}-postgres`,
            {
                ...common,
                namespace: dataNs,
                image: postgresImageFor(s.database.engineVersion, k.postgresImage),
                // primary + a synchronous-capable standby when multiAz + the read replicas (all serve -ro)
                instances: 1 + (s.database.multiAz ? 1 : 0) + s.database.readReplicas,
                // multiAz: a standby on another node confirms every commit (no acknowledged write lost on failover)
                synchronousReplicas: s.database.multiAz ? 1 : 0,
                storageGiB: s.database.storageGiB,
                storageClass: k.storageClass || undefined,
                cpu: s.database.cpu,
                memoryMiB: s.database.memoryMiB,
                appSecretName: dbSecretName,
                ownerSecretName: secrets.databaseOwner,
                backupSecretName: k.logicalBackup ? secrets.databaseBackup : undefined,
                tlsIssuer: k.internalIssuer,
                clientNamespaces: [zones.app],
                backup: {
                    destinationPath: "s3://backups/cnpg",
                    endpointUrl: storage.endpoint,
                    credentialsSecretName: storage.backupsSecretName,
                    retentionDays: s.database.backupRetentionDays,
                },
                backupTiers: s.recovery.backupTiers,
                extensions: s.database.extensions,
                imageExtensions: s.database.imageExtensions,
                parameters: s.database.parameters,
                monitoring: k.monitoring,
                pooler: s.database.connectionPooler ? {} : false,
                restoreFrom: s.database.restoreFrom === "none" ? undefined : s.database.restoreFrom,
            },
            child,
        );
    }

    /** Valkey in the data zone. */
    private createCache({ name, s, k, common, child }: StepInput, zones: Zones, secrets: SecretNames): Cache {
        const dataNs = zones.data;
        const cacheSecretName = secrets.cache;
        return new Cache(
            `${name}-valkey`,
            {
                ...common,
                namespace: dataNs,
                image: k.valkeyImage,
                passwordSecretName: cacheSecretName,
                replicas: s.cache.replicas,
                automaticFailover: s.cache.automaticFailover,
                memoryMiB: s.cache.memoryMiB,
                storageClass: k.storageClass || undefined,
                tls: k.cacheTls ? { issuer: k.internalIssuer, clientNamespaces: [zones.app] } : undefined,
            },
            child,
        );
    }

    /** Ollama on the GPU nodes, in the app zone. */
    private createLlm({ name, s, k, common, child }: StepInput, zones: Zones): Llm {
        const appNs = zones.app;
        return new Llm(
            `${name}-ollama`,
            {
                ...common,
                namespace: appNs,
                image: s.llm.image,
                models: s.llm.models,
                modelRegistry: k.modelRegistry || undefined,
                replicas: s.llm.desiredNodes,
                gpus: s.llm.gpusPerNode,
                volumeGiB: s.llm.modelVolumeGiB,
                storageClass: k.storageClass || undefined,
                sharedStorageClass: k.llmSharedStorageClass || undefined,
                nodeSelector: k.gpuNodeSelector,
                tolerationKey: k.gpuTolerationKey,
                runtimeClassName: k.gpuRuntimeClassName || undefined,
                keepAlive: s.llm.keepAlive,
            },
            child,
        );
    }

    /** The API, wired to the data stores, the LLM and the object store (secrets by reference). */
    private createApi(
        { name, s, common, child }: StepInput,
        zones: Zones,
        secrets: SecretNames,
        deps: { db: Database; cache?: Cache; llm?: Llm; storage: ObjectStorage },
    ): Api {
        const { db, cache, llm, storage } = deps;
        const appNs = zones.app;
        const [dbSecretName, cacheSecretName] = [secrets.database, secrets.cache];
        return new Api(
            `${name}-api`,
            {
                ...common,
                namespace: appNs,
                image: s.api.image,
                imageManagedByCi: s.api.imageManagedByCi,
                progressDeadlineSeconds: s.delivery.progressDeadlineSeconds,
                port: s.api.port,
                healthPath: s.api.healthPath,
                cpu: s.api.cpu,
                memoryMiB: s.api.memoryMiB,
                ...apiAutoscaling(s.api),
                env: {
                    ...s.api.env,
                    ENVIRONMENT: s.environment,
                    DATABASE_HOST: db.clientWriteHost,
                    DATABASE_READER_HOST: db.readHost,
                    DATABASE_PORT: "5432",
                    DATABASE_NAME: "rag",
                    // libpq verify-full: the server's name against the internal issuer's CA
                    DATABASE_SSLMODE: "verify-full",
                    DATABASE_SSLROOTCERT: `${DB_CA_MOUNT}/ca.crt`,
                    // With failover the client asks the sentinels for the primary (redis-py `Sentinel`).
                    // No REDIS_* at all without a cache (cacheEnabled false).
                    ...(!cache
                        ? {}
                        : cache.sentinel
                          ? {
                                REDIS_SENTINEL_HOSTS: pulumi.interpolate`${cache.sentinel.host}:${cache.sentinel.port}`,
                                REDIS_SENTINEL_MASTER: cache.sentinel.masterName,
                            }
                          : { REDIS_HOST: cache.host, REDIS_PORT: String(cache.port) }),
                    // TLS to Valkey (and its sentinels): redis-py `ssl=True`, `ssl_ca_certs`.
                    ...(cache?.tls ? { REDIS_TLS: "true", REDIS_TLS_CA_FILE: `${CACHE_CA_MOUNT}/ca.crt` } : {}),
                    OLLAMA_BASE_URL: llm ? llm.endpoint : "disabled",
                    S3_ENDPOINT: storage.endpoint,
                    DOCUMENTS_BUCKET: "documents",
                    BACKUPS_BUCKET: "backups",
                },
                secretFiles: [
                    { name: "postgres-ca", secretName: DB_CLIENT_TLS_SECRET, keys: ["ca.crt"], mountPath: DB_CA_MOUNT },
                    ...(cache?.tls ? [{ name: "valkey-ca", secretName: CACHE_CLIENT_TLS_SECRET, keys: ["ca.crt"], mountPath: CACHE_CA_MOUNT }] : []),
                ],
                secretEnv: {
                    // The application's own secrets by reference (api.secrets: <Secret>/<key>), then the stack's.
                    ...Object.fromEntries(
                        Object.entries(s.api.secrets).map(([n, ref]) => [n, { secretName: ref.split("/")[0], key: ref.split("/").slice(1).join("/") }]),
                    ),
                    DATABASE_USER: { secretName: dbSecretName, key: "username" },
                    DATABASE_PASSWORD: { secretName: dbSecretName, key: "password" },
                    ...(cache ? { REDIS_PASSWORD: { secretName: cacheSecretName, key: "password" } } : {}),
                    AWS_ACCESS_KEY_ID: { secretName: storage.documentsSecretName, key: "ACCESS_KEY_ID" },
                    AWS_SECRET_ACCESS_KEY: { secretName: storage.documentsSecretName, key: "ACCESS_SECRET_KEY" },
                },
            },
            child,
        );
    }

    /** The public edge (Gateway API or Ingress) in front of the API. */
    /** The web front end's static server in the app zone, reached by the edge controller only. */
    private createFrontend({ name, s, k, common, child }: StepInput, zones: Zones): Frontend {
        return new Frontend(
            `${name}-frontend`,
            {
                ...common,
                namespace: zones.app,
                image: s.frontend.image!,
                edgeControllerNamespace: k.edgeControllerNamespace,
                edgeControllerPodSelector: k.edgeControllerPodSelector,
            },
            child,
        );
    }

    private createEdge({ name, s, k, common, child }: StepInput, zones: Zones, api: Api, frontend: Frontend | undefined): Edge {
        const appNs = zones.app;
        return new Edge(
            `${name}-edge`,
            {
                ...common,
                mode: k.edgeMode,
                domain: s.domain,
                alternativeNames: s.edge.alternativeNames,
                edgeNamespace: zones.edge,
                appNamespace: appNs,
                apiServiceName: api.serviceName,
                apiPort: api.port,
                clusterIssuer: k.clusterIssuer,
                gatewayClassName: k.gatewayClassName,
                ingressClassName: k.ingressClassName,
                hsts: s.edge.hsts,
                contentSecurityPolicy: s.edge.contentSecurityPolicy,
                referrerPolicy: s.edge.referrerPolicy,
                allowedCidrs: s.network.allowedIngressCidrs,
                webSocketPaths: s.edge.webSocketPaths,
                ...edgeLimits(s),
                ...(frontend
                    ? {
                          frontend: {
                              serviceName: frontend.serviceName,
                              port: frontend.port,
                              apiPath: s.frontend.apiPath,
                              contentSecurityPolicy: s.frontend.contentSecurityPolicy,
                          },
                      }
                    : {}),
            },
            child,
        );
    }

    /** ServiceMonitor and the PrometheusRule of the stack's alerts. */
    private createMonitoring({ name, s, k, common, child }: StepInput, zones: Zones, llm: Llm | undefined, generatedSecrets: string[]): void {
        const [appNs, dataNs] = [zones.app, zones.data];
        new Monitoring(
            `${name}-monitoring`,
            {
                ...common,
                appNamespace: appNs,
                dataNamespace: dataNs,
                appNamespaceName: `${k.namespacePrefix}-app`,
                dataNamespaceName: `${k.namespacePrefix}-data`,
                team: common.labels?.["ragstack.io/owner"] ?? "",
                llm: s.llm.enabled,
                llmWorkload: llm?.workloadKind,
                cacheSentinel: s.cache.automaticFailover,
                cache: s.cache.enabled,
                alertEmails: s.observability.alarmEmails,
                alertWebhookSecretName: k.alertWebhookSecretName || undefined,
                generatedSecrets: generatedSecrets.length > 0 ? { names: generatedSecrets, maxAgeDays: s.secrets.maxAgeDays } : undefined,
                alerts: s.observability.alerts,
                metricsSources: s.observability.metricsSources,
            },
            child,
        );
    }

    /** The documents bucket copied to the off-site store the logical dumps go to (database.crossRegionBackup). */
    private createDocumentsOffsite({ name, k, common, child }: StepInput, zones: Zones, storage: ObjectStorage): void {
        new DocumentsOffsite(
            `${name}-documents-offsite`,
            {
                ...common,
                namespace: zones.data,
                image: k.documentsBackupImage,
                sourceEndpoint: storage.endpoint,
                sourceSecretName: storage.documentsReaderSecretName!,
                offsite: { endpoint: k.offsiteObjectStorageEndpoint, secretName: k.offsiteObjectStorageSecretName, bucket: k.offsiteBucket },
            },
            child,
        );
    }

    /** The logical pg_dump CronJob beside CloudNativePG's physical backups. */
    private createLogicalBackup({ name, s, k, common, child }: StepInput, zones: Zones, secrets: SecretNames, db: Database, storage: ObjectStorage): void {
        const dataNs = zones.data;
        new LogicalBackup(
            `${name}-logical-backup`,
            {
                ...common,
                namespace: dataNs,
                pgDumpImage: postgresImageFor(s.database.engineVersion, k.postgresImage),
                uploadImage: k.backupImage,
                host: db.readHost,
                credentialsSecretName: secrets.databaseBackup,
                serverCaSecretName: db.serverCaSecretName,
                s3Endpoint: storage.endpoint,
                s3SecretName: storage.backupsSecretName,
                retentionDays: s.database.backupRetentionDays,
                monthlyRetentionMonths: k.logicalBackupMonthlyRetention,
                offsite: s.database.crossRegionBackup
                    ? { endpoint: k.offsiteObjectStorageEndpoint, secretName: k.offsiteObjectStorageSecretName, bucket: k.offsiteBucket }
                    : undefined,
            },
            child,
        );
    }
}

/**
 * The edge's limits, per 5 minutes in the settings, as each edge counts them: ingress-nginx per
 * second (limit-rps) and per minute (limit-rpm, login paths), Envoy Gateway per minute. In gateway
 * mode without a rate-limit policy there is nothing to enforce them (the settings' check refused
 * values away from their defaults).
 */
function edgeLimits(s: StackSettings): Partial<EdgeArgs> {
    const k = s.kubernetes;
    if (k.edgeMode === "gateway" && k.gatewayRateLimit === "none") return { gatewayRateLimit: "none" };
    const perMinute = (per5Min: number) => Math.max(1, Math.round(per5Min / 5));
    return {
        gatewayRateLimit: k.gatewayRateLimit,
        rateLimitRps: Math.max(1, Math.round(s.edge.rateLimitPer5Min / 300)),
        ...(k.edgeMode === "gateway" ? { rateLimitPerMinute: perMinute(s.edge.rateLimitPer5Min) } : {}),
        loginPaths: s.edge.loginPaths,
        loginRateLimitPerMinute: perMinute(s.edge.loginRateLimitPer5Min),
        maxRequestBodyMiB: s.edge.maxRequestBodyMiB,
    };
}
