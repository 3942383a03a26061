/**
 * aws.Database's options for other teams (database name, parameters, windows, provisioned gp3):
 * each reaches the instance or its parameter group, and what would weaken the database or cannot
 * work on RDS is refused by name before anything is registered.
 */
import * as assert from "assert";
import * as aws from "../components/aws";
import { ValidationError } from "../components/core/validation";
import { installMocks, settle } from "../testing/mocks";
import { runProgram } from "../testing/program";
import { resolveConfigValues } from "./harness/config";

const base = {
    environment: "staging" as const,
    vpcId: "vpc-1",
    subnetIds: ["subnet-a", "subnet-b"],
    allowedSecurityGroupIds: ["sg-api"],
    kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/k",
    logsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/l",
};

async function plan(extra: Partial<aws.DatabaseArgs>) {
    const log = installMocks();
    new aws.Database("db", { ...base, ...extra });
    await settle();
    const primary = log.ofType("aws:rds/instance:Instance").find((r) => r.name.endsWith("-primary"))!.inputs as any;
    const params = (log.one("aws:rds/parameterGroup:ParameterGroup").inputs as any).parameters as { name: string; value: string }[];
    return { primary, params };
}

function refused(extra: Partial<aws.DatabaseArgs>, field: string, allowed: RegExp): Promise<void> {
    const log = installMocks();
    assert.throws(
        () => new aws.Database("db", { ...base, ...extra }),
        (e: unknown) => e instanceof ValidationError && e.issues.some((i) => i.field === field && allowed.test(i.allowed)),
    );
    return settle().then(() => assert.strictEqual(log.all.filter((r) => !r.type.startsWith("pulumi:")).length, 0));
}

describe("aws.Database options", function () {
    this.timeout(30_000);

    it("defaults: database rag, backups 02:00-03:00, maintenance Sunday 03:30, the gp3 baseline", async () => {
        const { primary } = await plan({});
        assert.deepStrictEqual([primary.dbName, primary.backupWindow, primary.maintenanceWindow], ["rag", "02:00-03:00", "sun:03:30-sun:04:30"]);
        assert.strictEqual(primary.iops, undefined);
    });

    it("name, windows, extra parameters and provisioned gp3 reach the instance and its parameter group", async () => {
        const { primary, params } = await plan({
            databaseName: "search",
            backupWindow: "23:30-00:30",
            maintenanceWindow: "sat:04:00-sat:05:00",
            parameters: { work_mem: "65536", "pgvector.hnsw_ef_search": "100" } as Record<string, string>,
            allocatedStorageGiB: 400,
            iops: 12000,
            storageThroughputMiBps: 500,
        });
        assert.deepStrictEqual([primary.dbName, primary.backupWindow, primary.maintenanceWindow], ["search", "23:30-00:30", "sat:04:00-sat:05:00"]);
        assert.deepStrictEqual([primary.iops, primary.storageThroughput], [12000, 500]);
        assert.ok(params.some((p) => p.name === "work_mem" && p.value === "65536"));
        assert.ok(
            params.some((p) => p.name === "rds.force_ssl" && p.value === "1"),
            "TLS stays forced",
        );
    });

    it("refuses what weakens the database or cannot work on RDS, naming the field", async () => {
        await refused({ parameters: { "rds.force_ssl": "0" } }, "parameters.rds.force_ssl", /TLS is not negotiable/);
        await refused({ backupWindow: "2:00-3:00" }, "backupWindow", /hh:mm-hh:mm/);
        await refused({ backupWindow: "02:00-02:15" }, "backupWindow", /at least 30 minutes/);
        await refused({ maintenanceWindow: "sun:02:30-sun:03:30" }, "maintenanceWindow", /does not overlap the backup window 02:00-03:00/);
        await refused({ backupWindow: "23:30-00:30", maintenanceWindow: "sun:23:45-mon:00:45" }, "maintenanceWindow", /does not overlap/);
        await refused({ iops: 12000 }, "iops / storageThroughputMiBps", /allocatedStorageGiB >= 400/);
        await refused({ allocatedStorageGiB: 400, iops: 3000 }, "iops", /12000/);
        await refused({ databaseName: "Rag-DB" }, "databaseName", /PostgreSQL identifier/);
    });
});

describe("aws.Database: a provider of the backup region passed in", function () {
    this.timeout(60_000);
    it("the replicated backups and their key use the given provider; none is built from the region alone", async () => {
        const log = installMocks();
        const theirs = new (await import("@pulumi/aws")).Provider("backup-account", {
            region: "eu-central-1",
            assumeRoles: [{ roleArn: "arn:aws:iam::111122223333:role/backups" }],
        });
        new aws.Database("db", { ...base, environment: "production", crossRegionBackup: true, backupRegion: "eu-central-1", backupProvider: theirs });
        await settle(log);
        const providerOf = (type: string) => log.ofType(type).map((r) => r.provider ?? "");
        for (const type of ["aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "aws:kms/key:Key"])
            assert.ok(
                providerOf(type).some((p) => p.includes("::backup-account::")),
                `${type} on the given provider`,
            );
        assert.strictEqual(log.ofType("pulumi:providers:aws").filter((r) => r.name.endsWith("backup-region")).length, 0, "no provider built from the region");
    });
});

describe("AWS data tier: more client security groups (awsDataTierClientSecurityGroupIds)", function () {
    this.timeout(60_000);
    it("PostgreSQL and Valkey admit the named groups besides the API's, on their own port only", async () => {
        const run = await runProgram("staging", { target: "aws", awsDataTierClientSecurityGroupIds: '["sg-0123456789abcdef0"]' });
        const rules = run.resources.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => r.inputs as any);
        const from = (port: number) => rules.filter((r) => r.referencedSecurityGroupId === "sg-0123456789abcdef0").filter((r) => r.fromPort === port);
        assert.strictEqual(from(5432).length, 1);
        assert.strictEqual(from(6379).length, 1);
        assert.ok(
            rules
                .filter((r) => r.referencedSecurityGroupId === "sg-0123456789abcdef0")
                .every((r) => r.fromPort === r.toPort && [5432, 6379].includes(r.fromPort)),
        );
    });

    it("a malformed id is refused; on Kubernetes the key is refused by name", () => {
        const resolve = (values: Record<string, string>) => {
            const all: Record<string, string> = {
                environment: "staging",
                domain: "rag.example.gov",
                apiImage: "ghcr.io/example-gov/rag-api:1.4.2",
                ...(values.target === "aws" ? { hostedZoneId: "Z1" } : {}),
                ...values,
            };
            return resolveConfigValues(all);
        };
        assert.throws(
            () => resolve({ target: "aws", awsDataTierClientSecurityGroupIds: '["sg-xyz"]' }),
            /aws\.dataTierClientSecurityGroupIds\[0\]\): got "sg-xyz"; allowed: a security group id/,
        );
        assert.throws(
            () => resolve({ target: "kubernetes", awsDataTierClientSecurityGroupIds: '["sg-0123456789abcdef0"]' }),
            /rag-platform:awsDataTierClientSecurityGroupIds \([a-zA-Z.]+\): got .*allowed: unset on the kubernetes target \(security groups are AWS/,
        );
        assert.doesNotThrow(() => resolve({ target: "kubernetes", awsDataTierClientSecurityGroupIds: "[]" }), "the declared default is no setting");
    });
});
