import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { withRenames } from "../core/renames";
import { awsTags } from "../core/tags";
import { RagStackComponent } from "../core/outputs";
import { apiAutoscaling, EgressSource, egressFor, postureFor, StackSettings, validateStackSettings } from "../settings";
import { ValidationError } from "../core/validation";
import { rdsCaProblem } from "./rds-ca";
import { ApiService, DEFAULT_BOOTSTRAP_IMAGE, InjectedSecret } from "./api-service";
import { Backup } from "./backup";
import { Audit } from "./audit";
import { Cache } from "./cache";
import { EcsCluster } from "./cluster";
import { Database } from "./database";
import { Edge } from "./edge";
import { Frontend } from "./frontend";
import { Keys } from "./keys";
import { DEFAULT_MODEL_SYNC_IMAGE, Llm } from "./llm";
import { HttpsEgress, viaEcrPublicCache } from "./common";
import { BASE_INTERFACE_ENDPOINTS, DEFAULT_INTERFACE_ENDPOINTS, Network } from "./network";
import { Observability } from "./observability";
import { Storage } from "./storage";
import { Waf } from "./waf";
import type { AwsDelivery } from "../core/outputs";

export interface AwsRagStackArgs {
    /** Fully resolved settings (see `resolveStackSettings`). */
    settings: StackSettings;
    /**
     * Provider of `aws.backupRegion` for the off-site copies (database backups, bucket replicas,
     * AWS Backup copies): your credentials or an assumed role there. @default one built from the region alone
     */
    backupRegionProvider?: aws.Provider;
    /** Provider in us-east-1 for the web front end's certificate, WAF and logs (frontendEnabled). @default one built from the region alone */
    usEast1Provider?: aws.Provider;
}

/** The whole RAG stack on AWS, composed from this folder's components. */
export class AwsRagStack extends RagStackComponent {
    /** DNS name of the ALB. */
    readonly loadBalancerDnsName: pulumi.Output<string>;
    /** ARN of the SNS topic alarms go to. */
    readonly alarmTopicArn: pulumi.Output<string>;
    /** Id of the VPC. */
    readonly vpcId: pulumi.Output<string>;
    /** What tools/pre-deploy-snapshot.sh and tools/rollback.sh read (the `delivery` stack output). */
    readonly delivery: pulumi.Output<AwsDelivery>;

