/**
 * Database and backup settings on both targets: dbExtensions, dbParameters, dbEngineVersion on
 * Kubernetes, pg_stat_statements on Kubernetes and backupTiers. Each key reaches the rendered
 * resources' real inputs on both targets (through the offline plan); refused values exit 2 naming
 * the key and what is allowed. The catalog's tables are pinned against the facts they cite.
 */
import * as assert from "assert";
import { ApiService } from "../components/aws/api-service";
import { BACKUP_SCHEDULES } from "../components/aws/backup";
import { bootstrapSql } from "../components/aws/database";
import {
    CNPG_FIXED_PARAMETERS,
    CNPG_STANDARD_EXTENSIONS,
    CNPG_STANDARD_IMAGES,
    imageMajor,
    managedParameter,
    RDS_POSTGRES_EXTENSIONS,
} from "../components/core/postgres-catalog";
import { DEFAULT_IMAGES } from "../components/core/facts";
import { CNPG_BACKUP_SCHEDULES } from "../components/kubernetes/database";
import * as kubernetes from "@pulumi/kubernetes";
import * as k8s from "../components/kubernetes";
import { ValidationError } from "../components/core/validation";
import { installMocks, settle } from "../testing/mocks";
import { RecordedResource } from "../testing/mocks";
import { cli } from "./harness/cli";
import { judgeServiceRules, SERVICE_RULES } from "./judges/service-rules";

type Resource = { type: string; name: string; inputs: any };
/** A team's own PostGIS image, by digest as production requires (kubernetes-core-pod-require-image-digests). */
const POSTGIS = "registry.example.gov/postgis-cnpg:16.10-3.5";
const plan = async (...argv: string[]): Promise<Resource[]> => {
    const r = await cli(...argv, "--json");
    assert.strictEqual(r.code, 0, r.stderr + r.stdout.slice(0, 400));
    return (JSON.parse(r.stdout) as { resources: Resource[] }).resources;
};
const refused = async (argv: string[], key: RegExp, allowed: RegExp) => {
    const r = await cli(...argv);
    assert.strictEqual(r.code, 2, r.stdout + r.stderr);
    const text = r.stdout + r.stderr;
    assert.match(text, key);
    assert.match(text, allowed);
};
const kind = (rs: Resource[], k: string) => rs.filter((r) => r.inputs?.kind === k);
const clusterOf = (rs: Resource[]) => kind(rs, "Cluster")[0].inputs.spec;
const bootstrapSqlOf = (rs: Resource[]) => {
    const td = rs.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && r.name.endsWith("db-bootstrap"))!;
    const defs = JSON.parse(td.inputs.containerDefinitions) as { name: string; environment: { name: string; value: string }[] }[];
    return defs.find((d) => d.name === "psql")!.environment.find((e) => e.name === "SQL")!.value;
};
const paramsOf = (rs: Resource[]) => rs.find((r) => r.type === "aws:rds/parameterGroup:ParameterGroup")!.inputs;
const rulesOf = (rs: Resource[]) => rs.find((r) => r.type === "aws:backup/plan:Plan")!.inputs.rules as any[];

