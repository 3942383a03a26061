import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { families, inCatalog, minMaxAllocatedStorage, RDS_INSTANCE_CLASSES } from "../core/aws-catalog";
import { managedParameter, PARAMETER_NAME } from "../core/postgres-catalog";
import { Validator } from "../core/validation";
import { checkBackupRetention, checkLogRetention, checkRestoreSource, defaultsFor, RestoreSource } from "../settings";
import {
    accountIdOf,
    admittingSecurityGroup,
    assumeRolePolicy,
    AwsCommonArgs,
    AwsContext,
    managedPolicyArn,
    partitionOf,
    policyDocument,
    serviceKeyPolicy,
} from "./common";

/** Application role the API connects as (IAM auth). Created by the bootstrap SQL. */
export const APP_DB_USER = "rag_app";
/** Database name. */
export const DB_NAME = "rag";

/**
 * SQL run against the database (by the API service's `db-bootstrap` task; every statement may
 * run again): pgvector, pg_stat_statements (preloaded by the parameter group), the `extensions`
 * asked for (`dbExtensions`) and the IAM-authenticated application role. pgvector on RDS needs
 * no preload, only the extension.
 */
export function bootstrapSql(extensions: readonly string[] = []): string {
    return [
        "CREATE EXTENSION IF NOT EXISTS vector;",
        "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;",
        ...extensions.filter((e) => e !== "vector" && e !== "pg_stat_statements").map((e) => `CREATE EXTENSION IF NOT EXISTS "${e}";`),
        ...ROLE_SQL,
    ].join(" ");
}

const ROLE_SQL = [
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_DB_USER}') THEN CREATE ROLE ${APP_DB_USER} LOGIN; END IF; END $$;`,
    `GRANT rds_iam TO ${APP_DB_USER};`,
    `GRANT CONNECT ON DATABASE ${DB_NAME} TO ${APP_DB_USER};`,
    `GRANT USAGE, CREATE ON SCHEMA public TO ${APP_DB_USER};`,
];

/** The bootstrap SQL without extra extensions. */
export const BOOTSTRAP_SQL = bootstrapSql();

/** The primary's inputs for a restore source (or a new, empty database). */
function restoreInputs(r: RestoreSource | undefined, dbName: string): Partial<aws.rds.InstanceArgs> {
    if (!r) return { dbName, username: "rag_admin" };
    if (r.kind === "snapshot") return { snapshotIdentifier: r.source };
    const fromReplicatedBackups = r.source.startsWith("arn:");
    return {
        restoreToPointInTime: {
            ...(fromReplicatedBackups ? { sourceDbInstanceAutomatedBackupsArn: r.source } : { sourceDbInstanceIdentifier: r.source }),
            ...(r.time ? { restoreTime: r.time } : { useLatestRestorableTime: true }),
        },
    };
}

