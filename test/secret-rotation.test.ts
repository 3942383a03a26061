/**
 * Rotation of generated secrets and the alarm on their age, on both targets: a rotation date
 * (`secretsRotatedOn`) regenerates every generated credential and restarts the workloads that read
 * them at start; a scheduled check (AWS) or a Prometheus alert (Kubernetes) fires when a secret
 * outlives `secretMaxAgeDays`. The secret-age function's Python runs here against a stand-in boto3.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SECRET_AGE_HANDLER } from "../components/aws/secret-age";
import { ROTATION_ANNOTATION } from "../components/core/rotation";
import { productionConfig } from "../policies/lib";
import { RecordedResource } from "../testing/mocks";
import { evaluatePack } from "../testing/policy";
import { ProgramRun, runProgram } from "../testing/program";
import { resolveConfigValues } from "./harness/config";

const inp = (r: RecordedResource) => r.inputs as any;
const passwords = (run: ProgramRun) =>
    run.resources.all.filter((r) => r.type === "random:index/randomPassword:RandomPassword" || r.type === "random:index/randomString:RandomString");
const kind = (run: ProgramRun, k: string) => run.resources.all.filter((r) => inp(r).kind === k);
const k8sSecrets = (run: ProgramRun) => run.resources.ofType("kubernetes:core/v1:Secret");

describe("secret rotation and secret age", function () {
    this.timeout(120_000);

    describe("AWS", () => {
        let staging: ProgramRun;
        let rotated: ProgramRun;
        before(async () => {
            staging = await runProgram("staging", { target: "aws" });
            rotated = await runProgram("production", { target: "aws", secretsRotatedOn: "2026-11-30" });
        });

        it("a scheduled check watches the API secret, the AUTH token and the RDS master secret; it can list their versions and nothing more", () => {
            const target = inp(staging.resources.one("aws:cloudwatch/eventTarget:EventTarget", "secret-age-target"));
            const input = JSON.parse(target.input);
            assert.deepStrictEqual(Object.keys(input.secrets).sort(), ["api-app-secret", "cache-auth", "db-master"]);
            const secretArns = staging.resources.ofType("aws:secretsmanager/secret:Secret").map((s) => s.state.arn);
            for (const arn of secretArns) assert.ok(Object.values(input.secrets).includes(arn), `${arn} not watched`);
            const policy = JSON.parse(inp(staging.resources.one("aws:iam/rolePolicy:RolePolicy", "secret-age-role")).policy);
            const actions = policy.Statement.flatMap((s: any) => s.Action).sort();
            assert.deepStrictEqual(actions, ["cloudwatch:PutMetricData", "logs:CreateLogStream", "logs:PutLogEvents", "secretsmanager:ListSecretVersionIds"]);
            const versions = policy.Statement.find((s: any) => s.Sid === "SecretVersions");
            assert.deepStrictEqual([...versions.Resource].sort(), Object.values(input.secrets).sort());
            const fn = inp(staging.resources.one("aws:lambda/function:Function", "secret-age-function"));
            // No reservation: new accounts' concurrency limit leaves nothing to reserve (aws-judges: lambda-concurrency-headroom).
            assert.strictEqual(fn.reservedConcurrentExecutions, undefined);
            assert.strictEqual(fn.vpcConfig, undefined);
            const permission = inp(staging.resources.one("aws:lambda/permission:Permission", "secret-age-invoke"));
            assert.strictEqual(permission.sourceArn, staging.resources.one("aws:cloudwatch/eventRule:EventRule", "secret-age-schedule").state.arn);
        });

        it("one alarm per secret at the preset's age (180 days staging, 90 production), and a silent check breaches", () => {
            const alarms = (run: ProgramRun) =>
                run.resources.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => inp(a).metricName === "SecretAgeDays");
            assert.strictEqual(alarms(staging).length, 3);
            for (const a of alarms(staging)) {
                assert.strictEqual(inp(a).threshold, 180);
                assert.strictEqual(inp(a).treatMissingData, "breaching");
                assert.match(inp(a).alarmDescription, /docs\/runbooks\.md#aws-secret-age$/);
                assert.ok(inp(a).alarmActions.length === 1);
            }
            assert.deepStrictEqual(
                alarms(rotated).map((a) => inp(a).threshold),
                [90, 90, 90],
            );
        });

        it("before the first rotation nothing rolls; a rotation date regenerates both secrets and rolls the API tasks", () => {
            for (const p of passwords(staging)) assert.strictEqual(inp(p).keepers, undefined, p.name);
            const api = (run: ProgramRun) =>
                JSON.parse(inp(run.resources.one("aws:ecs/taskDefinition:TaskDefinition", "api-task")).containerDefinitions)[0] as {
                    environment: { name: string; value: string }[];
                    dockerLabels?: Record<string, string>;
                };
            assert.strictEqual(api(staging).dockerLabels, undefined);
            const keepers = passwords(rotated).map((p) => [p.name.replace(/^rag-aws-/, ""), inp(p).keepers]);
            assert.deepStrictEqual(keepers.sort(), [
                ["api-app-secret", { rotatedOn: "2026-11-30" }],
                ["cache-auth", { rotatedOn: "2026-11-30" }],
            ]);
            // The date rolls the tasks through a docker label, never an environment value (the
            // plain-secrets rule reads every environment name that mentions credentials).
            assert.deepStrictEqual(api(rotated).dockerLabels, { "ragstack.credentials-rotated-on": "2026-11-30" });
            assert.ok(!api(rotated).environment.some((e) => /ROTATED/.test(e.name)));
            assert.strictEqual(inp(rotated.resources.one("aws:elasticache/replicationGroup:ReplicationGroup")).authTokenUpdateStrategy, "ROTATE");
        });

        it("a rotated production stack passes the production pack config (tools/rotate-secrets.sh can rotate an AWS stack)", async () => {
            const res = await evaluatePack(rotated.resources.all, productionConfig());
            assert.deepStrictEqual(
                res.mandatory.map((v) => `${v.policy}: ${v.message}`),
                [],
            );
        });
    });

    describe("Kubernetes", () => {
        let production: ProgramRun;
        let rotated: ProgramRun;
        before(async () => {
            production = await runProgram("production", { target: "kubernetes" });
            rotated = await runProgram("production", { target: "kubernetes", secretsRotatedOn: "2026-11-30", k8sObjectStorageMode: "in-cluster" });
        });

        it("generated Secrets are replaced (not patched) when their values change, so their creation time is their age", () => {
            assert.ok(k8sSecrets(production).length > 0);
            for (const s of k8sSecrets(production)) {
                assert.deepStrictEqual(s.replaceOnChanges, ["stringData", "data"], s.name);
                assert.strictEqual(s.deleteBeforeReplace, true, s.name);
            }
        });

        it("RagSecretNotRotated watches exactly the generated Secrets at 90 days", () => {
            const rule = kind(production, "PrometheusRule")[0];
            const alert = inp(rule)
                .spec.groups.flatMap((g: any) => g.rules)
                .find((r: any) => r.alert === "RagSecretNotRotated");
            assert.ok(alert, "no RagSecretNotRotated alert");
            const names = [...new Set(k8sSecrets(production).map((s) => inp(s).metadata.name as string))].sort();
            const watched = /secret=~"([^"]+)"/.exec(alert.expr)![1].split("|");
            assert.deepStrictEqual(watched, names);
            assert.match(alert.expr, /> 90 \* 86400$/);
            assert.match(alert.annotations.description, /runbooks\.md#ragsecretnotrotated$/);
        });

        it("a rotation date regenerates every credential, annotates the Secrets and rolls the API, Valkey and the object store", () => {
            const keepers = passwords(rotated).map((p) => inp(p).keepers);
            assert.ok(keepers.length >= 8, `${keepers.length} generated values`);
            for (const k of keepers) assert.deepStrictEqual(k, { rotatedOn: "2026-11-30" });
            for (const s of k8sSecrets(rotated)) assert.strictEqual(inp(s).metadata.annotations[ROTATION_ANNOTATION], "2026-11-30", s.name);
            const rolled = [...kind(rotated, "Deployment"), ...kind(rotated, "StatefulSet")]
                .filter((w) => inp(w).spec.template.metadata.annotations?.[ROTATION_ANNOTATION] === "2026-11-30")
                .map((w) => inp(w).metadata.name as string)
                .sort();
            assert.deepStrictEqual(rolled, ["api", "object-storage", "valkey", "valkey-sentinel"]);
            // Before the first rotation: no keepers, no annotation (an upgrade rolls nothing).
            for (const p of passwords(production)) assert.strictEqual(inp(p).keepers, undefined);
            for (const w of kind(production, "Deployment")) assert.strictEqual(inp(w).spec.template.metadata.annotations?.[ROTATION_ANNOTATION], undefined);
        });

        it("with credentials from an external store nothing is generated and no age alert is raised (the store rotates)", async () => {
            const external = await runProgram("production", {
                target: "kubernetes",
                k8sSecrets: "external",
                k8sExternalSecretStore: "vault",
                k8sExternalSecretPath: "rag/production",
            });
            const rules = kind(external, "PrometheusRule").flatMap((r) => inp(r).spec.groups.flatMap((g: any) => g.rules.map((x: any) => x.alert)));
            assert.ok(rules.length > 0 && !rules.includes("RagSecretNotRotated"));
        });
    });

    it("a bad rotation date or age names the key and what is allowed", () => {
        const base = {
            environment: "staging",
            domain: "rag.example.gov",
            apiImage: "ghcr.io/example-gov/rag-api:1.4.2",
            hostedZoneId: "Z0123456789STAGING",
            target: "aws",
        };
        assert.throws(
            () => resolveConfigValues({ ...base, secretsRotatedOn: "2026-02-30" }),
            /rag-platform:secretsRotatedOn \(secrets\.rotatedOn\): got "2026-02-30"; allowed: a calendar date YYYY-MM-DD that exists/,
        );
        assert.throws(
            () => resolveConfigValues({ ...base, secretsRotatedOn: "last week" }),
            /secrets\.rotatedOn\): got "last week"; allowed: a date YYYY-MM-DD/,
        );
        assert.throws(() => resolveConfigValues({ ...base, secretMaxAgeDays: "3" }), /rag-platform:secretMaxAgeDays \(secrets\.maxAgeDays\): got 3/);
    });

    it("the check's Python publishes the age of each secret's current value and fails loudly on one it cannot read", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-age-"));
        fs.writeFileSync(path.join(dir, "index.py"), SECRET_AGE_HANDLER);
        // A stand-in boto3: versions per secret, paged; put_metric_data recorded.
        fs.writeFileSync(
            path.join(dir, "boto3.py"),
            `import datetime
NOW = datetime.datetime.now(datetime.timezone.utc)
PUT = []
VERSIONS = {
    "arn:a": [[{"VersionStages": ["AWSPREVIOUS"], "CreatedDate": NOW - datetime.timedelta(days=200)}],
              [{"VersionStages": ["AWSCURRENT"], "CreatedDate": NOW - datetime.timedelta(days=30)}]],
    "arn:b": [[{"VersionStages": ["AWSCURRENT"], "CreatedDate": NOW - datetime.timedelta(days=120)}]],
}
class Client:
    def list_secret_version_ids(self, SecretId, NextToken=None):
        if SecretId not in VERSIONS:
            raise Exception("AccessDenied")
        pages = VERSIONS[SecretId]
        i = int(NextToken or 0)
        page = {"Versions": pages[i]}
        if i + 1 < len(pages):
            page["NextToken"] = str(i + 1)
        return page
    def put_metric_data(self, Namespace, MetricData):
        PUT.append((Namespace, MetricData))
def client(name):
    return Client()
`,
        );
        const run = (secrets: Record<string, string>) =>
            execFileSync(
                "python3",
                [
                    "-c",
                    `import json, sys, boto3, index
try:
    result = index.handler({"stack": "rag", "secrets": ${JSON.stringify(secrets)}}, None)
    error = None
except Exception as e:
    result, error = None, str(e)
print(json.dumps({"result": result, "error": error, "put": [(n, [[d["MetricName"], d["Dimensions"], d["Value"]] for d in m]) for n, m in boto3.PUT]}))`,
                ],
                { cwd: dir, encoding: "utf8" },
            );
        const ok = JSON.parse(run({ documents: "arn:a", cache: "arn:b" }).trim().split("\n").pop()!);
        assert.strictEqual(ok.error, null);
        const ages = Object.fromEntries(ok.put.map(([ns, [[metric, dims, value]]]: any) => [dims[1].Value, [ns, metric, dims[0].Value, Math.round(value)]]));
        // the current version's age (30 days), not the older previous one's (200)
        assert.deepStrictEqual(ages, { cache: ["RagStack/Secrets", "SecretAgeDays", "rag", 120], documents: ["RagStack/Secrets", "SecretAgeDays", "rag", 30] });
        const bad = JSON.parse(run({ documents: "arn:a", gone: "arn:missing" }).trim().split("\n").pop()!);
        assert.match(bad.error, /secret age unknown for: gone/);
        assert.strictEqual(bad.put.length, 1, "the readable secret is still published");
    });
});
