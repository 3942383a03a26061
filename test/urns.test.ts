/**
 * A changed URN means a replacement, and replacing a stateful resource means data loss. This test
 * pins the URNs of every stateful resource of both production stacks. When a rename is intended,
 * add `aliases` (the old name or parent) to the resource first, then refresh the snapshot with
 * `UPDATE_SNAPSHOTS=1 npm test` and say so in CHANGELOG.md.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { repoRoot, runProgram } from "../testing/program";

const STATEFUL = [
    "aws:rds/instance:Instance",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:s3/bucket:Bucket",
    "aws:kms/key:Key",
    "aws:secretsmanager/secret:Secret",
    "aws:cloudwatch/logGroup:LogGroup",
    "random:index/randomPassword:RandomPassword",
    "random:index/randomString:RandomString",
    "kubernetes:postgresql.cnpg.io/v1:Cluster",
    "kubernetes:barmancloud.cnpg.io/v1:ObjectStore",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:core/v1:PersistentVolumeClaim",
    "kubernetes:core/v1:Namespace",
    "kubernetes:core/v1:Secret",
];
const FILE = path.join(repoRoot(), "test", "snapshots", "stateful-urns.json");

describe("stable URNs of stateful resources (production)", () => {
    it("no stateful resource's URN changed (a change means replacement and data loss)", async () => {
        const current: Record<string, string[]> = {};
        for (const target of ["aws", "kubernetes"]) {
            const run = await runProgram("production", { target });
            current[target] = run.resources.all
                .filter((r) => STATEFUL.includes(r.type))
                .map((r) => r.engineUrn)
                .sort();
        }
        if (process.env.UPDATE_SNAPSHOTS === "1") fs.writeFileSync(FILE, JSON.stringify(current, null, 2) + "\n");
        assert.ok(fs.existsSync(FILE), `${FILE} is missing: run UPDATE_SNAPSHOTS=1 npm test once and commit it`);
        const pinned = JSON.parse(fs.readFileSync(FILE, "utf8")) as Record<string, string[]>;
        for (const target of Object.keys(pinned)) {
            const missing = pinned[target].filter((u) => !current[target].includes(u));
            assert.deepStrictEqual(missing, [], `stateful ${target} resources whose URN changed or vanished (add aliases before renaming)`);
        }
        assert.ok(pinned.aws.length > 10 && pinned.kubernetes.length > 10);
    });
});