describe("kubernetes.ObjectStorage documentsReader", () => {
    it("in-cluster: an identity that reads and lists documents only, its Secret in the data namespace; external: the existing Secret required", async () => {
        const log = installMocks();
        const storage = new k8s.ObjectStorage("os", {
            provider: new kubernetes.Provider("p", {}),
            environment: "staging",
            mode: "in-cluster",
            documentsNamespace: "app",
            dataNamespace: "data",
            image: DEFAULT_IMAGES.seaweedfs,
            setupImage: DEFAULT_IMAGES.awsCli,
            documentsReader: true,
        });
        await settle();
        assert.strictEqual(storage.documentsReaderSecretName, "object-storage-documents-reader");
        const config = log.ofType("kubernetes:core/v1:Secret").find((r) => (r.inputs as any).metadata.name === "object-storage-s3-config")!;
        const identities = JSON.parse((config.inputs as any).stringData["s3.json"]).identities;
        assert.deepStrictEqual(identities.find((i: any) => i.name === "documents-reader").actions, ["Read:documents", "List:documents"]);
        const secret = log.ofType("kubernetes:core/v1:Secret").find((r) => (r.inputs as any).metadata.name === "object-storage-documents-reader")!;
        assert.strictEqual((secret.inputs as any).metadata.namespace, "data");
        installMocks();
        assert.throws(
            () =>
                new k8s.ObjectStorage("os", {
                    provider: new kubernetes.Provider("p", {}),
                    environment: "staging",
                    mode: "external",
                    documentsNamespace: "app",
                    dataNamespace: "data",
                    endpoint: "https://s3.x",
                    existingSecretName: "docs",
                    existingBackupsSecretName: "backups",
                    documentsReader: true,
                }),
            (e: unknown) => e instanceof ValidationError && e.issues.some((i) => i.field === "existingDocumentsReaderSecretName"),
        );
        await settle();
    });
});

describe("kubernetes.Database refuses before registering anything", () => {
    const args = (extra: Partial<k8s.DatabaseArgs>): k8s.DatabaseArgs => ({
        provider: new kubernetes.Provider("p", {}),
        environment: "staging",
        namespace: "data",
        image: DEFAULT_IMAGES.postgres,
        ownerSecretName: "owner",
        appSecretName: "app",
        backup: { destinationPath: "s3://backups/cnpg", endpointUrl: "http://s3", credentialsSecretName: "keys", retentionDays: 7 },
        ...extra,
    });
    const refusedBy = async (extra: Partial<k8s.DatabaseArgs>, field: string, allowed: RegExp) => {
        const log = installMocks();
        assert.throws(
            () => new k8s.Database("db", args(extra)),
            (e: unknown) => e instanceof ValidationError && e.issues.some((i) => i.field === field && allowed.test(i.allowed)),
        );
        await settle();
        assert.strictEqual(log.ofType("kubernetes:postgresql.cnpg.io/v1:Cluster").length, 0);
    };

    it("PostGIS on the standard image, a CloudNativePG-fixed or library-managed parameter, a tier out of range; accepted with imageExtensions", async () => {
        await refusedBy({ extensions: ["postgis"] }, "extensions", /PostGIS is not in the standard images/);
        await refusedBy({ parameters: { wal_level: "replica" } }, "parameters.wal_level", /fixed by CloudNativePG/);
        await refusedBy({ parameters: { ssl_ciphers: "ALL" } }, "parameters.ssl_ciphers", /TLS is not negotiable/);
        await refusedBy({ backupTiers: { monthly: 500 } }, "backupTiers.monthly", /120/);
        const log = installMocks();
        new k8s.Database("db", args({ image: "registry.local/postgis-cnpg:16.10", imageExtensions: ["postgis"], extensions: ["postgis"] }));
        await settle();
        const db = log.all.find((r) => (r.inputs as any).kind === "Database")!;
        assert.deepStrictEqual(
            (db.inputs as any).spec.extensions.map((e: any) => e.name),
            ["vector", "postgis"],
        );
    });
});

describe("aws.ApiService's db-bootstrap", () => {
    it("takes extension names only into its SQL", () => {
        installMocks();
        const api = {
            environment: "staging" as const,
            vpcId: "vpc-1",
            subnetIds: ["subnet-1"],
            kmsKeyArn: "k",
            logsKeyArn: "l",
            httpsEgress: "internet" as const,
            vpcCidr: "10.0.0.0/16",
            clusterArn: "c",
            clusterName: "c",
            albSecurityGroupId: "sg-alb",
            targetGroupArn: "tg",
            loadBalancerArnSuffix: "lb",
            targetGroupArnSuffix: "tg",
            image: "ghcr.io/x/api:1",
        };
        assert.throws(
            () =>
                new ApiService("y", {
                    ...api,
                    databaseBootstrap: { masterSecretArn: "s", host: "h", database: "rag", extensions: ['x"; DROP TABLE t; --'] },
                } as any),
            /databaseBootstrap\.extensions: got "x\\"; DROP TABLE t; --"; allowed: extension names/,
        );
    });
});

