/**
 * Disaster recovery in the plan: the RPO/RTO each failure scenario gets from the deployed
 * resources (a table over hand-made resources, one mutation per basis), and the plan that prints
 * them against the environment's objectives and fails when one is missed.
 */
import * as assert from "assert";
import { recoveryReport, RecoveryResource, RecoveryScenarioName } from "../analysis/recovery";
import { productionPreset, stagingPreset } from "../environments/presets";
import { cli } from "./harness/cli";

const rds = (inputs: Record<string, unknown>): RecoveryResource => ({ type: "aws:rds/instance:Instance", name: "db-primary", inputs });
const cnpg = (spec: Record<string, unknown>): RecoveryResource => ({ type: "kubernetes:postgresql.cnpg.io/v1:Cluster", name: "postgres", inputs: { spec } });
const archive = [{ name: "barman-cloud.cloudnative-pg.io", isWALArchiver: true }];
const store: RecoveryResource = { type: "kubernetes:barmancloud.cnpg.io/v1:ObjectStore", name: "store", inputs: { spec: { retentionPolicy: "30d" } } };
const dumps = (offsite: boolean): RecoveryResource => ({
    type: "kubernetes:batch/v1:CronJob",
    name: "pg-dump",
    inputs: {
        metadata: { name: "pg-dump" },
        spec: { jobTemplate: { spec: { template: { spec: { containers: [{ env: offsite ? [{ name: "OFFSITE_ENDPOINT", value: "https://dr" }] : [] }] } } } } },
    },
});

