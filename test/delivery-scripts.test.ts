/**
 * tools/pre-deploy-snapshot.sh and tools/rollback.sh, run for real with fake `pulumi`, `aws` and
 * `kubectl` first on PATH: each fake records its arguments (and stdin) and answers what the real
 * one would. The `delivery` output they are fed is the program's own (runProgram), so a field the
 * scripts read and the stack no longer exports fails here.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot, runProgram } from "../testing/program";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
    /** Each fake call: the command and its arguments, joined by spaces. */
    calls: string[];
    /** What the fake kubectl read on stdin (the applied manifests). */
    stdin: string;
}

/**
 * Runs a script of tools/ with fakes: `pulumi stack output delivery` prints `delivery` (or fails
 * when undefined); `aws rds describe-db-snapshots` and `kubectl get backups` print `listing`.
 */
function runScript(script: string, args: string[], delivery: unknown, listing = ""): Run {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "delivery-"));
    try {
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(dir, "delivery.json"), delivery === undefined ? "" : JSON.stringify(delivery));
        fs.writeFileSync(path.join(dir, "listing.txt"), listing);
        const fake = (name: string, body: string) =>
            fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> "${dir}/calls.log"\n${body}\n`, { mode: 0o755 });
        fake(
            "pulumi",
            `if [ "$1 $2 $3" = "stack output delivery" ] && [ -s "${dir}/delivery.json" ]; then cat "${dir}/delivery.json"; else echo "error: no output" >&2; exit 255; fi`,
        );
        fake("aws", `case "$2" in describe-db-snapshots) cat "${dir}/listing.txt" ;; esac`);
        fake(
            "kubectl",
            [
                `for a in "$@"; do [ "$a" = "-f" ] && cat >> "${dir}/stdin.log"; done`,
                `case "$*" in *"get backups"*) cat "${dir}/listing.txt" ;; *"jsonpath={.metadata.annotations"*) printf 7 ;; *"jsonpath={.spec.template"*) printf 'ghcr.io/example-gov/rag-api:1.4.2' ;; esac`,
            ].join("\n"),
        );
        const r = spawnSync("bash", [path.join(repoRoot(), "tools", script), ...args], {
            encoding: "utf8",
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, GITHUB_SHA: "", CI_COMMIT_SHA: "" },
        });
        const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), "utf8") : "");
        return { code: r.status, stdout: r.stdout, stderr: r.stderr, calls: read("calls.log").split("\n").filter(Boolean), stdin: read("stdin.log") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("safe delivery scripts (tools/pre-deploy-snapshot.sh, tools/rollback.sh) with fake CLIs", function () {
    this.timeout(300_000);
    let aws: Record<string, unknown>;
    let k8s: Record<string, unknown>;
    let awsStaging: Record<string, unknown>;

    before(async () => {
        aws = (await runProgram("production", { target: "aws" })).outputs.delivery as Record<string, unknown>;
        awsStaging = (await runProgram("staging", { target: "aws" })).outputs.delivery as Record<string, unknown>;
        k8s = (await runProgram("production", { target: "kubernetes" })).outputs.delivery as Record<string, unknown>;
    });

    it("the program's delivery output: snapshot on in production, off in staging, with what the scripts read", () => {
        assert.strictEqual(aws.target, "aws");
        assert.strictEqual(aws.preDeploySnapshot, true);
        assert.strictEqual(awsStaging.preDeploySnapshot, false);
        assert.strictEqual(aws.preDeploySnapshotRetentionDays, 14);
        assert.strictEqual(aws.apiDeploymentStrategy, "blueGreen");
        assert.strictEqual(awsStaging.apiDeploymentStrategy, "rolling");
        for (const k of ["dbInstanceIdentifier", "ecsCluster", "ecsService"]) assert.ok(typeof aws[k] === "string" && aws[k] !== "", k);
        assert.deepStrictEqual(
            { ...k8s, cnpgNamespace: typeof k8s.cnpgNamespace, apiNamespace: typeof k8s.apiNamespace },
            {
                target: "kubernetes",
                preDeploySnapshot: true,
                preDeploySnapshotRetentionDays: 14,
                cnpgNamespace: "string",
                cnpgCluster: "postgres",
                apiNamespace: "string",
                apiDeployment: "api",
                progressDeadlineSeconds: 600,
            },
        );
    });

    it("AWS: a manual RDS snapshot named <stack>-<commit>-<timestamp>, tagged, waited for; only this stack's older pre-deploy snapshots deleted", () => {
        const listing = [
            "production-aaaaaaaaaaaa-20200101000000\t2020-01-01T00:00:00.000Z",
            `production-bbbbbbbbbbbb-recent\t${new Date().toISOString()}`,
        ].join("\n");
        const r = runScript("pre-deploy-snapshot.sh", ["--stack", "acme/rag/production", "--commit", COMMIT], aws, listing);
        assert.strictEqual(r.code, 0, r.stderr);
        const create = r.calls.find((c) => c.startsWith("aws rds create-db-snapshot"))!;
        const m = /--db-snapshot-identifier (production-0123456789ab-\d{14}) /.exec(create);
        assert.ok(m, create);
        assert.ok(create.includes(`--db-instance-identifier ${aws.dbInstanceIdentifier} `), create);
        assert.ok(create.includes("Key=ragstack:pre-deploy,Value=true") && create.includes("Key=ragstack:commit,Value=0123456789ab"), create);
        assert.ok(
            r.calls.some(
                (c) => c === `aws rds wait db-snapshot-available --db-instance-identifier ${aws.dbInstanceIdentifier} --db-snapshot-identifier ${m[1]}`,
            ),
        );
        const describe = r.calls.find((c) => c.startsWith("aws rds describe-db-snapshots"))!;
        assert.ok(describe.includes("ragstack:stack' && Value=='production'"), describe);
        assert.deepStrictEqual(
            r.calls.filter((c) => c.includes("delete-db-snapshot")),
            [
                "aws rds delete-db-snapshot --db-snapshot-identifier production-aaaaaaaaaaaa-20200101000000 --query DBSnapshot.DBSnapshotIdentifier --output text",
            ],
        );
        // The snapshot comes first: nothing is deleted before the new one is available.
        assert.ok(r.calls.indexOf(create) < r.calls.findIndex((c) => c.includes("delete-db-snapshot")));
    });

    it("Kubernetes: a CloudNativePG Backup of the stack's cluster, waited for until completed; older pre-deploy Backups deleted", () => {
        const listing = `production-aaaaaaaaaaaa-20200101000000 2020-01-01T00:00:00Z\nproduction-cccccccccccc-recent ${new Date().toISOString()}\n`;
        const r = runScript("pre-deploy-snapshot.sh", ["--stack", "production", "--commit", COMMIT], k8s, listing);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdin, /kind: Backup\n/);
        assert.match(r.stdin, /name: production-0123456789ab-\d{14}\n/);
        assert.match(r.stdin, new RegExp(`namespace: ${k8s.cnpgNamespace}\\n`));
        assert.match(r.stdin, /cluster:\n {4}name: postgres\n {2}method: plugin\n {2}pluginConfiguration:\n {4}name: barman-cloud.cloudnative-pg.io/);
        assert.match(r.stdin, /ragstack.io\/pre-deploy: "true"/);
        assert.ok(
            r.calls.some((c) => /kubectl -n \S+ wait backup\/production-0123456789ab-\d{14} --for=jsonpath=\{.status.phase\}=completed/.test(c)),
            r.calls.join("\n"),
        );
        assert.deepStrictEqual(
            r.calls.filter((c) => c.includes(" delete ")),
            [`kubectl -n ${k8s.cnpgNamespace} delete backup.postgresql.cnpg.io/production-aaaaaaaaaaaa-20200101000000`],
        );
    });

    it("skips without a change: preDeploySnapshot off (staging), or no delivery output yet (first deploy); --force takes one anyway", () => {
        const off = runScript("pre-deploy-snapshot.sh", ["--stack", "staging", "--commit", COMMIT], awsStaging);
        assert.strictEqual(off.code, 0, off.stderr);
        assert.match(off.stdout, /preDeploySnapshot is off/);
        assert.deepStrictEqual(
            off.calls.filter((c) => !c.startsWith("pulumi ")),
            [],
        );
        const first = runScript("pre-deploy-snapshot.sh", ["--stack", "production", "--commit", COMMIT], undefined);
        assert.strictEqual(first.code, 0, first.stderr);
        assert.match(first.stdout, /no delivery output yet/);
        const forced = runScript("pre-deploy-snapshot.sh", ["--stack", "staging", "--commit", COMMIT, "--force"], awsStaging);
        assert.ok(forced.calls.some((c) => c.startsWith("aws rds create-db-snapshot")));
    });

    it("--dry-run prints the changing commands and runs none of them", () => {
        const r = runScript("pre-deploy-snapshot.sh", ["--stack", "production", "--commit", COMMIT, "--dry-run"], aws, "old\t2020-01-01T00:00:00Z\n");
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdout, /dry-run: aws rds create-db-snapshot/);
        assert.match(r.stdout, /dry-run: aws rds delete-db-snapshot --db-snapshot-identifier old/);
        assert.ok(!r.calls.some((c) => /create-db-snapshot|delete-db-snapshot|wait /.test(c)), r.calls.join("\n"));
    });

    it("bad arguments exit 2 naming the argument", () => {
        const noStack = runScript("pre-deploy-snapshot.sh", ["--commit", COMMIT], aws);
        assert.strictEqual(noStack.code, 2);
        assert.match(noStack.stderr, /--stack <name> is required/);
        const badCommit = runScript("pre-deploy-snapshot.sh", ["--stack", "production", "--commit", "main"], aws);
        assert.strictEqual(badCommit.code, 2);
        assert.match(badCommit.stderr, /--commit must be a git commit id/);
        const badTimeout = runScript("rollback.sh", ["--stack", "production", "--timeout", "soon"], k8s);
        assert.strictEqual(badTimeout.code, 2);
        assert.match(badTimeout.stderr, /--timeout must be a whole number of seconds/);
    });

    it("rollback (Kubernetes): rollout undo of the stack's Deployment, then rollout status with the timeout", () => {
        const r = runScript("rollback.sh", ["--stack", "production", "--timeout", "120"], k8s);
        assert.strictEqual(r.code, 0, r.stderr);
        const ns = k8s.apiNamespace;
        const kube = r.calls.filter((c) => c.startsWith("kubectl"));
        assert.deepStrictEqual(kube.slice(1, 3), [
            `kubectl -n ${ns} rollout undo deployment/api`,
            `kubectl -n ${ns} rollout status deployment/api --timeout=120s`,
        ]);
        assert.match(r.stdout, /at revision 7/);
        const to = runScript("rollback.sh", ["--namespace", "rag-app", "--deployment", "api", "--to-revision", "3"], undefined);
        assert.strictEqual(to.code, 0, to.stderr);
        assert.ok(to.calls.includes("kubectl -n rag-app rollout undo deployment/api --to-revision=3"), to.calls.join("\n"));
        assert.ok(!to.calls.some((c) => c.startsWith("pulumi")), "names given: no Pulumi needed");
    });

    it("rollback (AWS): nothing to undo without --task-definition; with one, update-service and wait for stability", () => {
        const none = runScript("rollback.sh", ["--stack", "production"], aws);
        assert.strictEqual(none.code, 0, none.stderr);
        assert.match(none.stdout, /ECS already rolled back a failed deployment by itself/);
        assert.ok(!none.calls.some((c) => c.startsWith("aws")));
        const to = runScript("rollback.sh", ["--stack", "production", "--task-definition", "rag-production-api:41"], aws);
        assert.strictEqual(to.code, 0, to.stderr);
        assert.deepStrictEqual(
            to.calls.filter((c) => c.startsWith("aws")),
            [
                `aws ecs update-service --cluster ${aws.ecsCluster} --service ${aws.ecsService} --task-definition rag-production-api:41`,
                `aws ecs wait services-stable --cluster ${aws.ecsCluster} --services ${aws.ecsService}`,
            ],
        );
    });
});