    constructor(name: string, args: AwsRagStackArgs, opts?: pulumi.ComponentResourceOptions) {
        const s = args.settings;
        validateAwsStack(name, s);
        super(typeToken("aws", "RagStack"), name, {}, withRenames(opts));
        const common: StackCommon = {
            environment: s.environment,
            namePrefix: `${s.name}-${s.environment}`,
            tags: awsTags(s),
            protectData: s.protectData,
            accountId: s.aws.accountId,
        };

        const keys = this.createKeys(name, s, common);
        const network = this.createNetwork(name, s, common, keys);
        const storage = this.createStorage(name, s, args, common, keys);
        const edge = this.createEdge(name, s, common, network);
        const waf = this.createWaf(name, s, common, keys, edge);
        if (s.frontend.enabled) this.createFrontend(name, s, args, common, edge);
        // Without internet egress: HTTPS to the VPC's endpoints and S3 only, AWS-published helper
        // images through an ECR pull-through cache of ECR Public, models staged in their bucket.
        const offline = !s.aws.internetEgress;
        const cluster = new EcsCluster(`${name}-ecs`, { ...common, vpcId: network.vpcId, ecrPublicCache: offline }, { parent: this });
        // Named destinations (network.egressDestinations) are refused with the internet open: offline here.
        const httpsEgressOf = (source: EgressSource): HttpsEgress =>
            offline
                ? { vpcCidr: network.vpcCidr, s3PrefixListId: network.s3PrefixListId, destinations: egressFor(s.network.egressDestinations, source) }
                : "internet";
        const mirrored = (image: string) => (offline ? cluster.ecrPublicCacheRegistry.apply((r) => viaEcrPublicCache(image, r)) : image);

        // The data stores admit the API's security group and the API needs their endpoints:
        // the API is built first with deferred inputs that are resolved once the stores exist.
        const api = this.buildApi(name, s, common, {
            keys,
            network,
            storage,
            edge,
            cluster,
            httpsEgress: httpsEgressOf("api"),
            bootstrapImage: mirrored(DEFAULT_BOOTSTRAP_IMAGE),
        });
        const db = this.createDatabase(name, s, args, common, { keys, network, api: api.service });
        const cache = s.cache.enabled ? this.createCache(name, s, common, { keys, network, api: api.service }) : undefined;
        api.resolveData(db, cache);
        this.createBackup(name, s, args, common, keys, db, storage);
        const llm = s.llm.enabled
            ? this.createLlm(name, s, common, {
                  keys,
                  network,
                  storage,
                  cluster,
                  api: api.service,
                  httpsEgress: httpsEgressOf("llm"),
                  syncImage: mirrored(DEFAULT_MODEL_SYNC_IMAGE),
              })
            : undefined;
        api.resolveLlm(llm);
        const observability = this.createObservability(name, s, common, { keys, edge, cluster, api: api.service, db, cache, llm, waf });
        api.resolveAlarms(observability);
        this.createAudit(name, s, common, keys, storage);

        this.publishOutputs({ keys, network, edge, cluster, api: api.service, db, cache, llm, storage, observability });
        this.loadBalancerDnsName = edge.dnsName;
        this.alarmTopicArn = observability.alarmTopicArn;
        this.delivery = pulumi.output({
            target: "aws" as const,
            preDeploySnapshot: s.delivery.preDeploySnapshot,
            preDeploySnapshotRetentionDays: s.delivery.preDeploySnapshotRetentionDays,
            dbInstanceIdentifier: db.instanceIdentifier,
            apiDeploymentStrategy: s.delivery.apiStrategy,
            ecsCluster: cluster.clusterName,
            ecsService: api.service.serviceName,
        });
        this.vpcId = network.vpcId;
        this.registerOutputs({ url: this.url, databaseEndpoint: this.databaseEndpoint, secretRefs: this.secretRefs });
    }

    /** The data and logs KMS keys (and the GPU hosts' Auto Scaling service-linked role). */
    private createKeys(name: string, s: StackSettings, common: StackCommon): Keys {
        return new Keys(
            `${name}-keys`,
            {
                ...common,
                existingKeyArn: s.aws.kmsKeyArn,
                // The egress firewall's rule groups, policy and firewall are encrypted with the data key.
                ...(s.network.egressDestinations.length > 0 ? { networkFirewall: true } : {}),
                // The GPU hosts' Auto Scaling group encrypts their volumes with the data key: its own service-linked role.
                ...(s.llm.enabled && !s.aws.kmsKeyArn ? { autoScalingRoleSuffix: autoScalingRoleSuffix(common.namePrefix) } : {}),
            },
            { parent: this },
        );
    }

    /** The VPC (or the existing one), its subnets, NAT and flow logs. */
    private createNetwork(name: string, s: StackSettings, common: StackCommon, keys: Keys): Network {
        return new Network(
            `${name}-network`,
            s.aws.existingVpc
                ? { ...common, existingVpc: s.aws.existingVpc }
                : {
                      ...common,
                      cidr: s.network.cidr,
                      azCount: s.network.azCount,
                      natStrategy: s.network.natStrategy,
                      endpointAzCount: s.network.endpointAzCount,
                      // The GPU hosts' endpoints only where the LLM runs.
                      interfaceEndpoints: s.llm.enabled ? DEFAULT_INTERFACE_ENDPOINTS : BASE_INTERFACE_ENDPOINTS,
                      availabilityZones: s.aws.availabilityZones,
                      logsKeyArn: keys.logsKeyArn,
                      flowLogRetentionDays: s.observability.logRetentionDays,
                      ...(s.network.egressDestinations.length > 0
                          ? { egressFirewall: { destinations: s.network.egressDestinations, kmsKeyArn: keys.dataKeyArn } }
                          : {}),
                  },
            { parent: this },
        );
    }

