/**
 * Alerting as settings on both targets: each alarm's (AWS) and alert's (Kubernetes) threshold,
 * duration and severity are defaults a stack overrides (`alarms`, `k8sAlerts`); the Kubernetes
 * alerts a cluster cannot feed (`k8sMetricsSources`) are left out and named.
 */
import * as assert from "assert";
import { Observability, ObservabilityArgs } from "../components/aws/observability";
import { ValidationError } from "../components/core/validation";
import { alertRules, Monitoring, MonitoringArgs } from "../components/kubernetes/monitoring";
import { AWS_ALARMS, K8S_ALERTS, K8S_METRICS_SOURCES, presetFor } from "../components/settings";
import { resolveStackSettings } from "../environments/resolve";
import { installMocks, RecordedResource, settle } from "../testing/mocks";
import { keySettings } from "../testing/plan/document";
import { ProgramRun, runProgram } from "../testing/program";

const inp = (r: RecordedResource) => r.inputs as any;
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const alarm = (run: ProgramRun, key: string) => inp(run.resources.one(ALARM, key));
const rulesOf = (run: ProgramRun) => inp(run.resources.all.find((r) => inp(r).kind === "PrometheusRule")!);
const ruleOf = (run: ProgramRun, name: string) => rulesOf(run).spec.groups[0].rules.find((r: any) => r.alert === name);

/** The values the alarms had before they became settings (components/aws/observability.ts at c28eb96). */
const AWS_BEFORE: Record<string, [threshold: number, periods: number, datapoints: number | undefined]> = {
    "alb-5xx-rate": [5, 3, 2],
    "alb-p95-latency": [2, 5, 3],
    "alb-p99-latency": [5, 5, 3],
    "api-no-healthy-targets": [1, 2, undefined],
    "api-unhealthy-targets": [0, 1, undefined],
    "api-cpu": [70, 2, undefined],
    "api-memory": [80, 2, undefined],
    "db-cpu": [80, 3, undefined],
    "db-slow-queries": [50, 2, undefined],
    "db-proxy-borrow-latency": [1_000_000, 2, undefined],
    "db-replica-lag-0": [30, 5, undefined],
    "cache-memory": [80, 2, undefined],
    "cache-hit-rate": [80, 4, undefined],
    "cache-evictions": [0, 1, undefined],
    "gpu-status": [0, 5, undefined],
    "gpu-utilization": [90, 3, undefined],
    "gpu-memory": [95, 3, undefined],
    "llm-tasks-below-desired": [0, 10, 10],
    "waf-blocked-spike": [500, 1, undefined],
};

/** The Kubernetes alerts before (monitoring.ts at c28eb96): the expression's tail, `for`, severity. */
const K8S_BEFORE: Record<string, [exprEnd: string, forText: string, severity: string]> = {
    RagApiDown: ["== 0", "1m", "critical"],
    RagApiHigh5xxRate: ["> 0.05", "5m", "critical"],
    RagApiHighLatencyP95: ["> 2", "10m", "warning"],
    RagPodRestarting: ["> 3", "0m", "warning"],
    RagPostgresDown: ["== 0", "1m", "critical"],
    RagPostgresReplicationLag: ["> 30", "5m", "warning"],
    RagPostgresBackupFailing: ["> 93600", "30m", "critical"],
    RagPostgresConnectionsHigh: ["> 0.8", "5m", "warning"],
    RagPostgresLongTransaction: ["> 300", "5m", "warning"],
    RagValkeyDown: ["== 0", "1m", "critical"],
    RagValkeyMemoryHigh: ["> 0.85", "10m", "warning"],
    RagVolumeAlmostFull: ["< 0.10", "5m", "warning"],
    RagCertificateExpiring: ["< 14 * 24 * 3600", "1h", "warning"],
    RagSecretNotRotated: ["> 90 * 86400", "1h", "warning"],
    RagValkeySentinelQuorumLost: ["< 2", "5m", "critical"],
    RagLlmUnavailable: ["== 0", "5m", "critical"],
    RagGpuUtilizationHigh: ["> 90", "15m", "warning"],
    RagGpuMemoryHigh: ["> 0.95", "15m", "warning"],
};

const IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/rag-api:1.4.2";
/** What a staging stack needs besides the preset, per target. */
const BASE = { aws: { api: { image: IMAGE }, aws: { hostedZoneId: "Z0123456789ABC" } }, kubernetes: { api: { image: IMAGE } } };

/** The validation's issues with these settings over a valid staging stack. */
function observabilityIssues(target: "aws" | "kubernetes", overrides: object) {
    try {
        resolveStackSettings({ target, environment: "staging", domain: "rag.example.gov", overrides: { ...BASE[target], ...overrides } as never });
        return [];
    } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        return e.issues;
    }
}

/** Resolving these settings fails on `field` alone, with an allowed text matching `allowed`. */
function refused(target: "aws" | "kubernetes", overrides: object, field: string, allowed: RegExp): void {
    const issues = observabilityIssues(target, overrides);
    assert.strictEqual(issues.length, 1, JSON.stringify(issues));
    assert.strictEqual(issues[0].field, field);
    assert.match(issues[0].allowed, allowed);
}

describe("alerting as settings", function () {
    this.timeout(300_000);

    describe("AWS: CloudWatch alarms", () => {
        let defaults: ProgramRun;
        let changed: ProgramRun;
        before(async () => {
            defaults = await runProgram("production", { target: "aws" });
            changed = await runProgram("production", {
                target: "aws",
                alarms: JSON.stringify({
                    "alb-p95-latency": { threshold: 0.5, periods: 10, datapoints: 6 },
                    "api-cpu": { threshold: 80 },
                    "db-free-storage": { threshold: 20 },
                    "db-connections": { threshold: 90, periods: 3 },
                    "db-proxy-borrow-latency": { threshold: 0.25 },
                    "cache-evictions": { threshold: 100 },
                }),
            });
        });

        it("defaults: every alarm keeps the threshold, periods and datapoints it had before", () => {
            for (const [key, [threshold, periods, datapoints]] of Object.entries(AWS_BEFORE)) {
                const a = alarm(defaults, key);
                assert.deepStrictEqual([a.threshold, a.evaluationPeriods, a.datapointsToAlarm], [threshold, periods, datapoints], key);
            }
            // the derived thresholds: 10 % of the allocated storage, 80 % of max_connections, 80 % of the proxy's 80 %
            const storageGiB = presetFor("production").database.storageGiB;
            assert.strictEqual(alarm(defaults, "db-free-storage").threshold, Math.round(storageGiB * 0.1 * 1024 ** 3));
            const connections = alarm(defaults, "db-connections").threshold;
            assert.strictEqual(alarm(defaults, "db-proxy-connections").threshold, Math.floor((connections / 0.8) * 0.8 * 0.8));
            assert.strictEqual(alarm(defaults, "alb-p95-latency").alarmDescription.split(".")[0], "p95 target response time above 2 s");
        });

        it("the catalogue names every alarm the stack raises (per-replica alarms by their key)", () => {
            const keys = defaults.resources.ofType(ALARM).map((r) => r.name.replace(/^.*-observability-/, "").replace(/-\d+$/, ""));
            const secretAge = keys.filter((k) => k.startsWith("secret-age"));
            for (const k of keys.filter((x) => !secretAge.includes(x))) assert.ok(k in AWS_ALARMS, `${k} not in AWS_ALARMS`);
            for (const k of Object.keys(AWS_ALARMS)) assert.ok(keys.includes(k), `${k} not raised by the production stack`);
        });

        it("a key changes the rendered alarm: threshold, evaluation periods, datapoints and the description", () => {
            const p95 = alarm(changed, "alb-p95-latency");
            assert.deepStrictEqual([p95.threshold, p95.evaluationPeriods, p95.datapointsToAlarm], [0.5, 10, 6]);
            assert.match(p95.alarmDescription, /^p95 target response time above 0\.5 s\. Runbook/);
            assert.deepStrictEqual([alarm(changed, "api-cpu").threshold, alarm(changed, "api-cpu").evaluationPeriods], [80, 2], "the rest keep their default");
            assert.strictEqual(alarm(changed, "db-free-storage").threshold, Math.round(presetFor("production").database.storageGiB * 0.2 * 1024 ** 3));
            const max = alarm(defaults, "db-connections").threshold / 0.8;
            assert.deepStrictEqual(
                [alarm(changed, "db-connections").threshold, alarm(changed, "db-connections").evaluationPeriods],
                [Math.floor(max * 0.9), 3],
            );
            assert.strictEqual(alarm(changed, "db-proxy-borrow-latency").threshold, 250_000, "microseconds");
            assert.strictEqual(alarm(changed, "cache-evictions").threshold, 100);
            assert.match(alarm(changed, "cache-evictions").alarmDescription, /more than 100 keys/);
            // untouched alarms render as before
            assert.deepStrictEqual(alarm(changed, "alb-p99-latency"), alarm(defaults, "alb-p99-latency"));
        });

        it("bad values are refused naming the alarm and the allowed values", () => {
            refused(
                "aws",
                { observability: { alarms: { "alb-p95-latncy": { threshold: 1 } } } },
                "observability.alarms.alb-p95-latncy",
                /did you mean "alb-p95-latency"\?/,
            );
            refused(
                "aws",
                { observability: { alarms: { "api-cpu": { threshold: 120 } } } },
                "observability.alarms.api-cpu.threshold",
                /a number from 1 to 100/,
            );
            refused(
                "aws",
                { observability: { alarms: { "api-cpu": { treshold: 90 } } } },
                "observability.alarms.api-cpu.treshold",
                /did you mean "threshold"\?/,
            );
            refused(
                "aws",
                { observability: { alarms: { "gpu-status": { threshold: 2 } } } },
                "observability.alarms.gpu-status.threshold",
                /fixed by what it means/,
            );
            // 5-minute periods: at most 288 (one day)
            refused("aws", { observability: { alarms: { "db-cpu": { periods: 289 } } } }, "observability.alarms.db-cpu.periods", /an integer from 1 to 288/);
            refused("aws", { observability: { alarms: { "db-cpu": { periods: 3, datapoints: 4 } } } }, "observability.alarms.db-cpu.datapoints", /from 1 to 3/);
            refused(
                "aws",
                { observability: { alarms: { "alb-p95-latency": { periods: 2 } } } },
                "observability.alarms.alb-p95-latency.datapoints",
                /set datapoints too/,
            );
            refused("aws", { observability: { alerts: { RagApiDown: { forMinutes: 2 } } } }, "observability.alerts", /unset on the aws target/);
        });

        it("the one-day limit is each alarm's own: 1-minute periods up to 1440, 15-minute ones up to 96", () => {
            // PutMetricAlarm, Period: under an hour, Period × EvaluationPeriods ≤ 86,400 s
            // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
            for (const spec of Object.values(AWS_ALARMS)) assert.ok(spec.period < 3600 && spec.period % 60 === 0);
            assert.deepStrictEqual(observabilityIssues("aws", { observability: { alarms: { "alb-5xx-rate": { periods: 1440 } } } }), []);
            refused("aws", { observability: { alarms: { "cache-hit-rate": { periods: 97 } } } }, "observability.alarms.cache-hit-rate.periods", /from 1 to 96/);
        });

        it("the component checks its alarms before it registers anything", async () => {
            const log = installMocks();
            const args = { alarms: { "api-memory": { threshold: 0 } } } as Partial<ObservabilityArgs>;
            assert.throws(
                () => new Observability("obs", args as ObservabilityArgs),
                (e: unknown) => e instanceof ValidationError && e.issues.some((i) => i.field === "alarms.api-memory.threshold"),
            );
            await settle();
            assert.strictEqual(log.all.length, 0);
            // the deprecated single-threshold arguments are the same overrides, checked the same way
            assert.throws(
                () => new Observability("obs", { wafBlockedSpike: 0 } as unknown as ObservabilityArgs),
                (e: unknown) => e instanceof ValidationError && e.issues.some((i) => i.field === "alarms.waf-blocked-spike.threshold"),
            );
        });
    });

    describe("Kubernetes: Prometheus alerts", () => {
        let defaults: ProgramRun;
        let changed: ProgramRun;
        let noKsm: ProgramRun;
        before(async () => {
            defaults = await runProgram("production", { target: "kubernetes" });
            changed = await runProgram("production", {
                target: "kubernetes",
                k8sAlerts: JSON.stringify({
                    RagApiHighLatencyP95: { threshold: 0.5, forMinutes: 5, severity: "critical" },
                    RagApiHighLatencyP99: { threshold: 2 },
                    RagContainerCpuHigh: { threshold: 90, forMinutes: 120 },
                    RagVolumeAlmostFull: { threshold: 15 },
                    RagNodeNotReady: { severity: "critical" },
                }),
            });
            noKsm = await runProgram("production", { target: "kubernetes", k8sMetricsSources: JSON.stringify(["cadvisor", "kubelet", "dcgm-exporter"]) });
        });

        it("defaults: the alerts that existed keep their expression, duration and severity", () => {
            for (const [name, [end, forText, severity]] of Object.entries(K8S_BEFORE)) {
                const r = ruleOf(defaults, name);
                assert.ok(r, name);
                assert.ok(r.expr.endsWith(end), `${name}: ${r.expr}`);
                assert.deepStrictEqual([r.for, r.labels.severity], [forText, severity], name);
            }
            assert.strictEqual(rulesOf(defaults).metadata.annotations, undefined, "nothing left out with every source");
        });

        it("new alerts: p99 latency, container CPU and memory against their limits, node not Ready (pod restarts and volumes were there)", () => {
            const p99 = ruleOf(defaults, "RagApiHighLatencyP99");
            assert.match(
                p99.expr,
                /^histogram_quantile\(0\.99, sum by \(le\) \(rate\(http_request_duration_seconds_bucket\{namespace="rag-prod-app",service="api"\}\[5m\]\)\)\) > 5$/,
            );
            const cpu = ruleOf(defaults, "RagContainerCpuHigh");
            assert.match(cpu.expr, /rate\(container_cpu_usage_seconds_total\{namespace=~"rag-prod-app\|rag-prod-data"/);
            assert.match(cpu.expr, /kube_pod_container_resource_limits\{[^}]*resource="cpu"\}\) > 0\.8$/);
            const memory = ruleOf(defaults, "RagContainerMemoryHigh");
            assert.match(memory.expr, /container_memory_working_set_bytes\{[^}]*container!="valkey"\}/, "Valkey has its own memory alert");
            assert.match(memory.expr, /resource="memory"\}\) > 0\.85$/);
            const node = ruleOf(defaults, "RagNodeNotReady");
            assert.match(node.expr, /^kube_node_status_condition\{condition="Ready",status="true"/);
            assert.deepStrictEqual([node.for, node.labels.severity], ["15m", "warning"]);
            for (const r of [p99, cpu, memory, node]) assert.match(r.annotations.description, /Runbook: docs\/runbooks\.md#rag[a-z0-9]+$/);
            // an API that is down silences its p99 too
            const routing = inp(defaults.resources.all.find((r) => inp(r).kind === "AlertmanagerConfig")!);
            assert.ok(
                routing.spec.inhibitRules.some((i: any) => i.sourceMatch[0].value === "RagApiDown" && i.targetMatch[0].value.includes("RagApiHighLatencyP99")),
            );
        });

        it("a key changes the rendered rule: threshold in the expression and summary, for, severity label", () => {
            const p95 = ruleOf(changed, "RagApiHighLatencyP95");
            assert.ok(p95.expr.endsWith("> 0.5"), p95.expr);
            assert.deepStrictEqual([p95.for, p95.labels.severity, p95.annotations.summary], ["5m", "critical", "API p95 latency above 0.5 s"]);
            assert.ok(ruleOf(changed, "RagApiHighLatencyP99").expr.endsWith("> 2"));
            const cpu = ruleOf(changed, "RagContainerCpuHigh");
            assert.ok(cpu.expr.endsWith("> 0.9"), cpu.expr);
            assert.strictEqual(cpu.for, "2h", "whole hours as hours");
            assert.match(cpu.annotations.summary, /more than 90% of its CPU limit for 120 minutes/);
            assert.ok(ruleOf(changed, "RagVolumeAlmostFull").expr.endsWith("< 0.15"));
            assert.strictEqual(ruleOf(changed, "RagNodeNotReady").labels.severity, "critical");
            assert.deepStrictEqual(ruleOf(changed, "RagPostgresDown"), ruleOf(defaults, "RagPostgresDown"), "the rest as before");
        });

        it("an alert whose metrics source the cluster lacks is left out, and the rule's annotation names it and why", () => {
            const names = rulesOf(noKsm).spec.groups[0].rules.map((r: any) => r.alert);
            for (const a of [
                "RagNodeNotReady",
                "RagPodRestarting",
                "RagContainerCpuHigh",
                "RagContainerMemoryHigh",
                "RagValkeyDown",
                "RagLlmUnavailable",
                "RagSecretNotRotated",
            ])
                assert.ok(!names.includes(a), `${a} needs kube-state-metrics`);
            for (const a of ["RagValkeyMemoryHigh", "RagVolumeAlmostFull", "RagGpuMemoryHigh", "RagApiHighLatencyP99", "RagPostgresDown"])
                assert.ok(names.includes(a), a);
            const note = rulesOf(noKsm).metadata.annotations["ragstack.io/alerts-left-out"];
            assert.match(note, /RagNodeNotReady \(no kube-state-metrics\)/);
            assert.match(note, /RagContainerCpuHigh \(no kube-state-metrics\)/);
            assert.doesNotMatch(note, /RagGpu|RagVolume/);
            // inhibitions only name alerts that exist
            const routing = inp(noKsm.resources.all.find((r) => inp(r).kind === "AlertmanagerConfig")!);
            assert.ok(!routing.spec.inhibitRules.some((i: any) => i.sourceMatch[0].value === "RagValkeyDown"));
        });

        it("the plan's key settings name the alerts left out and the source each lacks (none with every source)", () => {
            const settings = (sources?: string[]) =>
                resolveStackSettings({
                    target: "kubernetes",
                    environment: "staging",
                    domain: "rag.example.gov",
                    overrides: { ...BASE.kubernetes, ...(sources ? { observability: { metricsSources: sources } } : {}) } as never,
                });
            assert.strictEqual((keySettings(settings()).observability as any).alertsLeftOut, undefined);
            const leftOut = (keySettings(settings(["kube-state-metrics", "kubelet"])).observability as any).alertsLeftOut as string[];
            assert.ok(leftOut.includes("RagContainerCpuHigh (no cadvisor)"), leftOut.join("; "));
            assert.ok(leftOut.includes("RagGpuMemoryHigh (no dcgm-exporter)"));
            assert.ok(!leftOut.some((x) => x.startsWith("RagNodeNotReady")));
        });

        it("each source gates its own alerts (alertRules)", () => {
            const all = (sources: string[]) =>
                alertRules("app", "data", true, "StatefulSet", true, { names: ["s"], maxAgeDays: 90 }, { metricsSources: sources }).map((a) => a.alert);
            const full = all([...K8S_METRICS_SOURCES]);
            assert.deepStrictEqual(full.slice().sort(), Object.keys(K8S_ALERTS).sort(), "every catalogue alert with every source");
            for (const source of K8S_METRICS_SOURCES) {
                const without = all(K8S_METRICS_SOURCES.filter((x) => x !== source));
                const gone = full.filter((a) => !without.includes(a));
                const expected = Object.entries(K8S_ALERTS)
                    .filter(([, spec]) => (spec.sources as readonly string[]).includes(source))
                    .map(([a]) => a);
                assert.deepStrictEqual(gone.sort(), expected.sort(), source);
                assert.ok(gone.length > 0, `${source} gates something`);
            }
        });

        it("bad values are refused naming the alert and the allowed values", () => {
            refused(
                "kubernetes",
                { observability: { alerts: { RagApiHighLatncyP95: { threshold: 1 } } } },
                "observability.alerts.RagApiHighLatncyP95",
                /did you mean "RagApiHighLatencyP95"\?/,
            );
            refused(
                "kubernetes",
                { observability: { alerts: { RagNodeNotReady: { severity: "page" } } } },
                "observability.alerts.RagNodeNotReady.severity",
                /one of "critical", "warning"/,
            );
            refused(
                "kubernetes",
                { observability: { alerts: { RagNodeNotReady: { threshold: 1 } } } },
                "observability.alerts.RagNodeNotReady.threshold",
                /fixed by what it means/,
            );
            refused(
                "kubernetes",
                { observability: { alerts: { RagPodRestarting: { forMinutes: 1441 } } } },
                "observability.alerts.RagPodRestarting.forMinutes",
                /an integer from 0 to 1440/,
            );
            refused(
                "kubernetes",
                { observability: { alerts: { RagVolumeAlmostFull: { threshold: 60 } } } },
                "observability.alerts.RagVolumeAlmostFull.threshold",
                /a number from 1 to 50/,
            );
            refused(
                "kubernetes",
                { observability: { metricsSources: ["cadvisor", "kubelet"], alerts: { RagNodeNotReady: { forMinutes: 5 } } } },
                "observability.alerts.RagNodeNotReady",
                /left out, the cluster lacks kube-state-metrics/,
            );
            refused(
                "kubernetes",
                { observability: { metricsSources: ["kube-state-metric"] } },
                "observability.metricsSources[0]",
                /did you mean "kube-state-metrics"\?/,
            );
            refused("kubernetes", { observability: { metricsSources: ["kubelet", "kubelet"] } }, "observability.metricsSources[1]", /each entry once/);
            refused("kubernetes", { observability: { alarms: { "api-cpu": { threshold: 90 } } } }, "observability.alarms", /unset on the kubernetes target/);
            refused(
                "kubernetes",
                { kubernetes: { monitoring: false }, observability: { alerts: { RagApiDown: { forMinutes: 2 } } } },
                "observability.alerts",
                /unset while kubernetes\.monitoring is false/,
            );
            assert.deepStrictEqual(
                observabilityIssues("kubernetes", { observability: { alerts: { RagApiDown: { forMinutes: 2 } } } }),
                [],
                "the same override with monitoring on",
            );
            refused(
                "kubernetes",
                { kubernetes: { monitoring: false }, observability: { metricsSources: ["kubelet"] } },
                "observability.metricsSources",
                /unset while kubernetes\.monitoring is false/,
            );
        });

        it("the component checks its alerts before it registers anything", async () => {
            const log = installMocks();
            const args = { metricsSources: ["kubelet"], alerts: { RagContainerCpuHigh: { threshold: 90 } } } as Partial<MonitoringArgs>;
            assert.throws(
                () => new Monitoring("mon", args as MonitoringArgs),
                (e: unknown) =>
                    e instanceof ValidationError &&
                    e.issues.some((i) => i.field === "alerts.RagContainerCpuHigh" && /lacks cadvisor and kube-state-metrics/.test(i.allowed)),
            );
            await settle();
            assert.strictEqual(log.all.length, 0);
        });
    });
});