/** [case, resources, scenario, expected RPO, expected RTO] */
const TABLE: [string, RecoveryResource[], RecoveryScenarioName, number | null, number | null][] = [
    ["RDS Multi-AZ fails over without loss", [rds({ multiAz: true, backupRetentionPeriod: 7 })], "instance or node failure", 0, 2],
    ["RDS single-AZ restores to a point in time", [rds({ multiAz: false, backupRetentionPeriod: 7 })], "zone failure", 5, 60],
    ["RDS without backups cannot recover a bad change", [rds({ multiAz: true, backupRetentionPeriod: 0 })], "bad change or deleted data", null, null],
    ["RDS without a standby or backups cannot recover an instance", [rds({ backupRetentionPeriod: 0 })], "instance or node failure", null, null],
    [
        "RDS with replicated backups survives a region loss",
        [rds({ backupRetentionPeriod: 7 }), { type: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", name: "r", inputs: {} }],
        "region or site loss",
        15,
        240,
    ],
    [
        "RDS with AWS Backup copies only: a day",
        [rds({ backupRetentionPeriod: 7 }), { type: "aws:backup/plan:Plan", name: "p", inputs: { rules: [{ copyActions: [{ destinationVaultArn: "x" }] }] } }],
        "region or site loss",
        1440,
        240,
    ],
    ["RDS with nothing off site cannot survive a region loss", [rds({ backupRetentionPeriod: 7 })], "region or site loss", null, null],
    [
        "CNPG synchronous standby: no loss",
        [cnpg({ instances: 3, plugins: archive, postgresql: { synchronous: { method: "any", number: 1 } } }), store],
        "instance or node failure",
        0,
        1,
    ],
    [
        "CNPG preferred durability is asynchronous in effect",
        [cnpg({ instances: 3, plugins: archive, postgresql: { synchronous: { method: "any", number: 1, dataDurability: "preferred" } } }), store],
        "instance or node failure",
        1,
        1,
    ],
    ["CNPG single instance recovers from the archive", [cnpg({ instances: 1, plugins: archive }), store], "instance or node failure", 5, 60],
    ["CNPG spread over nodes only: a zone failure needs the archive", [cnpg({ instances: 3, plugins: archive }), store], "zone failure", 5, 60],
    [
        "CNPG spread over zones survives a zone",
        [cnpg({ instances: 3, plugins: archive, affinity: { topologyKey: "topology.kubernetes.io/zone" } }), store],
        "zone failure",
        1,
        1,
    ],
    ["CNPG without an archive falls back to the dumps", [cnpg({ instances: 1 }), dumps(false)], "bad change or deleted data", 1440, 120],
    ["CNPG with off-site dumps survives a site loss", [cnpg({ instances: 1, plugins: archive }), store, dumps(true)], "region or site loss", 1440, 240],
    [
        "CNPG with dumps on site only cannot survive a site loss",
        [cnpg({ instances: 1, plugins: archive }), store, dumps(false)],
        "region or site loss",
        null,
        null,
    ],
];

describe("recovery model: the backup tiers and the documents' off-site copy", () => {
    it("AWS: one tier per AWS Backup rule with its retention; the oldest point is the longest tier's", () => {
        const plan: RecoveryResource = {
            type: "aws:backup/plan:Plan",
            name: "p",
            inputs: {
                rules: [
                    { ruleName: "hourly", schedule: "cron(0 * ? * * *)", lifecycle: { deleteAfter: 2 } },
                    { ruleName: "monthly", schedule: "cron(0 7 1 * ? *)", lifecycle: { deleteAfter: 372 }, copyActions: [{}] },
                ],
            },
        };
        const r = recoveryReport([rds({ backupRetentionPeriod: 7 }), plan], null)!;
        assert.deepStrictEqual(
            r.provides.tiers.map((t) => [t.tier, t.keptDays]),
            [
                ["hourly", 2],
                ["monthly", 372],
            ],
        );
        assert.strictEqual(r.provides.oldestPointDays, 372);
        assert.match(r.scenarios.find((s) => s.name === "bad change or deleted data")!.basis, /up to 372 days/);
        assert.strictEqual(recoveryReport([rds({ backupRetentionPeriod: 7 })], null)!.provides.oldestPointDays, 7);
    });

    it("Kubernetes: a tier per ScheduledBackup, all kept by the store's one window; hourly is the WAL archive; the documents' copy is off site", () => {
        const scheduled = (tier: string): RecoveryResource => ({
            type: "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup",
            name: tier,
            inputs: { metadata: { name: `postgres-${tier}`, labels: { "ragstack.io/backup-tier": tier } }, spec: { schedule: "0 0 2 * * *" } },
        });
        const docs: RecoveryResource = { type: "kubernetes:batch/v1:CronJob", name: "d", inputs: { metadata: { name: "documents-offsite" } } };
        const base = [cnpg({ instances: 1, plugins: archive }), store, scheduled("daily"), scheduled("monthly"), dumps(true)];
        const r = recoveryReport([...base, docs], null)!;
        assert.deepStrictEqual(
            r.provides.tiers.map((t) => [t.tier, t.keptDays]),
            [
                ["hourly", 30],
                ["daily", 30],
                ["monthly", 30],
            ],
        );
        assert.ok(r.provides.offsite.some((o) => /documents/.test(o)));
        assert.match(r.scenarios.find((s) => s.name === "region or site loss")!.basis, /documents from their off-site copy/);
        const without = recoveryReport(base, null)!;
        assert.ok(!without.provides.offsite.some((o) => /documents/.test(o)));
        assert.match(without.scenarios.find((s) => s.name === "region or site loss")!.basis, /the documents have no off-site copy/);
    });
});

describe("recovery model: RPO/RTO per scenario from the deployed resources", () => {
    for (const [name, resources, scenario, rpo, rto] of TABLE) {
        it(name, () => {
            const s = recoveryReport(resources, null)!.scenarios.find((x) => x.name === scenario)!;
            assert.deepStrictEqual([s.rpoMinutes, s.rtoMinutes], [rpo, rto], s.basis);
            assert.strictEqual(s.meets, true, "without objectives nothing fails");
        });
    }

    it("objectives: a scenario over its objective is a problem naming both; a site loss has none when the environment states none", () => {
        const resources = [rds({ backupRetentionPeriod: 7 })];
        const production = recoveryReport(resources, productionPreset().recovery)!;
        assert.deepStrictEqual(
            production.scenarios.filter((s) => !s.meets).map((s) => s.name),
            ["region or site loss"],
        );
        assert.match(production.problems.join("\n"), /region or site loss: the stack provides RPO not recoverable .* the objective is RPO 24 h \/ RTO 8 h/);
        // A restore takes an hour: a 30-minute RTO misses every scenario a standby would have covered.
        const strict = recoveryReport(resources, { ...productionPreset().recovery, rtoMinutes: 30 })!;
        assert.deepStrictEqual(
            strict.scenarios.filter((s) => !s.meets).map((s) => s.name),
            ["instance or node failure", "zone failure", "bad change or deleted data", "region or site loss"],
        );
        assert.match(
            strict.problems[0],
            /instance or node failure: the stack provides RPO 5 min \/ RTO 1 h \(no standby: .*\); the objective is RPO 5 min \/ RTO 30 min/,
        );
        const relaxed = recoveryReport(resources, stagingPreset().recovery)!;
        assert.deepStrictEqual(relaxed.problems, []);
        assert.strictEqual(relaxed.scenarios.find((s) => s.name === "region or site loss")!.objective, null);
    });

    it("no database this model knows: no report", () => {
        assert.strictEqual(recoveryReport([{ type: "aws:s3/bucket:Bucket", name: "b", inputs: {} }], null), null);
    });
});

describe("recovery in the plan", function () {
    this.timeout(120_000);

    it("every stack of this repository meets its environment's objectives, and the plan prints them per scenario", async () => {
        for (const target of ["aws", "kubernetes"])
            for (const stack of ["staging", "production"]) {
                const r = await cli("--stack", stack, "--target", target, "--json");
                const d = JSON.parse(r.stdout);
                assert.strictEqual(d.recovery.passed, true, `${stack} ${target}: ${d.recovery.problems}`);
                assert.deepStrictEqual(d.recovery.objectives, (stack === "production" ? productionPreset() : stagingPreset()).recovery);
                assert.strictEqual(d.recovery.scenarios.length, 4);
            }
        const text = (await cli("--stack", "production")).stdout;
        assert.match(text, /Recovery \(rds; objectives RPO 5 min \/ RTO 1 h inside the site, RPO 24 h \/ RTO 8 h for a region or site loss\): meets them/);
        assert.match(text, /ok {3}region or site loss: RPO 15 min \/ RTO 4 h/);
    });

    it("production without off-site backups misses the site-loss objective: the plan fails (exit 1) and says why", async () => {
        const r = await cli("--stack", "production", "--set", "dbCrossRegionBackup=false");
        assert.strictEqual(r.code, 1);
        assert.match(r.stdout, /MISS region or site loss: not recoverable/);
        assert.match(r.stdout, /Result: FAIL \(.*1 recovery objectives missed\)/);
    });

    it("a stricter objective than the stack provides fails the plan; on Kubernetes the off-site tier is the daily dump", async () => {
        const r = await cli("--stack", "production", "--target", "kubernetes", "--set", "drSiteLossRpoMinutes=60", "--json");
        assert.strictEqual(r.code, 1);
        const d = JSON.parse(r.stdout);
        assert.strictEqual(d.recovery.passed, false);
        assert.match(d.recovery.problems[0], /region or site loss: the stack provides RPO 24 h \/ RTO 4 h/);
    });
});

describe("restore: the Database components built from backups (dbRestoreFrom)", function () {
    this.timeout(120_000);
    const plan = async (...argv: string[]) => {
        const r = await cli(...argv, "--json");
        assert.strictEqual(r.code, 0, r.stderr + r.stdout.slice(0, 400));
        return JSON.parse(r.stdout) as { resources: { type: string; inputs: any; name: string }[] };
    };
    const primaryOf = (d: { resources: { type: string; inputs: any }[] }) =>
        d.resources.find((r) => r.type === "aws:rds/instance:Instance" && !r.inputs.replicateSourceDb)!.inputs;
    const clusterOf = (d: { resources: { type: string; inputs: any }[] }) =>
        d.resources.find((r) => r.type === "kubernetes:postgresql.cnpg.io/v1:Cluster")!.inputs.spec;

    it("AWS: none creates an empty database; a point in time of an instance; the latest point of replicated backups (region loss); a snapshot", async () => {
        const empty = primaryOf(await plan("--stack", "production"));
        assert.deepStrictEqual(
            [empty.dbName, empty.username, empty.restoreToPointInTime, empty.snapshotIdentifier],
            ["rag", "rag_admin", undefined, undefined],
        );
        const pitr = primaryOf(await plan("--stack", "production", "--set", "dbRestoreFrom=pitr:rag-production-postgres@2026-11-29T08:15:00Z"));
        assert.deepStrictEqual(pitr.restoreToPointInTime, { sourceDbInstanceIdentifier: "rag-production-postgres", restoreTime: "2026-11-29T08:15:00Z" });
        assert.strictEqual(pitr.dbName, undefined, "the database comes from the backup");
        const arn = "arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-abcdefghijklmnopqrstuvwxyz1234";
        const region = primaryOf(await plan("--stack", "production", "--set", `dbRestoreFrom=pitr:${arn}`));
        assert.deepStrictEqual(region.restoreToPointInTime, { sourceDbInstanceAutomatedBackupsArn: arn, useLatestRestorableTime: true });
        const snap = primaryOf(await plan("--stack", "staging", "--set", "dbRestoreFrom=snapshot:rag-staging-postgres-final"));
        assert.strictEqual(snap.snapshotIdentifier, "rag-staging-postgres-final");
        // Every restored primary keeps the stack's guards.
        for (const p of [pitr, region, snap])
            assert.ok(p.storageEncrypted && p.iamDatabaseAuthenticationEnabled && p.manageMasterUserPassword && !p.publiclyAccessible);
    });

    it("Kubernetes: a point in time bootstraps from the archive under the old server name and archives under a new one; a snapshot names the Backup", async () => {
        const empty = clusterOf(await plan("--stack", "production", "--target", "kubernetes"));
        assert.ok(empty.bootstrap.initdb && !empty.externalClusters);
        assert.strictEqual(empty.plugins[0].parameters.serverName, undefined);
        const pitr = clusterOf(await plan("--stack", "production", "--target", "kubernetes", "--set", "dbRestoreFrom=pitr:postgres@2026-11-29T08:15:00Z"));
        assert.deepStrictEqual(pitr.bootstrap.recovery, {
            database: "rag",
            owner: "rag_owner",
            secret: { name: "postgres-owner" },
            source: "origin",
            recoveryTarget: { targetTime: "2026-11-29T08:15:00Z" },
        });
        assert.deepStrictEqual(pitr.externalClusters[0].plugin.parameters, { barmanObjectName: "postgres-backups", serverName: "postgres" });
        const archiveAs = pitr.plugins[0].parameters.serverName;
        assert.match(archiveAs, /^postgres-[0-9a-f]{8}$/);
        assert.notStrictEqual(archiveAs, "postgres", "never archives into the archive it restores from");
        const snap = clusterOf(await plan("--stack", "staging", "--target", "kubernetes", "--set", "dbRestoreFrom=snapshot:postgres-daily-20261129020000"));
        assert.deepStrictEqual(snap.bootstrap.recovery.backup, { name: "postgres-daily-20261129020000" });
        assert.strictEqual(snap.externalClusters, undefined);
    });

    it("bad restore sources exit 2 naming the key and the allowed forms", async () => {
        for (const bad of ["backup:x", "pitr:postgres@yesterday", "pitr:"]) {
            const r = await cli("--stack", "production", "--set", `dbRestoreFrom=${bad}`);
            assert.strictEqual(r.code, 2, bad);
            assert.match(r.stderr, /dbRestoreFrom/, bad);
            assert.match(r.stderr, /RFC 3339|pitr:<source>/, bad);
        }
    });
});