    /** The documents, backups, access-log (and models) buckets, replicated off site when the database is. */
    private createStorage(name: string, s: StackSettings, args: AwsRagStackArgs, common: StackCommon, keys: Keys): Storage {
        return new Storage(
            `${name}-storage`,
            {
                ...common,
                kmsKeyArn: keys.dataKeyArn,
                transitionToIaDays: s.storage.transitionToIaDays,
                transitionToGlacierDays: s.storage.transitionToGlacierDays,
                noncurrentVersionExpirationDays: s.storage.noncurrentVersionExpirationDays,
                backupsObjectLock: s.storage.objectLock,
                accessLogRetentionDays: Math.max(s.observability.logRetentionDays, 365),
                // Off-site copies of the documents and backups with the database's (production).
                replication: s.database.crossRegionBackup ? { region: s.aws.backupRegion, provider: args.backupRegionProvider } : undefined,
                modelsBucket: s.llm.enabled && !s.aws.internetEgress,
            },
            { parent: this },
        );
    }

    /** The ALB with TLS, its listeners and target group, and the DNS record. */
    private createEdge(name: string, s: StackSettings, common: StackCommon, network: Network): Edge {
        return new Edge(
            `${name}-edge`,
            {
                ...common,
                vpcId: network.vpcId,
                publicSubnetIds: network.publicSubnetIds,
                domain: s.domain,
                alternativeNames: s.edge.alternativeNames,
                certificateArn: s.aws.certificateArn,
                hostedZoneId: s.aws.hostedZoneId,
                allowedCidrs: s.network.allowedIngressCidrs,
                targetPort: s.api.port,
                healthPath: s.api.healthPath,
                hsts: s.edge.hsts,
                contentSecurityPolicy: s.edge.contentSecurityPolicy,
                idleTimeoutSeconds: s.edge.idleTimeoutSeconds,
                deletionProtection: postureFor(s.environment).loadBalancerDeletionProtection,
                accessLogRetentionDays: s.observability.logRetentionDays,
                // ECS native blue/green: the green target group, the production rule, the test listener (from the VPC only).
                blueGreen: s.delivery.apiStrategy === "blueGreen" ? { testCidrs: [network.vpcCidr] } : undefined,
                // With the web front end, the names point at CloudFront and only CloudFront reaches the ALB.
                cloudFrontOnly: s.frontend.enabled,
            },
            { parent: this },
        );
    }

    /** The web front end: the app's bucket behind CloudFront, which also routes frontendApiPath to the ALB. */
    private createFrontend(name: string, s: StackSettings, args: AwsRagStackArgs, common: StackCommon, edge: Edge): Frontend {
        return new Frontend(
            `${name}-frontend`,
            {
                ...common,
                domain: s.domain,
                alternativeNames: s.edge.alternativeNames,
                source: s.frontend.source!,
                apiPath: s.frontend.apiPath,
                albDnsName: edge.dnsName,
                originVerifySecret: edge.originVerifySecret!,
                contentSecurityPolicy: s.frontend.contentSecurityPolicy,
                hsts: s.edge.hsts,
                priceClass: s.frontend.priceClass,
                certificateArn: s.frontend.certificateArn,
                hostedZoneId: s.aws.hostedZoneId,
                usEast1Provider: args.usEast1Provider,
                // The ALB certificate's validation records serve the us-east-1 certificate too.
                existingValidationFqdns: s.frontend.certificateArn || s.aws.certificateArn ? undefined : edge.certificateValidationFqdns,
                rateLimitPer5Min: s.edge.rateLimitPer5Min,
                allowedCountryCodes: s.edge.allowedCountries,
                loginPaths: s.edge.loginPaths,
                loginRateLimitPer5Min: s.edge.loginRateLimitPer5Min,
                logRetentionDays: s.observability.logRetentionDays,
            },
            { parent: this },
        );
    }

