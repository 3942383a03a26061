import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { awsTags } from "../core/tags";
import { RagStackComponent } from "../core/outputs";
import { StackSettings } from "../settings";
import { ValidationError } from "../core/validation";
import { validateStackSettings } from "../settings";
import { rdsCaProblem } from "./rds-ca";
import { ApiService, DEFAULT_BOOTSTRAP_IMAGE, InjectedSecret } from "./api-service";
import { Backup } from "./backup";
import { Audit } from "./audit";
import { Cache } from "./cache";
import { EcsCluster } from "./cluster";
import { Database } from "./database";
import { Edge } from "./edge";
import { Keys } from "./keys";
import { DEFAULT_MODEL_SYNC_IMAGE, Llm } from "./llm";
import { HttpsEgress, viaEcrPublicCache } from "./common";
import { Network } from "./network";
import { Observability } from "./observability";
import { Storage } from "./storage";
import { Waf } from "./waf";

export interface AwsRagStackArgs {
    /** Fully resolved settings (see `resolveStackSettings`). */
    settings: StackSettings;
    /**
     * Provider of `aws.backupRegion` for the off-site copies (database backups, bucket replicas,
     * AWS Backup copies): your credentials or an assumed role there. @default one built from the region alone
     */
    backupRegionProvider?: aws.Provider;
}

/** The whole RAG stack on AWS, composed from this folder's components. */
export class AwsRagStack extends RagStackComponent {
    /** DNS name of the ALB. */
    readonly loadBalancerDnsName: pulumi.Output<string>;
    /** ARN of the SNS topic alarms go to. */
    readonly alarmTopicArn: pulumi.Output<string>;
    /** Id of the VPC. */
    readonly vpcId: pulumi.Output<string>;

