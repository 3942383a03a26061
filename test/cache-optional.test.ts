/**
 * The optional cache (`cacheEnabled`, issue 26; seed 004 marks Redis optional): off, nothing of
 * the cache is deployed on either target (no store, credentials, network rules, alerts or
 * variables), and overrides of its alerts are refused; on (the default), all of it is there.
 */
import * as assert from "assert";
import { resolveConfigValues } from "./harness/config";
import { cli } from "./harness/cli";
import { ProgramRun, runProgram } from "../testing/program";

const inp = (r: { inputs: unknown }) => r.inputs as any;
const names = (run: ProgramRun, type: string) => run.resources.ofType(type).map((r) => r.name);

describe("optional cache (cacheEnabled)", function () {
    this.timeout(300_000);

    it("AWS: off leaves out ElastiCache, its secret and alarms, the API's Valkey egress and REDIS_* variables", async () => {
        for (const enabled of [true, false]) {
            const run = await runProgram("production", { target: "aws", cacheEnabled: String(enabled) });
            assert.strictEqual(run.resources.ofType("aws:elasticache/replicationGroup:ReplicationGroup").length, enabled ? 1 : 0);
            assert.strictEqual(
                names(run, "aws:secretsmanager/secret:Secret").some((n) => n.includes("cache")),
                enabled,
            );
            assert.strictEqual(
                names(run, "aws:cloudwatch/metricAlarm:MetricAlarm").some((n) => n.includes("cache-")),
                enabled,
            );
            const egress = run.resources.ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter((r) => r.name.startsWith("rag-aws-api"));
            assert.strictEqual(
                egress.some((r) => inp(r).fromPort === 6379),
                enabled,
            );
            const api = JSON.parse(inp(run.resources.one("aws:ecs/taskDefinition:TaskDefinition", "api-task")).containerDefinitions)[0];
            const env = (api.environment as { name: string }[]).map((e) => e.name);
            assert.strictEqual(
                env.some((n) => n.startsWith("REDIS_")),
                enabled,
            );
            assert.strictEqual(
                (api.secrets as { name: string }[]).some((x) => x.name === "REDIS_AUTH_TOKEN"),
                enabled,
            );
        }
    });

    it("Kubernetes: off leaves out Valkey, its Secret, NetworkPolicies, alerts, dashboard and the API's REDIS_* variables", async () => {
        for (const enabled of [true, false]) {
            const run = await runProgram("production", { target: "kubernetes", cacheEnabled: String(enabled) });
            const sets = run.resources.ofType("kubernetes:apps/v1:StatefulSet").map((r) => String(inp(r).metadata.name));
            assert.strictEqual(sets.includes("valkey"), enabled, sets.join());
            const secrets = run.resources.ofType("kubernetes:core/v1:Secret").map((r) => String(inp(r).metadata.name));
            assert.strictEqual(secrets.includes("valkey-auth"), enabled);
            const policies = run.resources.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy");
            assert.strictEqual(
                policies.some((p) => String(inp(p).metadata.name).startsWith("valkey")),
                enabled,
            );
            const apiEgress = inp(policies.find((p) => inp(p).metadata.name === "api-egress")!).spec.egress;
            assert.strictEqual(JSON.stringify(apiEgress).includes("6379"), enabled);
            const rules = run.resources.all.find((r) => inp(r).kind === "PrometheusRule")!;
            assert.strictEqual(JSON.stringify(inp(rules).spec).includes("RagValkey"), enabled);
            const deployment = run.resources.ofType("kubernetes:apps/v1:Deployment").find((d) => inp(d).metadata.name === "api")!;
            const env = (inp(deployment).spec.template.spec.containers[0].env as { name: string }[]).map((e) => e.name);
            assert.strictEqual(
                env.some((n) => n.startsWith("REDIS_")),
                enabled,
            );
        }
    });

    it("production without the cache passes the pack on both targets; development without it costs about $11 less", async () => {
        for (const target of ["aws", "kubernetes"]) {
            const r = await cli("--stack", "production", "--target", target, "--set", "cacheEnabled=false", "--json");
            assert.strictEqual(r.code, 0, r.stdout.slice(0, 1500) + r.stderr);
        }
        // One at a time: the in-process CLI captures the process's stdout.
        const on = await cli("--stack", "development", "--json");
        const off = await cli("--stack", "development", "--set", "cacheEnabled=false", "--json");
        const cost = (x: { stdout: string }) => JSON.parse(x.stdout).cost.monthly.total;
        assert.ok(cost(on) - cost(off) > 10, `${cost(on)} vs ${cost(off)}`);
    });

    it("overrides of the cache's alerts are refused while the cache is off, naming the field", () => {
        const base = { environment: "staging", domain: "rag.example.gov", apiImage: "ghcr.io/example-gov/rag-api:1.4.2", cacheEnabled: "false" };
        assert.throws(
            () =>
                resolveConfigValues({ ...base, target: "aws", hostedZoneId: "Z0123456789ABC", alarms: JSON.stringify({ "cache-memory": { threshold: 90 } }) }),
            /rag-platform:alarms \(observability\.alarms\): got \["cache-memory"\]; allowed: no override of the cache's alerts while cache\.enabled is false/,
        );
        assert.throws(
            () => resolveConfigValues({ ...base, target: "kubernetes", k8sAlerts: JSON.stringify({ RagValkeyMemoryHigh: { threshold: 90 } }) }),
            /rag-platform:k8sAlerts \(observability\.alerts\): got \["RagValkeyMemoryHigh"\]; allowed: no override/,
        );
        assert.doesNotThrow(() => resolveConfigValues({ ...base, target: "kubernetes" }));
    });
});