    /** The WAF web ACL in front of the ALB. */
    private createWaf(name: string, s: StackSettings, common: StackCommon, keys: Keys, edge: Edge): Waf {
        return new Waf(
            `${name}-waf`,
            {
                ...common,
                loadBalancerArn: edge.loadBalancerArn,
                rateLimitPer5Min: s.edge.rateLimitPer5Min,
                allowedCountryCodes: s.edge.allowedCountries,
                loginPaths: s.edge.loginPaths,
                loginRateLimitPer5Min: s.edge.loginRateLimitPer5Min,
                maxRequestBodyMiB: s.edge.maxRequestBodyMiB,
                // Behind the front end's CloudFront the source is an edge server: key on the client CloudFront forwards.
                ...(s.frontend.enabled ? { clientIpHeader: "X-Forwarded-For" } : {}),
                logsKeyArn: keys.logsKeyArn,
                logRetentionDays: s.observability.logRetentionDays,
            },
            { parent: this },
        );
    }

    /** PostgreSQL (RDS), reachable from the API's security group. */
    private createDatabase(name: string, s: StackSettings, args: AwsRagStackArgs, common: StackCommon, deps: DataStoreDeps): Database {
        const { keys, network, api } = deps;
        return new Database(
            `${name}-db`,
            {
                ...common,
                vpcId: network.vpcId,
                subnetIds: network.isolatedSubnetIds,
                allowedSecurityGroupIds: [api.securityGroupId, ...(s.aws.dataTierClientSecurityGroupIds ?? [])],
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
                logRetentionDays: s.observability.logRetentionDays,
                parameters: s.database.parameters,
            },
            { parent: this },
        );
    }

    /** Valkey (ElastiCache), reachable from the API's security group. */
    private createCache(name: string, s: StackSettings, common: StackCommon, deps: DataStoreDeps): Cache {
        const { keys, network, api } = deps;
        return new Cache(
            `${name}-cache`,
            {
                ...common,
                vpcId: network.vpcId,
                subnetIds: network.isolatedSubnetIds,
                allowedSecurityGroupIds: [api.securityGroupId, ...(s.aws.dataTierClientSecurityGroupIds ?? [])],
                kmsKeyArn: keys.dataKeyArn,
                logsKeyArn: keys.logsKeyArn,
                nodeType: s.cache.nodeType,
                replicas: s.cache.replicas,
                automaticFailover: s.cache.automaticFailover,
                snapshotRetentionDays: s.cache.snapshotRetentionDays,
                logRetentionDays: s.observability.logRetentionDays,
                secretsRotatedOn: s.secrets.rotatedOn,
            },
            { parent: this },
        );
    }

    /** Tiered, locked, off-site recovery points of the database and the documents (AWS Backup). */
    private createBackup(name: string, s: StackSettings, args: AwsRagStackArgs, common: StackCommon, keys: Keys, db: Database, storage: Storage): void {
        new Backup(
            `${name}-backup`,
            {
                ...common,
                resourceArns: [db.arn, storage.documentsBucketArn],
                kmsKeyArn: keys.dataKeyArn,
                tiers: s.recovery.backupTiers,
                copyRegion: s.database.crossRegionBackup ? s.aws.backupRegion : undefined,
                copyProvider: args.backupRegionProvider,
            },
            { parent: this },
        );
    }

    /** The GPU hosts and the Ollama service. */
    private createLlm(name: string, s: StackSettings, common: StackCommon, deps: LlmDeps): Llm {
        const { keys, network, storage, cluster, api, httpsEgress } = deps;
        const offline = !s.aws.internetEgress;
        return new Llm(
            `${name}-llm`,
            {
                ...common,
                vpcId: network.vpcId,
                subnetIds: network.privateSubnetIds,
                clusterArn: cluster.clusterArn,
                clusterName: cluster.clusterName,
                namespaceId: cluster.namespaceId,
                namespaceName: cluster.namespaceName,
                allowedSecurityGroupIds: [api.securityGroupId],
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
                          syncImage: deps.syncImage,
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
                logRetentionDays: s.observability.logRetentionDays,
            },
            { parent: this },
        );
    }