export interface DatabaseArgs extends AwsCommonArgs {
    /** VPC the resources are created in. */
    vpcId: pulumi.Input<string>;
    /** Isolated subnets (no route out) in at least two AZs. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Security groups allowed on 5432 (the API, and the LLM if it needs the database). */
    allowedSecurityGroupIds: pulumi.Input<string>[];
    /** Customer-managed KMS key for storage, Performance Insights and the master secret. */
    kmsKeyArn: pulumi.Input<string>;
    /** PostgreSQL major version (15, 16 or 17). @default "16" */
    engineVersion?: string;
    /** RDS instance class. @default "db.r6g.large" staging, "db.r6g.xlarge" production */
    instanceClass?: string;
    /** Allocated storage, GiB. @default 50 */
    allocatedStorageGiB?: number;
    /** Storage autoscaling ceiling. @default 4 x allocatedStorageGiB */
    maxAllocatedStorageGiB?: number;
    /** Days of automated backups and point-in-time recovery (1..35). @default 7 staging, 30 production */
    backupRetentionDays?: number;
    /** Synchronous standby in a second AZ. @default environment === "production" */
    multiAz?: boolean;
    /** Read replicas of the primary. @default 0 staging, 1 production */
    readReplicas?: number;
    /** Refuse deletion of the resource. @default environment === "production" */
    deletionProtection?: boolean;
    /** Replicate automated backups to `backupRegion`. @default environment === "production" */
    crossRegionBackup?: boolean;
    /** Region backups are replicated to. Required when crossRegionBackup is on. */
    backupRegion?: string;
    /**
     * Provider of `backupRegion` (your credentials, an assumed role, endpoints); its region must be
     * `backupRegion`. @default a provider built from `backupRegion` alone
     */
    backupProvider?: aws.Provider;
    /**
     * An RDS Proxy in front of the primary: IAM authentication end to end (clients and the proxy's
     * own connections to the database), TLS required, in the database's subnets, admitting only
     * `allowedSecurityGroupIds`. Autoscaled API tasks share its pool instead of exhausting
     * `max_connections`. @default environment === "production"
     */
    connectionProxy?: boolean;
    /**
     * Create the primary from backups instead of empty (docs/restore.md): a point in time of an
     * instance (`source`: its identifier, or the ARN of its replicated automated backups in this
     * region) or a DB snapshot. Creation only: later changes are ignored, never a replacement.
     * @default none (an empty database)
     */
    restoreFrom?: RestoreSource;
    /** Days PostgreSQL logs stay in CloudWatch. @default 90 */
    logRetentionDays?: number;
    /** KMS key for the exported log groups. */
    logsKeyArn: pulumi.Input<string>;
    /**
     * Name of the database created in a new instance. The stack's API and its `db-bootstrap` task
     * use `rag`: with another name, run your own bootstrap (see BOOTSTRAP_SQL). @default "rag"
     */
    databaseName?: string;
    /**
     * More PostgreSQL parameters for the parameter group (name -> value, applied at the next
     * reboot: `pending-reboot`). The ones the library manages cannot be overridden: TLS
     * (`rds.force_ssl`, `ssl*`), `shared_preload_libraries`, `password_encryption` and the logging
     * the slow-query metric reads (components/core/postgres-catalog.ts). @default {}
     */
    parameters?: Record<string, string>;
    /** Daily automated backup window, UTC `hh:mm-hh:mm` (at least 30 minutes). @default "02:00-03:00" */
    backupWindow?: string;
    /** Weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm`, not overlapping the backup window. @default "sun:03:30-sun:04:30" */
    maintenanceWindow?: string;
    /** Provisioned gp3 IOPS (12,000 to 64,000; gp3 below 400 GiB has a fixed 3,000). @default the gp3 baseline */
    iops?: number;
    /** Provisioned gp3 throughput, MiB/s (500 to 4,000; with `iops`). @default the gp3 baseline */
    storageThroughputMiBps?: number;
}

/**
 * RDS PostgreSQL with pgvector in isolated subnets: KMS-encrypted storage, master password
 * managed by Secrets Manager (CMK), IAM database authentication, TLS forced by the parameter
 * group, Multi-AZ and read replicas per environment, Performance Insights with KMS, enhanced
 * monitoring, log export, storage autoscaling, final snapshot, deletion protection and
 * cross-region backup replication in production.
 */