    constructor(name: string, args: AwsRagStackArgs, opts?: pulumi.ComponentResourceOptions) {
        const s = args.settings;
        validateStackSettings({ ...s, target: "aws" }, `AwsRagStack ${name}`);
        // The API verifies PostgreSQL against the region's RDS CAs, built into the plan: known for the region, or given.
        const caProblem = rdsCaProblem(s.aws.region, s.aws.rdsCaBundle);
        if (caProblem)
            throw new ValidationError(`AwsRagStack ${name}`, [
                {
                    field: s.aws.rdsCaBundle === undefined ? "aws.region" : "aws.rdsCaBundle",
                    value: s.aws.rdsCaBundle === undefined ? s.aws.region : "(PEM text)",
                    allowed: caProblem,
                },
            ]);
        super(typeToken("aws", "RagStack"), name, {}, opts);
        const common = {
            environment: s.environment,
            namePrefix: `${s.name}-${s.environment}`,
            tags: awsTags(s),
            protectData: s.protectData,
            accountId: s.aws.accountId,
        };
        const child = { parent: this };
        const retention = s.observability.logRetentionDays;

        const keys = new Keys(
            `${name}-keys`,
            {
                ...common,
                existingKeyArn: s.aws.kmsKeyArn,
                // The GPU hosts' Auto Scaling group encrypts their volumes with the data key: its own service-linked role.
                ...(s.llm.enabled && !s.aws.kmsKeyArn ? { autoScalingRoleSuffix: autoScalingRoleSuffix(common.namePrefix) } : {}),
            },
            child,
        );
        const network = new Network(
            `${name}-network`,
            s.aws.existingVpc
                ? { ...common, existingVpc: s.aws.existingVpc }
                : {
                      ...common,
                      cidr: s.network.cidr,
                      azCount: s.network.azCount,
                      natStrategy: s.network.natStrategy,
                      availabilityZones: s.aws.availabilityZones,
                      logsKeyArn: keys.logsKeyArn,
                      flowLogRetentionDays: retention,
                  },
            child,
        );
        const storage = new Storage(
            `${name}-storage`,
            {
                ...common,
                kmsKeyArn: keys.dataKeyArn,
                transitionToIaDays: s.storage.transitionToIaDays,
                transitionToGlacierDays: s.storage.transitionToGlacierDays,
                noncurrentVersionExpirationDays: s.storage.noncurrentVersionExpirationDays,
                backupsObjectLock: s.storage.objectLock,
                accessLogRetentionDays: Math.max(retention, 365),
                // Off-site copies of the documents and backups with the database's (production).
                replication: s.database.crossRegionBackup ? { region: s.aws.backupRegion, provider: args.backupRegionProvider } : undefined,
                modelsBucket: s.llm.enabled && !s.aws.internetEgress,
            },
            child,
        );
        const edge = new Edge(
            `${name}-edge`,
            {
                ...common,
                vpcId: network.vpcId,
                publicSubnetIds: network.publicSubnetIds,
                domain: s.domain,
                certificateArn: s.aws.certificateArn,
                hostedZoneId: s.aws.hostedZoneId,
                allowedCidrs: s.network.allowedIngressCidrs,
                targetPort: s.api.port,
                healthPath: s.api.healthPath,
                hsts: s.edge.hsts,
                contentSecurityPolicy: s.edge.contentSecurityPolicy,
                idleTimeoutSeconds: s.edge.idleTimeoutSeconds,
                deletionProtection: s.environment === "production",
                accessLogRetentionDays: retention,
            },
            child,
        );
        const waf = new Waf(
            `${name}-waf`,
            {
                ...common,
                loadBalancerArn: edge.loadBalancerArn,
                rateLimitPer5Min: s.edge.rateLimitPer5Min,
                allowedCountryCodes: s.edge.allowedCountries,
                loginPaths: s.edge.loginPaths,
                loginRateLimitPer5Min: s.edge.loginRateLimitPer5Min,
                logsKeyArn: keys.logsKeyArn,
                logRetentionDays: retention,
            },
            child,
        );
        // Without internet egress: HTTPS to the VPC's endpoints and S3 only, AWS-published helper
        // images through an ECR pull-through cache of ECR Public, models staged in their bucket.
        const offline = !s.aws.internetEgress;
        const cluster = new EcsCluster(`${name}-ecs`, { ...common, vpcId: network.vpcId, ecrPublicCache: offline }, child);
        const httpsEgress: HttpsEgress = offline ? { vpcCidr: network.vpcCidr, s3PrefixListId: network.s3PrefixListId } : "internet";
        const mirrored = (image: string) => (offline ? cluster.ecrPublicCacheRegistry.apply((r) => viaEcrPublicCache(image, r)) : image);

        // The data stores admit the API's security group and the API needs their endpoints:
        // the API is built first with deferred inputs that are resolved once the stores exist.
        const api = this.buildApi(name, s, common, { keys, network, storage, edge, cluster, httpsEgress, bootstrapImage: mirrored(DEFAULT_BOOTSTRAP_IMAGE) });
        const db = new Database(
            `${name}-db`,
            {
                ...common,
                vpcId: network.vpcId,
                subnetIds: network.isolatedSubnetIds,
                allowedSecurityGroupIds: [api.service.securityGroupId, ...(s.aws.dataTierClientSecurityGroupIds ?? [])],
                kmsKeyArn: keys.dataKeyArn,
                logsKeyArn: keys.logsKeyArn,
                engineVersion: s.database.engineVersion,
                instanceClass: s.database.instanceClass,
                allocatedStorageGiB: s.database.storageGiB,
                maxAllocatedStorageGiB: s.database.maxStorageGiB,
                backupRetentionDays: s.database.backupRetentionDays,
                multiAz: s.database.multiAz,
                readReplicas: s.database.readReplicas,
                deletionProtection: s.database.deletionProtection,
                crossRegionBackup: s.database.crossRegionBackup,
                backupRegion: s.aws.backupRegion,
                backupProvider: args.backupRegionProvider,
                connectionProxy: s.database.connectionPooler,
                restoreFrom: s.database.restoreFrom === "none" ? undefined : s.database.restoreFrom,
                logRetentionDays: retention,
            },
            child,
        );
        const cache = new Cache(
            `${name}-cache`,
            {
                ...common,
                vpcId: network.vpcId,
                subnetIds: network.isolatedSubnetIds,
                allowedSecurityGroupIds: [api.service.securityGroupId, ...(s.aws.dataTierClientSecurityGroupIds ?? [])],
                kmsKeyArn: keys.dataKeyArn,
                logsKeyArn: keys.logsKeyArn,
                nodeType: s.cache.nodeType,
                replicas: s.cache.replicas,
                automaticFailover: s.cache.automaticFailover,
                snapshotRetentionDays: s.cache.snapshotRetentionDays,
                logRetentionDays: retention,
                secretsRotatedOn: s.secrets.rotatedOn,
            },
            child,
        );
        api.resolveData(db, cache);
        // Tiered, locked, off-site recovery points of the database and the documents (AWS Backup).
        new Backup(
            `${name}-backup`,
            {
                ...common,
                resourceArns: [db.arn, storage.documentsBucketArn],
                kmsKeyArn: keys.dataKeyArn,
                copyRegion: s.database.crossRegionBackup ? s.aws.backupRegion : undefined,
                copyProvider: args.backupRegionProvider,
            },
            child,
        );

        let llm: Llm | undefined;
        if (s.llm.enabled) {
            llm = new Llm(
                `${name}-llm`,
                {
                    ...common,
                    vpcId: network.vpcId,
                    subnetIds: network.privateSubnetIds,
                    clusterArn: cluster.clusterArn,
                    clusterName: cluster.clusterName,
                    namespaceId: cluster.namespaceId,
                    namespaceName: cluster.namespaceName,
                    allowedSecurityGroupIds: [api.service.securityGroupId],
                    kmsKeyArn: keys.dataKeyArn,
                    logsKeyArn: keys.logsKeyArn,
                    autoScalingServiceLinkedRoleArn: keys.autoScalingRoleArn,
                    image: s.llm.image,
                    models: s.llm.models,
                    httpsEgress,
                    ecrPublicCache: offline,
                    stagedModels: offline
                        ? {
                              bucketName: storage.modelsBucket!,
                              bucketArn: storage.modelsBucketArn!,
                              kmsKeyArn: keys.dataKeyArn,
                              syncImage: mirrored(DEFAULT_MODEL_SYNC_IMAGE),
                          }
                        : undefined,
                    amiId: s.aws.gpuAmiId,
                    instanceType: s.llm.instanceType,
                    gpusPerTask: s.llm.gpusPerNode,
                    desiredCount: s.llm.desiredNodes,
                    minInstances: s.llm.minNodes,
                    maxInstances: s.llm.maxNodes,
                    spot: s.llm.spot,
                    volumeGiB: s.llm.modelVolumeGiB,
                    keepAlive: s.llm.keepAlive,
                    logRetentionDays: retention,
                },
                child,
            );
        }
        api.resolveLlm(llm);

        const observability = new Observability(
            `${name}-observability`,
            {
                ...common,
                logsKeyArn: keys.logsKeyArn,
                alarmTopicArn: s.aws.alarmTopicArn,
                alarmEmails: s.aws.alarmTopicArn ? undefined : s.observability.alarmEmails,
                loadBalancerArnSuffix: edge.loadBalancerArnSuffix,
                targetGroupArnSuffix: edge.targetGroupArnSuffix,
                clusterName: cluster.clusterName,
                apiServiceName: api.service.serviceName,
                dbInstanceIdentifier: db.instanceIdentifier,
                dbReplicaIdentifiers: db.replicaIdentifiers,
                dbProxyName: s.database.connectionPooler ? db.proxyName.apply((n) => n!) : undefined,
                dbInstanceClass: s.database.instanceClass,
                dbStorageGiB: s.database.storageGiB,
                cacheReplicationGroupId: cache.replicationGroupId,
                cacheNodeCount: 1 + s.cache.replicas,
                gpuAutoScalingGroupName: llm?.autoScalingGroupName,
                gpuMetricsNamespace: llm ? llm.gpuMetricsNamespace : undefined,
                gpuFleetName: llm?.gpuFleetName,
                dbSlowQueryMetric: db.slowQueryMetric,
                llmServiceName: llm?.serviceName,
                webAclMetricName: waf.webAclMetricName,
                secretAge: {
                    // The RDS master password rotates itself (RDS-managed, 7 days); the others by secretsRotatedOn.
                    secretArns: { "api-app-secret": api.service.appSecretArn, "cache-auth": cache.authSecretArn, "db-master": db.masterSecretArn },
                    maxAgeDays: s.secrets.maxAgeDays,
                    logRetentionDays: retention,
                },
            },
            child,
        );
        new Audit(
            `${name}-audit`,
            {
                ...common,
                logsKeyArn: keys.logsKeyArn,
                logRetentionDays: Math.max(retention, 365),
                accessLogBucket: storage.accessLogsBucket,
                objectLock: s.storage.objectLock === "none" ? "none" : { mode: s.storage.objectLock.mode, days: Math.max(s.storage.objectLock.days, 365) },
                // Who read which document: S3 data events on the documents bucket (production).
                dataEventBucketArns: s.environment === "production" ? [storage.documentsBucketArn] : [],
            },
            child,
        );

        this.setOutputs({
            url: edge.url,
            databaseEndpoint: db.address,
            databaseReaderEndpoint: db.readerAddress,
            cacheEndpoint: cache.primaryEndpoint,
            llmEndpoint: llm ? llm.endpoint : pulumi.output(undefined),
            documentsBucket: storage.documentsBucket,
            backupsBucket: storage.backupsBucket,
            secretRefs: pulumi.all({
                databaseMasterSecretArn: db.masterSecretArn,
                cacheAuthSecretArn: cache.authSecretArn,
                apiSecretKeyArn: api.service.appSecretArn,
            }),
            attachments: pulumi.output({
                target: "aws" as const,
                vpcId: network.vpcId,
                vpcCidr: network.vpcCidr,
                publicSubnetIds: network.publicSubnetIds,
                privateSubnetIds: network.privateSubnetIds,
                isolatedSubnetIds: network.isolatedSubnetIds,
                s3PrefixListId: network.s3PrefixListId,
                securityGroups: {
                    alb: edge.securityGroupId,
                    api: api.service.securityGroupId,
                    database: db.securityGroupId,
                    cache: cache.securityGroupId,
                    ...(llm ? { llm: llm.securityGroupId } : {}),
                },
                dataKeyArn: keys.dataKeyArn,
                logsKeyArn: keys.logsKeyArn,
                alarmTopicArn: observability.alarmTopicArn,
                ecsClusterArn: cluster.clusterArn,
                ecsClusterName: cluster.clusterName,
                serviceDiscoveryNamespace: cluster.namespaceName,
            }),
        });
        this.loadBalancerDnsName = edge.dnsName;
        this.alarmTopicArn = observability.alarmTopicArn;
        this.vpcId = network.vpcId;
        this.registerOutputs({ url: this.url, databaseEndpoint: this.databaseEndpoint, secretRefs: this.secretRefs });
    }