    /** Dashboards, alarms and their topic, the secret-age check. */
    private createObservability(name: string, s: StackSettings, common: StackCommon, deps: ObservabilityDeps): Observability {
        const { keys, edge, cluster, api, db, cache, llm, waf } = deps;
        return new Observability(
            `${name}-observability`,
            {
                ...common,
                logsKeyArn: keys.logsKeyArn,
                alarmTopicArn: s.aws.alarmTopicArn,
                alarmEmails: s.aws.alarmTopicArn ? undefined : s.observability.alarmEmails,
                loadBalancerArnSuffix: edge.loadBalancerArnSuffix,
                targetGroupArnSuffix: edge.targetGroupArnSuffix,
                clusterName: cluster.clusterName,
                apiServiceName: api.serviceName,
                dbInstanceIdentifier: db.instanceIdentifier,
                dbReplicaIdentifiers: db.replicaIdentifiers,
                dbProxyName: s.database.connectionPooler ? db.proxyName.apply((n) => n!) : undefined,
                dbInstanceClass: s.database.instanceClass,
                dbStorageGiB: s.database.storageGiB,
                cacheReplicationGroupId: cache?.replicationGroupId,
                cacheNodeCount: cache ? 1 + s.cache.replicas : undefined,
                gpuAutoScalingGroupName: llm?.autoScalingGroupName,
                gpuMetricsNamespace: llm ? llm.gpuMetricsNamespace : undefined,
                gpuFleetName: llm?.gpuFleetName,
                dbSlowQueryMetric: db.slowQueryMetric,
                llmServiceName: llm?.serviceName,
                webAclMetricName: waf.webAclMetricName,
                alarms: s.observability.alarms,
                secretAge: {
                    // The RDS master password rotates itself (RDS-managed, 7 days); the others by secretsRotatedOn.
                    secretArns: {
                        "api-app-secret": api.appSecretArn,
                        ...(cache ? { "cache-auth": cache.authSecretArn } : {}),
                        "db-master": db.masterSecretArn,
                    },
                    maxAgeDays: s.secrets.maxAgeDays,
                    logRetentionDays: s.observability.logRetentionDays,
                },
            },
            { parent: this },
        );
    }

    /** The CloudTrail trail and its locked bucket (with S3 data events on the documents in production). */
    private createAudit(name: string, s: StackSettings, common: StackCommon, keys: Keys, storage: Storage): void {
        new Audit(
            `${name}-audit`,
            {
                ...common,
                logsKeyArn: keys.logsKeyArn,
                logRetentionDays: Math.max(s.observability.logRetentionDays, 365),
                accessLogBucket: storage.accessLogsBucket,
                objectLock: s.storage.objectLock === "none" ? "none" : { mode: s.storage.objectLock.mode, days: Math.max(s.storage.objectLock.days, 365) },
                // Who read which document: S3 data events on the documents bucket (production).
                dataEventBucketArns: postureFor(s.environment).documentsDataEvents ? [storage.documentsBucketArn] : [],
            },
            { parent: this },
        );
    }