export class Database extends pulumi.ComponentResource {
    /** Host name of the primary. */
    readonly address: pulumi.Output<string>;
    /** Host name of the first read replica (the primary when there is none). */
    readonly readerAddress: pulumi.Output<string>;
    /** Port the service listens on. */
    readonly port: pulumi.Output<number>;
    /** Identifier of the primary. */
    readonly instanceIdentifier: pulumi.Output<string>;
    /** ARN of the primary (AWS Backup selections). */
    readonly arn: pulumi.Output<string>;
    /** Resource id of the primary (for `rds-db:connect` ARNs). */
    readonly resourceId: pulumi.Output<string>;
    /** ARN of the Secrets Manager secret RDS manages for the master user. */
    readonly masterSecretArn: pulumi.Output<string>;
    /** Security group of the component (reference it to allow traffic). */
    readonly securityGroupId: pulumi.Output<string>;
    /** Identifiers of the read replicas. */
    readonly replicaIdentifiers: pulumi.Output<string>[];
    /** Resource ids of the read replicas (IAM authentication is per instance: grant `rds-db:connect` on each). */
    readonly replicaResourceIds: pulumi.Output<string>[];
    /** Host name of the RDS Proxy (undefined without one): where writes go when it exists. */
    readonly proxyEndpoint: pulumi.Output<string | undefined>;
    /** Resource id of the RDS Proxy (`prx-…`, for `rds-db:connect` ARNs; undefined without one). */
    readonly proxyResourceId: pulumi.Output<string | undefined>;
    /** Name of the RDS Proxy (CloudWatch dimension `ProxyName`; undefined without one). */
    readonly proxyName: pulumi.Output<string | undefined>;
    /** CloudWatch metric counting statements slower than 1 s (from the PostgreSQL log). */
    readonly slowQueryMetric: { namespace: string; name: string };
    /** Name of the application database. */
    readonly databaseName = DB_NAME;
    /** Database role the API connects as (IAM authentication). */
    readonly appUser = APP_DB_USER;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        const s = databaseSettings(name, args);
        super(typeToken("aws", "Database"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);
        const accountId = accountIdOf(args, this);
        const partition = partitionOf(this);

        const sg = admittingSecurityGroup(ctx, {
            key: "db",
            ruleKey: "db-from-app",
            vpcId: args.vpcId,
            tier: "data",
            port: 5432,
            what: "PostgreSQL",
            from: "the application tier",
            sources: args.allowedSecurityGroupIds,
        });
        const subnetGroup = new aws.rds.SubnetGroup(
            ctx.childName("subnets"),
            { subnetIds: args.subnetIds, description: "Isolated subnets", tags: ctx.tags("db-subnets") },
            ctx.opts(),
        );
        const params = this.createParameterGroup(ctx, args, s);
        const monitoringRole = this.createMonitoringRole(ctx, accountId, partition);
        const identifier = ctx.physical("postgres", 63);
        const logGroups = this.exportLogGroups(ctx, args, identifier, "");
        const slowQueryMetric = this.countSlowQueries(ctx, identifier, logGroups[0]);
        const shared = instanceSettings(args, s, { sg, params, monitoringRole });
        const primary = this.createPrimary(ctx, args, s, shared, { identifier, subnetGroup, logGroups });
        const replicas = this.createReplicas(ctx, args, s, shared, identifier, primary);
        if (s.crossRegionBackup) this.replicateBackups(ctx, args, s, primary, accountId, partition);

        const proxy = s.connectionProxy ? this.createProxy(ctx, args, { primary, dbSecurityGroup: sg, accountId, identifier }) : undefined;

        this.slowQueryMetric = slowQueryMetric;
        this.address = primary.address;
        this.proxyEndpoint = proxy ? proxy.endpoint : pulumi.output(undefined);
        this.proxyName = proxy ? proxy.name : pulumi.output(undefined);
        this.proxyResourceId = proxy ? proxy.arn.apply((arn) => arn.split(":").pop()!) : pulumi.output(undefined);
        this.port = pulumi.output(5432);
        this.readerAddress = replicas.length > 0 ? replicas[0].address : primary.address;
        this.instanceIdentifier = primary.identifier;
        this.resourceId = primary.resourceId;
        this.arn = primary.arn;
        this.masterSecretArn = primary.masterUserSecrets.apply((ms) => ms?.[0]?.secretArn ?? "");
        this.securityGroupId = sg.id;
        this.replicaIdentifiers = replicas.map((r) => r.identifier);
        this.replicaResourceIds = replicas.map((r) => r.resourceId);
        this.registerOutputs({
            address: this.address,
            readerAddress: this.readerAddress,
            proxyEndpoint: this.proxyEndpoint,
            masterSecretArn: this.masterSecretArn,
        });
    }

    /** The parameter group: TLS forced, slow queries and connections logged, pg_stat_statements, the caller's parameters. */
    private createParameterGroup(ctx: AwsContext, args: DatabaseArgs, s: DatabaseSettings): aws.rds.ParameterGroup {
        const major = s.engineVersion.split(".")[0];
        return new aws.rds.ParameterGroup(
            ctx.childName("params"),
            {
                family: `postgres${major}`,
                description: "TLS forced, slow queries logged",
                parameters: [
                    { name: "rds.force_ssl", value: "1" },
                    { name: "ssl_min_protocol_version", value: "TLSv1.2" },
                    { name: "log_min_duration_statement", value: "1000" },
                    { name: "log_connections", value: "1" },
                    { name: "log_disconnections", value: "1" },
                    { name: "shared_preload_libraries", value: "pg_stat_statements", applyMethod: "pending-reboot" },
                    ...Object.entries(args.parameters ?? {}).map(([name, value]) => ({ name, value, applyMethod: "pending-reboot" })),
                ],
                tags: ctx.tags("db-params"),
            },
            ctx.opts(),
        );
    }