    /**
     * The API needs data-store endpoints and the data stores need the API's security group:
     * the endpoints are passed as deferred outputs resolved once the stores exist.
     */
    private buildApi(
        name: string,
        s: StackSettings,
        common: { environment: StackSettings["environment"]; namePrefix: string; tags: Record<string, string>; protectData: boolean; accountId?: string },
        deps: {
            keys: Keys;
            network: Network;
            storage: Storage;
            edge: Edge;
            cluster: EcsCluster;
            httpsEgress: HttpsEgress;
            bootstrapImage: pulumi.Input<string>;
        },
    ) {
        const deferred = <T>() => {
            let resolve!: (v: pulumi.Input<T>) => void;
            const p = new Promise<pulumi.Input<T>>((r) => (resolve = r));
            return { value: pulumi.output(p).apply((x) => x) as pulumi.Output<T>, resolve };
        };
        const dbHost = deferred<string>();
        const dbReader = deferred<string>();
        const dbPrimary = deferred<string>();
        const dbSecret = deferred<string>();
        // IAM authentication is per instance: the reader endpoint is a replica, so every instance's
        // resource id, and the proxy's (writes go through it when it exists).
        const dbResources = Array.from({ length: 1 + s.database.readReplicas + (s.database.connectionPooler ? 1 : 0) }, () => deferred<string>());
        const cacheHost = deferred<string>();
        const cacheSecret = deferred<string>();
        const llmUrl = deferred<string>();
        const service = new ApiService(
            `${name}-api`,
            {
                ...common,
                vpcId: deps.network.vpcId,
                vpcCidr: deps.network.vpcCidr,
                httpsEgress: deps.httpsEgress,
                ecrPublicCache: !s.aws.internetEgress,
                subnetIds: deps.network.privateSubnetIds,
                clusterArn: deps.cluster.clusterArn,
                clusterName: deps.cluster.clusterName,
                albSecurityGroupId: deps.edge.securityGroupId,
                targetGroupArn: deps.edge.targetGroupArn,
                listenerArn: deps.edge.httpsListenerArn,
                loadBalancerArnSuffix: deps.edge.loadBalancerArnSuffix,
                targetGroupArnSuffix: deps.edge.targetGroupArnSuffix,
                image: s.api.image,
                port: s.api.port,
                healthPath: s.api.healthPath,
                cpu: s.api.cpu,
                memoryMiB: s.api.memoryMiB,
                minReplicas: s.api.minReplicas,
                maxReplicas: s.api.maxReplicas,
                cpuTargetPercent: s.api.cpuTargetPercent,
                memoryTargetPercent: s.api.memoryTargetPercent,
                requestsPerTarget: s.api.requestsPerTarget,
                imageManagedByCi: s.api.imageManagedByCi,
                secretsRotatedOn: s.secrets.rotatedOn,
                environmentVariables: {
                    ...s.api.env,
                    ENVIRONMENT: s.environment,
                    DATABASE_HOST: dbHost.value,
                    DATABASE_READER_HOST: dbReader.value,
                    DATABASE_PORT: "5432",
                    DATABASE_NAME: "rag",
                    DATABASE_USER: "rag_app",
                    DATABASE_IAM_AUTH: "true",
                    DATABASE_SSLMODE: "verify-full",
                    REDIS_HOST: cacheHost.value,
                    REDIS_PORT: "6379",
                    REDIS_TLS: "true",
                    OLLAMA_BASE_URL: llmUrl.value,
                    DOCUMENTS_BUCKET: deps.storage.documentsBucket,
                },
                secrets: { ...appSecrets(s.api.secrets), REDIS_AUTH_TOKEN: { secretArn: cacheSecret.value } },
                kmsKeyArn: deps.keys.dataKeyArn,
                logsKeyArn: deps.keys.logsKeyArn,
                // Documents only: a compromised API cannot touch the backups.
                bucketArns: [deps.storage.documentsBucketArn],
                databaseIamAuth: { resourceIds: dbResources.map((r) => r.value), user: "rag_app" },
                rdsCaBundle: s.aws.rdsCaBundle,
                databaseBootstrap: {
                    masterSecretArn: dbSecret.value,
                    masterSecretKmsKeyArn: deps.keys.dataKeyArn,
                    host: dbPrimary.value,
                    database: "rag",
                    image: deps.bootstrapImage,
                },
                logRetentionDays: s.observability.logRetentionDays,
            },
            { parent: this },
        );
        return {
            service,
            resolveData: (db: Database, cache: Cache) => {
                // Writes through the RDS Proxy when there is one; reads on the replica.
                dbHost.resolve(s.database.connectionPooler ? db.proxyEndpoint.apply((e) => e!) : db.address);
                dbReader.resolve(db.readerAddress);
                dbPrimary.resolve(db.address);
                dbSecret.resolve(db.masterSecretArn);
                const ids = [db.resourceId, ...db.replicaResourceIds, ...(s.database.connectionPooler ? [db.proxyResourceId.apply((id) => id!)] : [])];
                ids.forEach((id, i) => dbResources[i].resolve(id));
                cacheHost.resolve(cache.primaryEndpoint);
                cacheSecret.resolve(cache.authSecretArn);
            },
            resolveLlm: (llm: Llm | undefined) => llmUrl.resolve(llm ? llm.endpoint : "disabled"),
        };
    }
}

/** The API's own secrets (`api.secrets`): a Secrets Manager ARN, optionally `:<json key>`, per variable. */
/** The suffix of the stack's Auto Scaling service-linked role (`AWSServiceRoleForAutoScaling_<suffix>`, at most 35 characters). */
export function autoScalingRoleSuffix(prefix: string): string {
    return prefix.replace(/[^\w+=,.@-]/g, "-").slice(0, 35);
}

function appSecrets(refs: Record<string, string>): Record<string, InjectedSecret> {
    return Object.fromEntries(
        Object.entries(refs).map(([name, ref]) => {
            // arn:aws:secretsmanager:<region>:<account>:secret:<name>[:<json key>]: the 7th field is the key
            const parts = ref.split(":");
            return [name, parts.length > 7 ? { secretArn: parts.slice(0, 7).join(":"), jsonKey: parts.slice(7).join(":") } : { secretArn: ref }];
        }),
    );
}