describe("the PostgreSQL catalog", () => {
    it("RDS: pgvector, pg_trgm, uuid-ossp and PostGIS on every major; adminpack left PostgreSQL 17 (Extensions supported for RDS for PostgreSQL)", () => {
        for (const major of ["15", "16", "17"] as const)
            for (const e of ["vector", "pg_trgm", "uuid-ossp", "postgis", "pg_stat_statements"])
                assert.ok(RDS_POSTGRES_EXTENSIONS[major].includes(e), `${major} ${e}`);
        assert.ok(RDS_POSTGRES_EXTENSIONS["16"].includes("adminpack"));
        assert.ok(!RDS_POSTGRES_EXTENSIONS["17"].includes("adminpack"));
        // Libraries that must be preloaded are not offered: the library manages shared_preload_libraries.
        for (const e of ["pg_cron", "pgaudit"]) assert.ok(!RDS_POSTGRES_EXTENSIONS["16"].includes(e), e);
    });

    it("CloudNativePG standard images: contrib and pgvector, no PostGIS; the default image is the 16 one", () => {
        assert.ok(CNPG_STANDARD_EXTENSIONS["16"].includes("vector") && CNPG_STANDARD_EXTENSIONS["16"].includes("pg_trgm"));
        assert.ok(!CNPG_STANDARD_EXTENSIONS["16"].includes("postgis"));
        assert.strictEqual(CNPG_STANDARD_IMAGES["16"], DEFAULT_IMAGES.postgres);
        for (const [major, image] of Object.entries(CNPG_STANDARD_IMAGES)) assert.strictEqual(imageMajor(image), major);
        assert.strictEqual(imageMajor("registry.local/pg@sha256:abc"), undefined);
    });

    it("managed parameters: TLS, preloaded libraries and the logs the library reads on both targets; CloudNativePG's fixed ones on Kubernetes only", () => {
        for (const p of ["rds.force_ssl", "ssl", "ssl_min_protocol_version", "shared_preload_libraries", "password_encryption", "log_min_duration_statement"])
            for (const t of ["aws", "kubernetes"] as const) assert.ok(managedParameter(p, t), `${p} ${t}`);
        assert.ok(CNPG_FIXED_PARAMETERS.includes("wal_level"));
        assert.strictEqual(managedParameter("wal_level", "aws"), undefined);
        assert.match(managedParameter("wal_level", "kubernetes")!, /CloudNativePG/);
        assert.strictEqual(managedParameter("work_mem", "kubernetes"), undefined);
    });

    it("each tier's schedule: AWS Backup at most hourly (cron minute fixed), the same days on Kubernetes", () => {
        assert.match(BACKUP_SCHEDULES.hourly, /^cron\(0 \* /);
        assert.deepStrictEqual(Object.keys(CNPG_BACKUP_SCHEDULES), ["daily", "weekly", "monthly"]);
        assert.match(CNPG_BACKUP_SCHEDULES.weekly, / 0$/, "Sunday, as AWS Backup's SUN");
        assert.match(CNPG_BACKUP_SCHEDULES.monthly, /^0 0 \d+ 1 /, "the 1st, as AWS Backup's");
        assert.ok(bootstrapSql(["pg_trgm"]).includes('CREATE EXTENSION IF NOT EXISTS "pg_trgm";'));
        assert.strictEqual(bootstrapSql(["vector"]).match(/EXISTS vector/g)!.length, 1, "vector once");
    });
});

describe("database settings reach both targets", function () {
    this.timeout(180_000);

    it("dbExtensions: the db-bootstrap SQL (AWS) and the CloudNativePG Database (Kubernetes); defaults unchanged", async () => {
        const set = ["--set", 'dbExtensions=["pg_trgm","uuid-ossp"]'];
        const aws = bootstrapSqlOf(await plan("--stack", "production", ...set));
        assert.match(aws, /CREATE EXTENSION IF NOT EXISTS "pg_trgm";.*CREATE EXTENSION IF NOT EXISTS "uuid-ossp";/);
        assert.doesNotMatch(bootstrapSqlOf(await plan("--stack", "production")), /pg_trgm/);
        const k8s = await plan("--stack", "production", "--target", "kubernetes", ...set);
        assert.deepStrictEqual(
            kind(k8s, "Database")[0].inputs.spec.extensions.map((e: { name: string }) => e.name),
            ["vector", "pg_trgm", "uuid-ossp"],
        );
        // PostGIS: RDS has it; on Kubernetes only with an image that ships it.
        assert.match(bootstrapSqlOf(await plan("--stack", "production", "--set", 'dbExtensions=["postgis"]')), /"postgis"/);
        const custom = await plan(
            "--stack",
            "production",
            "--target",
            "kubernetes",
            "--set",
            'dbExtensions=["postgis"]',
            "--set",
            `k8sPostgresImage=${POSTGIS}@sha256:59bfb9300393475bd82c54c4416cc80b5ecbd6ae9b79d17d306331f33464d973`,
            "--set",
            'k8sPostgresImageExtensions=["postgis"]',
        );
        assert.match(clusterOf(custom).imageName, /registry.example.gov\/postgis-cnpg:16.10-3.5@sha256:[a-f0-9]{64}$/, "through the production mirror");
        assert.deepStrictEqual(
            kind(custom, "Database")[0].inputs.spec.extensions.map((e: { name: string }) => e.name),
            ["vector", "postgis"],
        );
    });

    it("dbExtensions refused: PostGIS on the standard image, an unknown extension, adminpack on PostgreSQL 17", async () => {
        await refused(
            ["--stack", "production", "--target", "kubernetes", "--set", 'dbExtensions=["postgis"]'],
            /dbExtensions/,
            /PostGIS is not in the standard CloudNativePG images/,
        );
        await refused(["--stack", "production", "--set", 'dbExtensions=["no_such_ext"]'], /dbExtensions.*no_such_ext/, /RDS for PostgreSQL 16 supports/);
        await refused(["--stack", "production", "--set", "dbEngineVersion=17", "--set", 'dbExtensions=["adminpack"]'], /adminpack/, /RDS for PostgreSQL 17/);
    });

    it("dbParameters: the RDS parameter group (pending-reboot) and postgresql.parameters; the managed ones refused with the reason", async () => {
        const set = ["--set", 'dbParameters={"work_mem":"65536","pg_stat_statements.max":"10000"}'];
        const group = paramsOf(await plan("--stack", "staging", ...set));
        assert.ok(group.parameters.some((p: any) => p.name === "work_mem" && p.value === "65536" && p.applyMethod === "pending-reboot"));
        assert.ok(
            group.parameters.some((p: any) => p.name === "rds.force_ssl" && p.value === "1"),
            "TLS stays forced",
        );
        const k8s = clusterOf(await plan("--stack", "staging", "--target", "kubernetes", ...set)).postgresql.parameters;
        assert.strictEqual(k8s.work_mem, "65536");
        assert.strictEqual(k8s["pg_stat_statements.max"], "10000");
        assert.strictEqual(k8s.ssl_min_protocol_version, "TLSv1.2");
        await refused(["--stack", "staging", "--set", 'dbParameters={"ssl":"off"}'], /dbParameters.*ssl/, /TLS is not negotiable/);
        await refused(
            ["--stack", "staging", "--set", 'dbParameters={"shared_preload_libraries":"pg_cron"}'],
            /shared_preload_libraries/,
            /managed by the library/,
        );
        await refused(["--stack", "staging", "--target", "kubernetes", "--set", 'dbParameters={"wal_level":"replica"}'], /wal_level/, /fixed by CloudNativePG/);
        await refused(["--stack", "staging", "--set", 'dbParameters={"work_mem":4}'], /work_mem/, /string value/);
    });

    it("pg_stat_statements on Kubernetes: a pg_stat_statements.* parameter, so CloudNativePG preloads it and creates the extension", async () => {
        const params = clusterOf(await plan("--stack", "staging", "--target", "kubernetes")).postgresql.parameters;
        assert.strictEqual(params["pg_stat_statements.track"], "top");
        assert.strictEqual(params.shared_preload_libraries, undefined, "CloudNativePG manages the list");
    });

    it("dbEngineVersion on Kubernetes: the standard image of that major; an image of another major refused", async () => {
        const seventeen = clusterOf(await plan("--stack", "staging", "--target", "kubernetes", "--set", "dbEngineVersion=17"));
        assert.strictEqual(seventeen.imageName, CNPG_STANDARD_IMAGES["17"]);
        assert.strictEqual(clusterOf(await plan("--stack", "staging", "--target", "kubernetes")).imageName, DEFAULT_IMAGES.postgres);
        await refused(
            ["--stack", "staging", "--target", "kubernetes", "--set", "dbEngineVersion=17", "--set", "k8sPostgresImage=ghcr.io/cloudnative-pg/postgresql:16.4"],
            /dbEngineVersion/,
            /the major of kubernetes.postgresImage/,
        );
        await refused(["--stack", "staging", "--target", "kubernetes", "--set", "dbEngineVersion=16.4"], /dbEngineVersion/, /a major version/);
    });

    it("backupTiers: AWS Backup rules per tier (hourly kept whole days, the vault lock's shortest) and CloudNativePG ScheduledBackups per tier", async () => {
        const set = ["--set", 'backupTiers={"hourly":48,"daily":30,"weekly":12,"monthly":12}'];
        const aws = await plan("--stack", "production", ...set);
        assert.deepStrictEqual(
            rulesOf(aws).map((r) => [r.ruleName, r.schedule, r.lifecycle.deleteAfter]),
            [
                ["hourly", BACKUP_SCHEDULES.hourly, 2],
                ["daily", BACKUP_SCHEDULES.daily, 30],
                ["weekly", BACKUP_SCHEDULES.weekly, 84],
                ["monthly", BACKUP_SCHEDULES.monthly, 372],
            ],
        );
        // AWS's own rules on the hourly plan: at most hourly, whole days (test/judges/service-rules.ts).
        const judged = SERVICE_RULES.filter((r) => r.name === "backup-rule-at-most-hourly");
        assert.deepStrictEqual(judgeServiceRules(aws as unknown as RecordedResource[], { region: "eu-west-1" }, judged), []);
        const lock = aws.find((r) => r.type === "aws:backup/vaultLockConfiguration:VaultLockConfiguration" && !r.name.includes("copy"))!.inputs;
        assert.deepStrictEqual([lock.minRetentionDays, lock.maxRetentionDays], [2, 744]);
        // Defaults: today's rules (7 daily, 4 weekly, 12 monthly in production; 7 daily in staging).
        assert.deepStrictEqual(
            rulesOf(await plan("--stack", "production")).map((r) => [r.ruleName, r.lifecycle.deleteAfter]),
            [
                ["daily", 7],
                ["weekly", 28],
                ["monthly", 372],
            ],
        );
        assert.deepStrictEqual(
            rulesOf(await plan("--stack", "staging")).map((r) => r.ruleName),
            ["daily"],
        );
        const k8s = await plan("--stack", "staging", "--target", "kubernetes", "--set", 'backupTiers={"weekly":8}');
        assert.deepStrictEqual(
            kind(k8s, "ScheduledBackup").map((r) => [r.inputs.metadata.name, r.inputs.metadata.labels["ragstack.io/backup-tier"], r.inputs.spec.schedule]),
            [
                ["postgres-daily", "daily", CNPG_BACKUP_SCHEDULES.daily],
                ["postgres-weekly", "weekly", CNPG_BACKUP_SCHEDULES.weekly],
            ],
        );
        assert.strictEqual(kind(k8s, "ObjectStore")[0].inputs.spec.retentionPolicy, "56d", "the longest tier: 8 weeks");
    });

    it("backupTiers refused: an unknown tier, daily off, out of range", async () => {
        await refused(["--stack", "staging", "--set", 'backupTiers={"yearly":1}'], /backupTiers\.yearly/, /hourly, daily, weekly, monthly/);
        await refused(["--stack", "staging", "--set", 'backupTiers={"daily":0}'], /backupTiers\.daily/, /1/);
        await refused(["--stack", "staging", "--target", "kubernetes", "--set", 'backupTiers={"hourly":1000}'], /backupTiers\.hourly/, /168/);
    });

    it("documents off site on Kubernetes: with dbCrossRegionBackup, a CronJob copies the documents bucket to the off-site store with a read-only identity, and the NetworkPolicies let only it through", async () => {
        const offsite = [
            "--set",
            "dbCrossRegionBackup=true",
            "--set",
            "k8sLogicalBackup=true",
            "--set",
            "k8sOffsiteObjectStorageEndpoint=https://s3.dr.example.gov",
            "--set",
            "k8sOffsiteObjectStorageSecretName=offsite-keys",
            "--set",
            'k8sOffsiteObjectStorageCidrs=["10.80.20.0/24"]',
        ];
        const rs = await plan("--stack", "staging", "--target", "kubernetes", ...offsite);
        const job = kind(rs, "CronJob").find((r) => r.inputs.metadata.name === "documents-offsite")!.inputs;
        const pod = job.spec.jobTemplate.spec.template.spec;
        const c = pod.containers[0];
        assert.deepStrictEqual(c.args.slice(0, 3), ["copy", "source:documents", "offsite:rag-offsite-backups/documents"]);
        const secret = (n: string) => c.env.find((e: any) => e.name === n)?.valueFrom?.secretKeyRef?.name;
        assert.deepStrictEqual(
            [secret("RCLONE_CONFIG_SOURCE_ACCESS_KEY_ID"), secret("RCLONE_CONFIG_OFFSITE_ACCESS_KEY_ID")],
            ["object-storage-documents-reader", "offsite-keys"],
        );
        assert.strictEqual(c.env.find((e: any) => e.name === "RCLONE_CONFIG_OFFSITE_ENDPOINT").value, "https://s3.dr.example.gov");
        assert.strictEqual(pod.automountServiceAccountToken, false);
        assert.strictEqual(c.securityContext.readOnlyRootFilesystem, true);
        assert.strictEqual(job.spec.concurrencyPolicy, "Forbid");
        assert.ok(rs.some((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "object-storage-documents-reader"));
        const policies = kind(rs, "NetworkPolicy").map((r) => r.inputs);
        const egress = policies.find((p) => p.metadata.name === "documents-offsite-egress")!;
        assert.ok(JSON.stringify(egress.spec.egress).includes("10.80.20.0/24"), "the off-site store");
        assert.ok(JSON.stringify(egress.spec.egress).includes("object-storage"), "the in-cluster store");
        const storeIngress = policies.find((p) => p.metadata.name === "object-storage-ingress")!;
        assert.ok(JSON.stringify(storeIngress.spec.ingress[0].from).includes("documents-offsite"));
        // Without dbCrossRegionBackup: no copy, no reader identity.
        const none = await plan("--stack", "staging", "--target", "kubernetes");
        assert.ok(!kind(none, "CronJob").some((r) => r.inputs.metadata.name === "documents-offsite"));
        assert.ok(!kind(none, "NetworkPolicy").some((r) => r.inputs.metadata.name === "documents-offsite-egress"));
        // An external store needs the reader identity's Secret.
        await refused(
            ["--stack", "production", "--target", "kubernetes", "--set", "k8sObjectStorageDocumentsReaderSecretName="],
            /k8sObjectStorageDocumentsReaderSecretName/,
            /read and list the documents bucket/,
        );
    });
});