    /** The enhanced-monitoring role. */
    private createMonitoringRole(ctx: AwsContext, accountId: pulumi.Input<string>, partition: pulumi.Input<string>): aws.iam.Role {
        const monitoringRole = new aws.iam.Role(
            ctx.childName("monitoring"),
            { assumeRolePolicy: assumeRolePolicy("monitoring.rds.amazonaws.com", accountId), tags: ctx.tags("db-monitoring") },
            ctx.opts(),
        );
        new aws.iam.RolePolicyAttachment(
            ctx.childName("monitoring"),
            { role: monitoringRole.name, policyArn: managedPolicyArn(partition, "AmazonRDSEnhancedMonitoringRole") },
            ctx.opts(),
        );
        return monitoringRole;
    }

    /**
     * Each instance's exported logs go to groups created here first (retention, the logs key):
     * a group RDS creates itself never expires and is not encrypted with the stack's key.
     * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html
     */
    private exportLogGroups(ctx: AwsContext, args: DatabaseArgs, id: string, part: string): aws.cloudwatch.LogGroup[] {
        return LOG_EXPORTS.map(
            (l) =>
                new aws.cloudwatch.LogGroup(
                    ctx.childName(`${part}log-${l}`),
                    {
                        name: `/aws/rds/instance/${id}/${l}`,
                        retentionInDays: args.logRetentionDays ?? 90,
                        kmsKeyId: args.logsKeyArn,
                        tags: ctx.tags(`db-${part}log-${l}`),
                    },
                    ctx.opts(),
                ),
        );
    }

    /** Statements slower than log_min_duration_statement (1 s) counted from the PostgreSQL log. */
    private countSlowQueries(ctx: AwsContext, identifier: string, logGroup: aws.cloudwatch.LogGroup): { namespace: string; name: string } {
        const slowQueryMetric = { namespace: "RagStack/Database", name: `${identifier}-slow-queries` };
        new aws.cloudwatch.LogMetricFilter(
            ctx.childName("slow-queries"),
            {
                logGroupName: logGroup.name,
                pattern: '"duration:"',
                metricTransformation: { namespace: slowQueryMetric.namespace, name: slowQueryMetric.name, value: "1", defaultValue: "0", unit: "Count" },
            },
            ctx.opts(),
        );
        return slowQueryMetric;
    }

    /** The primary instance (protected), after its log groups. */
    private createPrimary(
        ctx: AwsContext,
        args: DatabaseArgs,
        s: DatabaseSettings,
        shared: ReturnType<typeof instanceSettings>,
        deps: { identifier: string; subnetGroup: aws.rds.SubnetGroup; logGroups: aws.cloudwatch.LogGroup[] },
    ): aws.rds.Instance {
        return new aws.rds.Instance(
            ctx.childName("primary"),
            {
                ...shared,
                identifier: deps.identifier,
                engine: "postgres",
                engineVersion: s.engineVersion,
                // A restore brings its database, master user and data from the backup.
                ...restoreInputs(args.restoreFrom, args.databaseName ?? DB_NAME),
                manageMasterUserPassword: true,
                masterUserSecretKmsKeyId: args.kmsKeyArn,
                allocatedStorage: s.storage,
                maxAllocatedStorage: s.maxStorage,
                dbSubnetGroupName: deps.subnetGroup.name,
                multiAz: s.multiAz,
                backupRetentionPeriod: s.backupRetentionDays,
                backupWindow: s.backupWindow,
                maintenanceWindow: s.maintenanceWindow,
                skipFinalSnapshot: false,
                finalSnapshotIdentifier: `${deps.identifier}-final`,
                deleteAutomatedBackups: false,
                tags: ctx.tags("postgres", { Role: "primary" }),
            },
            // Where it was restored from matters at creation only: never replace the primary for it.
            ctx.dataOpts({ dependsOn: deps.logGroups, ignoreChanges: ["restoreToPointInTime", "snapshotIdentifier", "dbName", "username"] }),
        );
    }