    /** The stack's outputs: endpoints, buckets, secret references, and what other stacks attach to. */
    private publishOutputs(parts: OutputParts): void {
        const { keys, network, edge, cluster, api, db, cache, llm, storage, observability } = parts;
        this.setOutputs({
            url: edge.url,
            databaseEndpoint: db.address,
            databaseReaderEndpoint: db.readerAddress,
            cacheEndpoint: cache ? cache.primaryEndpoint : pulumi.output(undefined),
            llmEndpoint: llm ? llm.endpoint : pulumi.output(undefined),
            documentsBucket: storage.documentsBucket,
            backupsBucket: storage.backupsBucket,
            secretRefs: pulumi.all({
                databaseMasterSecretArn: db.masterSecretArn,
                ...(cache ? { cacheAuthSecretArn: cache.authSecretArn } : {}),
                apiSecretKeyArn: api.appSecretArn,
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
                    api: api.securityGroupId,
                    database: db.securityGroupId,
                    ...(cache ? { cache: cache.securityGroupId } : {}),
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
    }

    /**
     * The API needs data-store endpoints and the data stores need the API's security group:
     * the endpoints are passed as deferred outputs resolved once the stores exist.
     */
    private buildApi(
        name: string,
        s: StackSettings,
        common: StackCommon,
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
        // The deployment alarms (the ALB's 5xx rate and p95 latency) exist once Observability does.
        const alarm5xx = deferred<string>();
        const alarmLatency = deferred<string>();
        const bg = deps.edge.blueGreen;
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
                listenerArn: deps.edge.targetGroupAttachmentArn,
                loadBalancerArnSuffix: deps.edge.loadBalancerArnSuffix,
                targetGroupArnSuffix: deps.edge.targetGroupArnSuffix,
                image: s.api.image,
                port: s.api.port,
                healthPath: s.api.healthPath,
                cpu: s.api.cpu,
                memoryMiB: s.api.memoryMiB,
                ...apiAutoscaling(s.api),
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
                    ...(s.cache.enabled ? { REDIS_HOST: cacheHost.value, REDIS_PORT: "6379", REDIS_TLS: "true" } : {}),
                    OLLAMA_BASE_URL: llmUrl.value,
                    DOCUMENTS_BUCKET: deps.storage.documentsBucket,
                },
                secrets: { ...appSecrets(s.api.secrets), ...(s.cache.enabled ? { REDIS_AUTH_TOKEN: { secretArn: cacheSecret.value } } : {}) },
                cacheEnabled: s.cache.enabled,
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
                    extensions: s.database.extensions,
                },
                logRetentionDays: s.observability.logRetentionDays,
                deploymentAlarmNames: [alarm5xx.value, alarmLatency.value],
                blueGreen: bg
                    ? {
                          alternateTargetGroupArn: bg.alternateTargetGroupArn,
                          productionListenerRuleArn: bg.productionListenerRuleArn,
                          testListenerRuleArn: bg.testListenerRuleArn,
                          listenerArns: bg.listenerArns,
                          bakeMinutes: s.delivery.bakeMinutes,
                      }
                    : undefined,
            },
            { parent: this },
        );
        return {
            service,
            resolveAlarms: (observability: Observability) => {
                alarm5xx.resolve(observability.alarmNameByKey["alb-5xx-rate"]);
                alarmLatency.resolve(observability.alarmNameByKey["alb-p95-latency"]);
            },
            resolveData: (db: Database, cache: Cache | undefined) => {
                // Writes through the RDS Proxy when there is one; reads on the replica.
                dbHost.resolve(s.database.connectionPooler ? db.proxyEndpoint.apply((e) => e!) : db.address);
                dbReader.resolve(db.readerAddress);
                dbPrimary.resolve(db.address);
                dbSecret.resolve(db.masterSecretArn);
                const ids = [db.resourceId, ...db.replicaResourceIds, ...(s.database.connectionPooler ? [db.proxyResourceId.apply((id) => id!)] : [])];
                ids.forEach((id, i) => dbResources[i].resolve(id));
                if (cache) {
                    cacheHost.resolve(cache.primaryEndpoint);
                    cacheSecret.resolve(cache.authSecretArn);
                }
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

/** What every component of the stack takes. */
interface StackCommon {
    environment: StackSettings["environment"];
    namePrefix: string;
    tags: Record<string, string>;
    protectData: boolean;
    accountId?: string;
}

/** What the data stores need from the components before them. */
interface DataStoreDeps {
    keys: Keys;
    network: Network;
    api: ApiService;
}

/** What the LLM needs from the components before it. */
interface LlmDeps extends DataStoreDeps {
    storage: Storage;
    cluster: EcsCluster;
    httpsEgress: HttpsEgress;
    /** The model sync image (through the ECR Public cache when offline). */
    syncImage: pulumi.Input<string>;
}

/** What observability watches. */
interface ObservabilityDeps {
    keys: Keys;
    edge: Edge;
    cluster: EcsCluster;
    api: ApiService;
    db: Database;
    /** Absent when the cache is disabled. */
    cache?: Cache;
    llm?: Llm;
    waf: Waf;
}

/** The components the stack's outputs come from. */
interface OutputParts {
    keys: Keys;
    network: Network;
    edge: Edge;
    cluster: EcsCluster;
    api: ApiService;
    db: Database;
    /** Absent when the cache is disabled. */
    cache?: Cache;
    llm?: Llm;
    storage: Storage;
    observability: Observability;
}

/** Refuses bad settings before anything is registered. */
function validateAwsStack(name: string, s: StackSettings): void {
    validateStackSettings(s, `AwsRagStack ${name}`, "aws");
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
}
