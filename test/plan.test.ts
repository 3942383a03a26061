import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { cli } from "./harness/cli";
import { PLAN_FORMAT_VERSION, REDACTED } from "../testing/plan";

const NAMESPACED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterIssuer", "GatewayClass"].map((k) => `!${k}`));

describe("offline plan", function () {
    for (const stack of ["development", "staging", "production"]) {
        for (const target of ["aws", "kubernetes"]) {
            it(`plans ${stack} on ${target} with zero mandatory violations and the documented JSON shape`, async () => {
                const { code, stdout } = await cli("--stack", stack, "--target", target, "--json");
                assert.strictEqual(code, 0);
                const doc = JSON.parse(stdout);
                assert.strictEqual(doc.formatVersion, PLAN_FORMAT_VERSION);
                assert.deepStrictEqual([doc.stack, doc.target, doc.environment], [stack, target, stack]);
                assert.ok(Array.isArray(doc.resources) && doc.resources.length === doc.summary.resources);
                for (const r of doc.resources) {
                    assert.strictEqual(typeof r.urn, "string");
                    assert.strictEqual(typeof r.type, "string");
                    assert.strictEqual(typeof r.name, "string");
                    assert.ok(r.parent === null || typeof r.parent === "string");
                    assert.strictEqual(typeof r.inputs, "object");
                }
                assert.deepStrictEqual(doc.summary.opaque, []);
                assert.ok(Array.isArray(doc.policy.violations));
                assert.strictEqual(doc.policy.mandatoryViolations, 0);
                assert.strictEqual(doc.policy.passed, true);
                assert.ok(!stdout.includes('"mock'), "a generated secret value reached the plan");
                const secretHolder = doc.resources.find(
                    (r: any) => r.type === (target === "aws" ? "aws:elasticache/replicationGroup:ReplicationGroup" : "kubernetes:core/v1:Secret"),
                );
                assert.ok(JSON.stringify(secretHolder.inputs).includes(REDACTED), "secret inputs are redacted");
            });
        }
    }

    it("prints a readable summary: tree, key settings, policy results", async () => {
        const { code, stdout } = await cli("--stack", "production");
        assert.strictEqual(code, 0);
        for (const s of ["Stack production: target aws", "Key settings:", 'ragstack:aws:Database "rag-aws-db"', "Policies: ", "Result: PASS", "opaque: none"])
            assert.ok(stdout.includes(s), s);
    });

    it("an injected insecure override fails the plan and names the policy and the resource", async () => {
        const { code, stdout } = await cli("--stack", "production", "--json", "--set", "dbDeletionProtection=false", "--set", "dbMultiAz=false");
        assert.strictEqual(code, 1);
        const doc = JSON.parse(stdout);
        const names = doc.policy.violations.filter((v: any) => v.enforcementLevel === "mandatory").map((v: any) => v.policy);
        assert.ok(names.includes("aws-rds-instance-require-deletion-protection"));
        assert.ok(names.includes("aws-rds-instance-require-multi-az"));
        const v = doc.policy.violations.find((x: any) => x.policy === "aws-rds-instance-require-multi-az");
        assert.match(v.urn, /rag-aws-db-primary$/);
        assert.strictEqual(doc.policy.passed, false);
    });

    it("a Kubernetes override below the production replica floor fails too", async () => {
        const { code, stdout } = await cli(
            "--stack",
            "production",
            "--target",
            "kubernetes",
            "--set",
            "k8sObjectStorageEndpoint=https://s3.internal.example.gov",
            "--set",
            "apiMinReplicas=1",
            "--set",
            "apiMaxReplicas=3",
        );
        assert.strictEqual(code, 1);
        assert.ok(stdout.includes("kubernetes-apps-deployment-require-replicas"));
    });

    it("--out writes plan.json, parseable Kubernetes YAML without secret data, and a Mermaid diagram", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        const { code } = await cli("--stack", "staging", "--target", "kubernetes", "--out", dir);
        assert.strictEqual(code, 0);
        assert.ok(JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8")).resources.length > 50);
        const mmd = fs.readFileSync(path.join(dir, "architecture.mmd"), "utf8");
        assert.ok(mmd.startsWith("flowchart LR") && mmd.includes("-->|5432 TLS|"));
        const files: string[] = [];
        const walk = (d: string) =>
            fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(path.join(d, e.name))));
        walk(path.join(dir, "manifests"));
        assert.ok(files.length > 50, `${files.length} manifests`);
        const kinds = new Set<string>();
        for (const f of files) {
            const docs = YAML.parseAllDocuments(fs.readFileSync(f, "utf8"));
            assert.strictEqual(docs.length, 1, f);
            assert.deepStrictEqual(docs[0].errors, [], f);
            const o = docs[0].toJS();
            assert.match(o.apiVersion, /^([a-z0-9.-]+\/)?v\d+(alpha\d+|beta\d+)?$/, f);
            assert.match(o.kind, /^[A-Z][A-Za-z]+$/, f);
            assert.match(o.metadata.name, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, f);
            if (!NAMESPACED.has(`!${o.kind}`)) assert.ok(o.metadata.namespace, `${f} has no namespace`);
            if (o.kind === "Secret") {
                assert.ok(!o.data && !o.stringData, `${f} carries secret data`);
                assert.match(o.metadata.annotations["ragstack.io/secret-data"], /not rendered/);
            }
            kinds.add(o.kind);
        }
        for (const k of ["Deployment", "StatefulSet", "NetworkPolicy", "Cluster", "Gateway", "HTTPRoute", "Certificate", "PrometheusRule"])
            assert.ok(kinds.has(k), k);
    });

    it("bad input exits 2 with a clear message", async () => {
        const unknown = await cli("--stack", "qa");
        assert.strictEqual(unknown.code, 2);
        assert.match(unknown.stderr, /unknown stack "qa".*stacks here: .*production.*staging|unknown stack "qa".*staging/s);
        const badConfig = await cli("--stack", "staging", "--set", "apiMinReplicas=two");
        assert.strictEqual(badConfig.code, 2);
        assert.match(badConfig.stderr, /rag-platform:apiMinReplicas: got "two"; allowed: an integer/);
        const badRange = await cli("--stack", "staging", "--set", "apiMinReplicas=9");
        assert.strictEqual(badRange.code, 2);
        assert.match(badRange.stderr, /rag-platform:apiMinReplicas \(api\.minReplicas\): got 9; allowed: at most api\.maxReplicas \(3\)/);
        const badTarget = await cli("--stack", "staging", "--target", "gcp");
        assert.strictEqual(badTarget.code, 2);
        assert.match(badTarget.stderr, /--target: got "gcp"; allowed: aws, kubernetes/);
        const missing = await cli("--stack", "staging", "--policy-config", "/nonexistent.json");
        assert.strictEqual(missing.code, 2);
        assert.match(missing.stderr, /cannot read the policy config \/nonexistent.json/);
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pc-")), "bad.json");
        fs.writeFileSync(file, JSON.stringify({ "no-such-policy": "mandatory" }));
        const unknownPolicy = await cli("--stack", "staging", "--policy-config", file);
        assert.strictEqual(unknownPolicy.code, 2);
        assert.match(unknownPolicy.stderr, /unknown policy "no-such-policy"/);
        const noStack = await cli();
        assert.strictEqual(noStack.code, 2);
        assert.match(noStack.stderr, /--stack is required/);
    });
});