    /** The read replicas, each after its log groups. */
    private createReplicas(
        ctx: AwsContext,
        args: DatabaseArgs,
        s: DatabaseSettings,
        shared: ReturnType<typeof instanceSettings>,
        identifier: string,
        primary: aws.rds.Instance,
    ): aws.rds.Instance[] {
        const replicas: aws.rds.Instance[] = [];
        for (let i = 0; i < s.readReplicas; i++) {
            const replicaId = `${identifier}-replica-${i}`.slice(0, 63);
            const replicaLogs = this.exportLogGroups(ctx, args, replicaId, `replica-${i}-`);
            replicas.push(
                new aws.rds.Instance(
                    ctx.childName(`replica-${i}`),
                    {
                        ...shared,
                        identifier: replicaId,
                        replicateSourceDb: primary.identifier,
                        multiAz: false,
                        backupRetentionPeriod: 0,
                        skipFinalSnapshot: true,
                        tags: ctx.tags(`postgres-replica-${i}`, { Role: "replica" }),
                    },
                    ctx.dataOpts({ dependsOn: replicaLogs }),
                ),
            );
        }
        return replicas;
    }

    /** Automated backups replicated to the backup region, encrypted with a key of their own there. */
    private replicateBackups(
        ctx: AwsContext,
        args: DatabaseArgs,
        s: DatabaseSettings,
        primary: aws.rds.Instance,
        accountId: pulumi.Input<string>,
        partition: pulumi.Input<string>,
    ): void {
        const backupProvider = args.backupProvider ?? new aws.Provider(ctx.childName("backup-region"), { region: args.backupRegion }, { parent: this });
        const backupKey = new aws.kms.Key(
            ctx.childName("backup-key"),
            {
                description: `${ctx.prefix} replicated RDS backups`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                // An explicit policy (not the default "the account may do anything"): the account
                // administers the key; only RDS in the backup region uses it.
                policy: serviceKeyPolicy(accountId, [`rds.${args.backupRegion}.amazonaws.com`], partition),
                tags: ctx.tags("backup-key"),
            },
            ctx.dataOpts({ provider: backupProvider }),
        );
        new aws.rds.InstanceAutomatedBackupsReplication(
            ctx.childName("backup-replication"),
            { sourceDbInstanceArn: primary.arn, kmsKeyId: backupKey.arn, retentionPeriod: s.backupRetentionDays },
            ctx.opts({ provider: backupProvider }),
        );
    }

    /**
     * RDS Proxy with IAM authentication end to end (`defaultAuthScheme: IAM_AUTH`): no secret is
     * stored for it; its role may connect as the application user on the primary only.
     */
    private createProxy(
        ctx: AwsContext,
        args: DatabaseArgs,
        deps: { primary: aws.rds.Instance; dbSecurityGroup: aws.ec2.SecurityGroup; accountId: pulumi.Output<string>; identifier: string },
    ): aws.rds.Proxy {
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const proxySg = admittingSecurityGroup(ctx, {
            key: "proxy",
            ruleKey: "proxy-from-app",
            vpcId: args.vpcId,
            tier: "data",
            port: 5432,
            what: "RDS Proxy",
            from: "the application tier",
            sources: args.allowedSecurityGroupIds,
        });
        new aws.vpc.SecurityGroupEgressRule(
            ctx.childName("proxy-to-db"),
            {
                securityGroupId: proxySg.id,
                ipProtocol: "tcp",
                fromPort: 5432,
                toPort: 5432,
                referencedSecurityGroupId: deps.dbSecurityGroup.id,
                description: "RDS Proxy to the PostgreSQL instances",
            },
            ctx.opts(),
        );
        new aws.vpc.SecurityGroupIngressRule(
            ctx.childName("db-from-proxy"),
            {
                securityGroupId: deps.dbSecurityGroup.id,
                ipProtocol: "tcp",
                fromPort: 5432,
                toPort: 5432,
                referencedSecurityGroupId: proxySg.id,
                description: "PostgreSQL from the RDS Proxy",
            },
            ctx.opts(),
        );
        const role = new aws.iam.Role(
            ctx.childName("proxy"),
            { assumeRolePolicy: assumeRolePolicy("rds.amazonaws.com", deps.accountId), tags: ctx.tags("db-proxy") },
            ctx.opts(),
        );
        new aws.iam.RolePolicy(
            ctx.childName("proxy"),
            {
                role: role.id,
                policy: policyDocument([
                    {
                        Sid: "ConnectAsTheAppUserOnThePrimary",
                        Effect: "Allow",
                        Action: ["rds-db:connect"],
                        Resource: [
                            pulumi.interpolate`arn:${partitionOf(this)}:rds-db:${region}:${deps.accountId}:dbuser:${deps.primary.resourceId}/${APP_DB_USER}`,
                        ],
                    },
                ]),
            },
            ctx.opts(),
        );
        const proxy = new aws.rds.Proxy(
            ctx.childName("proxy"),
            {
                name: ctx.physical("proxy", 60),
                engineFamily: "POSTGRESQL",
                defaultAuthScheme: "IAM_AUTH",
                requireTls: true,
                debugLogging: false,
                idleClientTimeout: 1800,
                roleArn: role.arn,
                vpcSubnetIds: args.subnetIds,
                vpcSecurityGroupIds: [proxySg.id],
                tags: ctx.tags("db-proxy"),
            },
            ctx.opts(),
        );
        const targetGroup = new aws.rds.ProxyDefaultTargetGroup(
            ctx.childName("proxy"),
            {
                dbProxyName: proxy.name,
                connectionPoolConfig: { maxConnectionsPercent: 80, maxIdleConnectionsPercent: 40, connectionBorrowTimeout: 30 },
            },
            ctx.opts(),
        );
        new aws.rds.ProxyTarget(
            ctx.childName("proxy"),
            { dbProxyName: proxy.name, targetGroupName: targetGroup.name, dbInstanceIdentifier: deps.primary.identifier },
            ctx.opts(),
        );
        return proxy;
    }
}

/** Logs every instance exports to CloudWatch. */
const LOG_EXPORTS = ["postgresql", "upgrade", "iam-db-auth-error"];

/** The settings the arguments resolve to (environment defaults applied). */
type DatabaseSettings = ReturnType<typeof databaseSettings>;

/** The settings of a Database, refusing bad arguments before anything is registered. */
function databaseSettings(name: string, args: DatabaseArgs) {
    const d = defaultsFor(args.environment).database;
    const s = {
        engineVersion: args.engineVersion ?? d.engineVersion,
        instanceClass: args.instanceClass ?? d.instanceClass,
        storage: args.allocatedStorageGiB ?? 50,
        backupRetentionDays: args.backupRetentionDays ?? d.backupRetentionDays,
        multiAz: args.multiAz ?? d.multiAz,
        readReplicas: args.readReplicas ?? d.readReplicas,
        deletionProtection: args.deletionProtection ?? d.deletionProtection,
        crossRegionBackup: args.crossRegionBackup ?? d.crossRegionBackup,
        connectionProxy: args.connectionProxy ?? d.connectionPooler,
    };
    const maxStorage = args.maxAllocatedStorageGiB ?? s.storage * 4;
    const v = new Validator(`Database ${name}`);
    v.matches("engineVersion", s.engineVersion, /^(15|16|17)(\.\d+)?$/, "PostgreSQL 15, 16 or 17");
    v.int("allocatedStorageGiB", s.storage, 20, 65536);
    v.int("maxAllocatedStorageGiB", maxStorage, minMaxAllocatedStorage(s.storage), 65536);
    if (!inCatalog(RDS_INSTANCE_CLASSES, s.instanceClass))
        v.fail("instanceClass", s.instanceClass, `an RDS for PostgreSQL instance class (families: ${families(RDS_INSTANCE_CLASSES)})`);
    checkLogRetention(v, "logRetentionDays", args.logRetentionDays ?? 90);
    checkBackupRetention(v, "backupRetentionDays", s.backupRetentionDays, args.environment ?? "staging");
    v.int("readReplicas", s.readReplicas, 0, 5);
    checkRestoreSource(v, "restoreFrom", args.restoreFrom);
    if (s.crossRegionBackup) v.awsRegion("backupRegion", args.backupRegion);
    if (!Array.isArray(args.allowedSecurityGroupIds) || args.allowedSecurityGroupIds.length === 0)
        v.fail("allowedSecurityGroupIds", args.allowedSecurityGroupIds, "at least one security group id (the API's)");
    v.matches("databaseName", args.databaseName ?? DB_NAME, /^[a-z][a-z0-9_]{0,62}$/, "a PostgreSQL identifier: lower-case letter, then letters, digits or _");
    for (const [p, value] of Object.entries(args.parameters ?? {})) {
        const managed = managedParameter(p, "aws");
        if (managed) v.fail(`parameters.${p}`, value, `a parameter the stack does not manage: ${p} is ${managed}`);
        else if (!PARAMETER_NAME.test(p) || typeof value !== "string") v.fail(`parameters.${p}`, value, "a PostgreSQL parameter name with a string value");
    }
    const backupWindow = args.backupWindow ?? "02:00-03:00";
    const maintenanceWindow = args.maintenanceWindow ?? "sun:03:30-sun:04:30";
    checkDbWindows(v, backupWindow, maintenanceWindow);
    if (args.iops !== undefined || args.storageThroughputMiBps !== undefined) {
        if (s.storage < 400)
            v.fail(
                "iops / storageThroughputMiBps",
                args.iops ?? args.storageThroughputMiBps,
                "only with allocatedStorageGiB >= 400 (gp3 below 400 GiB has a fixed 3,000 IOPS and 125 MiB/s)",
            );
        v.int("iops", args.iops, 12000, 64000);
        v.int("storageThroughputMiBps", args.storageThroughputMiBps, 500, 4000);
    }
    v.throwIfAny();
    return { ...s, maxStorage, backupWindow, maintenanceWindow };
}

/** What the primary and the replicas share. */
function instanceSettings(
    args: DatabaseArgs,
    s: DatabaseSettings,
    deps: { sg: aws.ec2.SecurityGroup; params: aws.rds.ParameterGroup; monitoringRole: aws.iam.Role },
) {
    return {
        instanceClass: s.instanceClass,
        storageType: "gp3",
        ...(args.iops !== undefined ? { iops: args.iops, storageThroughput: args.storageThroughputMiBps } : {}),
        storageEncrypted: true,
        kmsKeyId: args.kmsKeyArn,
        publiclyAccessible: false,
        vpcSecurityGroupIds: [deps.sg.id],
        parameterGroupName: deps.params.name,
        iamDatabaseAuthenticationEnabled: true,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: args.kmsKeyArn,
        performanceInsightsRetentionPeriod: 7,
        monitoringInterval: 60,
        monitoringRoleArn: deps.monitoringRole.arn,
        enabledCloudwatchLogsExports: LOG_EXPORTS,
        autoMinorVersionUpgrade: true,
        copyTagsToSnapshot: true,
        caCertIdentifier: "rds-ca-rsa2048-g1",
        deletionProtection: s.deletionProtection,
    };
}

/** Minutes since the week's start of `ddd:hh:mm`, or of the day for `hh:mm`. */
function minutesOf(t: string): number {
    const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    const parts = t.split(":");
    const [d, h, m] = parts.length === 3 ? parts : ["", ...parts];
    return (d ? days.indexOf(d) : 0) * 1440 + Number(h) * 60 + Number(m);
}

/** The backup window (daily, at least 30 min) and the maintenance window (weekly, at least 30 min) do not overlap. */
function checkDbWindows(v: Validator, backup: string, maintenance: string): void {
    const hhmm = "([01]\\d|2[0-3]):[0-5]\\d";
    if (!v.matches("backupWindow", backup, new RegExp(`^${hhmm}-${hhmm}$`), "UTC hh:mm-hh:mm, e.g. 02:00-03:00")) return;
    if (
        !v.matches(
            "maintenanceWindow",
            maintenance,
            new RegExp(`^(mon|tue|wed|thu|fri|sat|sun):${hhmm}-(mon|tue|wed|thu|fri|sat|sun):${hhmm}$`),
            "UTC ddd:hh:mm-ddd:hh:mm, e.g. sun:03:30-sun:04:30",
        )
    )
        return;
    const [b0, b1] = backup.split("-").map(minutesOf);
    const [m0, m1] = maintenance.split("-").map(minutesOf);
    const bLen = (b1 - b0 + 1440) % 1440;
    if (bLen < 30) v.fail("backupWindow", backup, "a window of at least 30 minutes");
    if ((m1 - m0 + 10080) % 10080 < 30) v.fail("maintenanceWindow", maintenance, "a window of at least 30 minutes");
    // The daily backup window, on every day, against the weekly maintenance window.
    for (let day = 0; day < 7; day++) {
        const start = day * 1440 + b0;
        const end = start + bLen;
        const mEnd = m0 + ((m1 - m0 + 10080) % 10080);
        if ([0, 10080].some((wrap) => start + wrap < mEnd && m0 < end + wrap)) {
            v.fail("maintenanceWindow", maintenance, `a window that does not overlap the backup window ${backup}`);
            return;
        }
    }
}
