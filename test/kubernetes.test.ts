import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { uploadScript } from "../components/kubernetes/backup";
import { modelReference } from "../components/kubernetes/llm";
import { dashboardSpecs, grafanaModel } from "../components/kubernetes/dashboards";
import { alertRules } from "../components/kubernetes/monitoring";
import { resolveConfigValues } from "./harness/config";
import { validateStackSettings } from "../components/settings";
import { cli } from "./harness/cli";

/** Stack config values resolved as the program resolves them (every given key present). */
function resolveConfig(values: Record<string, string>) {
    return resolveConfigValues(values, undefined);
}
import { capacity } from "../analysis/capacity";
import { RecordedResource } from "../testing/mocks";
import { presetFor } from "../environments/presets";
import { ProgramRun, runProgram } from "../testing/program";

const runs: Record<string, ProgramRun> = {};
const inp = (r: RecordedResource) => r.inputs as Record<string, any>;

const WORKLOADS = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob"];

/** Pod template of a workload object. */
export function podTemplate(r: RecordedResource): any {
    const spec = inp(r).spec;
    return r.type.endsWith(":CronJob") ? spec.jobTemplate.spec.template : spec.template;
}

function matches(selector: any, labels: Record<string, string>): boolean {
    return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

describe("Kubernetes target", function () {
    before(async () => {
        runs.staging = await runProgram("staging", { target: "kubernetes" });
        runs.production = await runProgram("production", { target: "kubernetes" });
    });

    for (const env of ["staging", "production"] as const) {
        describe(env, () => {
            const log = () => runs[env].resources;
            const prod = env === "production";
            const workloads = () => log().all.filter((r) => WORKLOADS.includes(r.type));

            it("every object uses the explicit provider and has a parent", () => {
                for (const r of log().all.filter((x) => x.type.startsWith("kubernetes:"))) {
                    assert.ok(r.provider && r.provider.includes("pulumi:providers:kubernetes::cluster"), `${r.name} provider ${r.provider}`);
                    assert.ok(r.parent, r.name);
                }
            });

            it("namespaces per zone enforce Pod Security restricted, with quota, limits and default deny", () => {
                const nss = log().ofType("kubernetes:core/v1:Namespace");
                assert.strictEqual(nss.length, 3);
                for (const ns of nss) assert.strictEqual(inp(ns).metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
                for (const t of ["kubernetes:core/v1:ResourceQuota", "kubernetes:core/v1:LimitRange"]) assert.strictEqual(log().ofType(t).length, 3, t);
                const denies = log()
                    .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                    .filter((p) => inp(p).metadata.name === "default-deny-all");
                assert.strictEqual(denies.length, 3);
                for (const d of denies) assert.deepStrictEqual([inp(d).spec.podSelector, inp(d).spec.policyTypes], [{}, ["Ingress", "Egress"]]);
            });

            it("the namespaces that hold data are protected and retained in production (a namespace delete takes its volumes)", () => {
                for (const ns of log().ofType("kubernetes:core/v1:Namespace")) {
                    const zone = inp(ns).metadata.labels["ragstack.io/zone"];
                    const expected = prod && zone !== "edge";
                    assert.deepStrictEqual([ns.protect, ns.retainOnDelete], [expected, expected], `${zone} namespace`);
                }
            });

            it("every pod is Pod-Security-restricted, pinned, with requests, limits and (for servers) probes", () => {
                assert.ok(workloads().length >= 4);
                for (const w of workloads()) {
                    const pod = podTemplate(w).spec;
                    const where = `${w.type} ${inp(w).metadata.name}`;
                    assert.strictEqual(pod.securityContext.runAsNonRoot, true, where);
                    assert.ok(pod.securityContext.runAsUser > 0, where);
                    assert.strictEqual(pod.securityContext.seccompProfile.type, "RuntimeDefault", where);
                    assert.strictEqual(pod.automountServiceAccountToken, false, where);
                    assert.ok(!pod.hostNetwork && !pod.hostPID && !pod.hostIPC, where);
                    for (const vol of pod.volumes ?? []) assert.ok(!vol.hostPath, `${where}: hostPath`);
                    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
                        const sc = c.securityContext;
                        assert.strictEqual(sc.allowPrivilegeEscalation, false, `${where}/${c.name}`);
                        assert.strictEqual(sc.privileged, false, `${where}/${c.name}`);
                        assert.strictEqual(sc.readOnlyRootFilesystem, true, `${where}/${c.name}`);
                        assert.deepStrictEqual(sc.capabilities.drop, ["ALL"], `${where}/${c.name}`);
                        assert.ok(c.resources.requests && c.resources.limits?.memory, `${where}/${c.name} resources`);
                        assert.ok(!/:latest$/.test(c.image) && /:[\w.-]+$|@sha256:/.test(c.image), `${where}/${c.name} image ${c.image}`);
                        for (const e of c.env ?? [])
                            if (/PASSWORD|SECRET|TOKEN/.test(e.name))
                                assert.ok(e.valueFrom?.secretKeyRef && e.value === undefined, `${where}: ${e.name} literal`);
                    }
                    if (w.type.startsWith("kubernetes:apps/")) {
                        for (const c of pod.containers) assert.ok(c.readinessProbe && c.livenessProbe && c.startupProbe, `${where}/${c.name} probes`);
                    }
                }
            });

            it("the air-gapped registry mirror is applied to every image in production", () => {
                if (!prod) return;
                for (const w of workloads())
                    for (const c of [...(podTemplate(w).spec.initContainers ?? []), ...podTemplate(w).spec.containers])
                        assert.ok(c.image.startsWith("registry.internal.example.gov/"), c.image);
            });

            it("every workload is covered by a NetworkPolicy besides the default deny", () => {
                const policies = log()
                    .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                    .filter((p) => inp(p).metadata.name !== "default-deny-all" && inp(p).metadata.name !== "allow-dns");
                for (const w of workloads()) {
                    const labels = podTemplate(w).metadata.labels;
                    const ns = inp(w).metadata.namespace;
                    const covering = policies.filter((p) => inp(p).metadata.namespace === ns && matches(inp(p).spec.podSelector, labels));
                    assert.ok(covering.length > 0, `${inp(w).metadata.name} in ${ns} has no allow policy`);
                }
                const cnpg = log().all.find((r) => inp(r).kind === "Cluster")!;
                const pg = policies.find((p) => inp(p).metadata.name === "postgres-ingress")!;
                assert.strictEqual(inp(pg).metadata.namespace, inp(cnpg).metadata.namespace);
                const operatorRule = inp(pg).spec.ingress.find(
                    (i: any) => i.from[0].namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "cnpg-system",
                );
                assert.deepStrictEqual(operatorRule.ports.map((p: any) => p.port).sort(), [5432, 8000]);
                const apiEgress = inp(policies.find((p) => inp(p).metadata.name === "api-egress")!).spec.egress.flatMap((e: any) =>
                    e.ports.map((p: any) => p.port),
                );
                for (const port of [5432, 6379, 11434]) assert.ok(apiEgress.includes(port), `api egress ${port}`);
                assert.ok(apiEgress.includes(prod ? 443 : 8333), "object storage egress");
            });

            it("API: dedicated service account, HPA min/max per environment, PDB, topology spread, probes on /health", () => {
                const dep = log().all.find((r) => r.type === "kubernetes:apps/v1:Deployment" && inp(r).metadata.name === "api")!;
                const pod = podTemplate(dep).spec;
                assert.strictEqual(pod.serviceAccountName, "api");
                assert.strictEqual(pod.containers[0].readinessProbe.httpGet.path, "/health");
                assert.strictEqual(pod.topologySpreadConstraints.length, 2);
                assert.ok(pod.volumes.some((v: any) => v.name === "tmp" && v.emptyDir));
                const hpa = inp(log().one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"));
                assert.deepStrictEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], prod ? [2, 10] : [1, 3]);
                assert.deepStrictEqual(
                    hpa.spec.metrics.map((m: any) => m.resource.name),
                    ["cpu", "memory"],
                );
                assert.ok(dep.ignoreChanges.includes("spec.replicas"));
                const sas = log().ofType("kubernetes:core/v1:ServiceAccount");
                for (const sa of sas) assert.strictEqual(inp(sa).automountServiceAccountToken, false);
            });

            it("Ollama: a StatefulSet with one RWO model volume per replica, replicas on different nodes, GPU limits, init-container model pull, long startup budget", () => {
                const set = log().all.find((r) => r.type === "kubernetes:apps/v1:StatefulSet" && String(inp(r).metadata.name).startsWith("ollama-"))!;
                const spec = inp(set).spec;
                assert.strictEqual(spec.replicas, prod ? 2 : 1);
                assert.deepStrictEqual(
                    spec.volumeClaimTemplates.map((t: any) => [t.metadata.name, t.spec.accessModes]),
                    [["models", ["ReadWriteOnce"]]],
                );
                assert.ok(
                    !log().all.some((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim" && inp(r).metadata.name === "ollama-models"),
                    "no shared RWO claim",
                );
                assert.deepStrictEqual(
                    spec.updateStrategy,
                    { type: "RollingUpdate" },
                    "no alpha maxUnavailable (the API server drops it: a diff on every preview)",
                );
                assert.deepStrictEqual(
                    spec.persistentVolumeClaimRetentionPolicy,
                    { whenDeleted: "Delete", whenScaled: "Delete" },
                    "a cache: no orphaned volumes",
                );
                const pod = spec.template.spec;
                const anti = pod.affinity.podAntiAffinity;
                if (prod) assert.strictEqual(anti.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey, "kubernetes.io/hostname");
                else assert.ok(anti.preferredDuringSchedulingIgnoredDuringExecution);
                const c = pod.containers[0];
                assert.strictEqual(c.resources.limits["nvidia.com/gpu"], "1");
                assert.ok(pod.nodeSelector && pod.tolerations[0].key === "nvidia.com/gpu");
                assert.ok(c.env.some((e: any) => e.name === "HOME" && e.value === "/models"));
                assert.ok(pod.initContainers[0].args[0].includes("ollama pull"));
                assert.ok(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold >= 600);
                assert.ok(!c.lifecycle?.postStart, "no postStart model pull");
                const pdb = log().all.find((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget" && inp(r).metadata.name === "ollama")!;
                assert.strictEqual(inp(pdb).spec.maxUnavailable, 1);
                assert.deepStrictEqual(
                    set.replaceOnChanges,
                    ["spec.selector", "spec.serviceName", "spec.volumeClaimTemplates", "spec.podManagementPolicy"],
                    "immutable fields are previewed as a replace",
                );
                assert.strictEqual(set.deleteBeforeReplace, true, "fixed names: the old object goes before the new one is created");
            });

            it("the API spreads over the nodes it can run on (taints honoured: GPU nodes are no empty domains)", () => {
                const dep = log().all.find((r) => r.type === "kubernetes:apps/v1:Deployment" && inp(r).metadata.name === "api")!;
                for (const c of inp(dep).spec.template.spec.topologySpreadConstraints) assert.strictEqual(c.nodeTaintsPolicy, "Honor", c.topologyKey);
            });

            it("the app quota admits the API and the LLM at their maximum during a rolling update (offline capacity model)", () => {
                const objects = log()
                    .all.filter((r) => r.custom && r.type.startsWith("kubernetes:") && (r.inputs as any).kind)
                    .map((r) => r.inputs as any);
                const report = capacity(objects, presetFor(env).kubernetes.nodePools);
                assert.deepStrictEqual(report.problems, []);
                assert.ok(report.quotas.some((q) => q.resource === "limits.cpu" && q.namespace.endsWith("-app") && q.ok));
            });

            it("a LLM with a ReadWriteMany class shares one volume from a Deployment that replaces one pod at a time", async () => {
                if (prod) return;
                const shared = await runProgram("staging", { target: "kubernetes", k8sLlmSharedStorageClass: "cephfs" });
                const pvc = shared.resources.all.find(
                    (r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim" && inp(r).metadata.name === "ollama-models",
                )!;
                assert.deepStrictEqual([inp(pvc).spec.accessModes, inp(pvc).spec.storageClassName], [["ReadWriteMany"], "cephfs"]);
                const dep = shared.resources.all.find((r) => r.type === "kubernetes:apps/v1:Deployment" && inp(r).metadata.name === "ollama")!;
                assert.deepStrictEqual(inp(dep).spec.strategy.rollingUpdate, { maxSurge: 0, maxUnavailable: 1 });
            });

            it("PostgreSQL: CloudNativePG cluster with instances per environment, pgvector declared, TLS only, backups with retention", () => {
                const cluster = log().all.find((r) => inp(r).kind === "Cluster")!;
                const spec = inp(cluster).spec;
                assert.strictEqual(spec.instances, prod ? 3 : 1);
                assert.strictEqual(spec.enablePDB, prod);
                assert.deepStrictEqual(spec.postgresql.pg_hba[0], "hostssl all all all scram-sha-256");
                // production (multiAz): quorum synchronous replication, durability first; staging: one instance, asynchronous
                assert.deepStrictEqual(spec.postgresql.synchronous, prod ? { method: "any", number: 1, dataDurability: "required" } : undefined);
                assert.ok(spec.plugins[0].isWALArchiver);
                const db = log().all.find((r) => inp(r).kind === "Database")!;
                assert.deepStrictEqual(inp(db).spec.extensions, [{ name: "vector", ensure: "present" }]);
                const store = log().all.find((r) => inp(r).kind === "ObjectStore")!;
                // Barman keeps one window: the longest backup tier (production: 12 monthly, 372 days).
                assert.strictEqual(inp(store).spec.retentionPolicy, prod ? "372d" : "7d");
                assert.deepStrictEqual(
                    log()
                        .all.filter((r) => inp(r).kind === "ScheduledBackup")
                        .map((r) => inp(r).metadata.name),
                    prod ? ["postgres-daily", "postgres-weekly", "postgres-monthly"] : ["postgres-daily"],
                );
                assert.ok(log().all.some((r) => inp(r).kind === "PodMonitor"));
                assert.strictEqual(cluster.protect, prod);
                assert.strictEqual(
                    runs[env].outputs.databaseReaderEndpoint,
                    prod ? "postgres-ro.rag-prod-data.svc.cluster.local" : "postgres-rw.rag-staging-data.svc.cluster.local",
                );
            });

            it("Valkey: auth from a generated Secret, persistence; production fails over with Sentinel (servers + 3 sentinels)", () => {
                const sts = log()
                    .ofType("kubernetes:apps/v1:StatefulSet")
                    .filter((s) => inp(s).metadata.name.startsWith("valkey"));
                assert.deepStrictEqual(sts.map((s) => inp(s).metadata.name).sort(), prod ? ["valkey", "valkey-sentinel"] : ["valkey"]);
                for (const s of sts) {
                    const c = inp(s).spec.template.spec.containers[0];
                    const sentinel = inp(s).metadata.name === "valkey-sentinel";
                    assert.strictEqual(c.env[0].valueFrom.secretKeyRef.name, "valkey-auth");
                    // No password on any command line: server args, entrypoint and probes alike.
                    const lines = [...c.command, ...(c.args ?? []), ...c.readinessProbe.exec.command, ...c.startupProbe.exec.command].join(" ");
                    assert.ok(!/--requirepass|--masterauth| -a /.test(lines), lines);
                    assert.match(c.command.join(" "), sentinel ? /requirepass .*> \/data\/sentinel.conf/ : /requirepass .*> \/run\/valkey\/(auth|valkey).conf/);
                    assert.match(
                        c.readinessProbe.exec.command.join(" "),
                        /REDISCLI_AUTH="\$VALKEY_PASSWORD" valkey-cli -h localhost -p (6379|26379) --tls --cacert \/etc\/valkey-tls\/ca.crt ping/,
                    );
                    const run = inp(s).spec.template.spec.volumes.find((v: any) => v.name === "run");
                    assert.strictEqual(run.emptyDir.medium, "Memory");
                    // Servers keep their data on a volume; sentinels keep only their rewritten config, in memory.
                    if (sentinel) assert.strictEqual(inp(s).spec.template.spec.volumes.find((v: any) => v.name === "data").emptyDir.medium, "Memory");
                    else assert.ok(inp(s).spec.volumeClaimTemplates.length === 1);
                }
                const secrets = log()
                    .ofType("kubernetes:core/v1:Secret")
                    .filter((s) => inp(s).metadata.name === "valkey-auth");
                assert.strictEqual(secrets.length, 2);
                for (const s of secrets)
                    assert.ok(
                        s.secretPaths.some((p) => p.startsWith("stringData")),
                        "secret data is a Pulumi secret",
                    );
            });

            it("edge: Gateway API with a cert-manager certificate, HTTP redirect, HSTS", () => {
                const cert = log().all.find((r) => inp(r).kind === "Certificate")!;
                assert.strictEqual(inp(cert).spec.issuerRef.kind, "ClusterIssuer");
                const gw = log().all.find((r) => inp(r).kind === "Gateway")!;
                const https = inp(gw).spec.listeners.find((l: any) => l.protocol === "HTTPS");
                assert.strictEqual(https.tls.mode, "Terminate");
                const routes = log().all.filter((r) => inp(r).kind === "HTTPRoute");
                const redirect = routes.find((r) => inp(r).metadata.name === "http-to-https")!;
                assert.strictEqual(inp(redirect).spec.rules[0].filters[0].requestRedirect.scheme, "https");
                const api = routes.find((r) => inp(r).metadata.name === "api")!;
                const headers = inp(api).spec.rules[0].filters[0].responseHeaderModifier.set.map((h: any) => h.name);
                assert.ok(headers.includes("Strict-Transport-Security"));
                assert.ok(log().all.some((r) => inp(r).kind === "ReferenceGrant"));
            });

            it("monitoring: ServiceMonitor and PrometheusRule with the stack's alert set and routing labels", () => {
                const rule = log().all.find((r) => inp(r).kind === "PrometheusRule")!;
                const alerts = inp(rule).spec.groups[0].rules;
                const names = alerts.map((a: any) => a.alert);
                for (const a of [
                    "RagApiDown",
                    "RagApiHigh5xxRate",
                    "RagApiHighLatencyP95",
                    "RagPodRestarting",
                    "RagPostgresDown",
                    "RagPostgresReplicationLag",
                    "RagPostgresBackupFailing",
                    "RagValkeyDown",
                    "RagValkeyMemoryHigh",
                    "RagVolumeAlmostFull",
                    "RagCertificateExpiring",
                    "RagGpuMemoryHigh",
                ])
                    assert.ok(names.includes(a), a);
                for (const a of alerts) assert.ok(a.labels.severity && a.labels.team && a.annotations.summary);
                assert.ok(log().all.some((r) => inp(r).kind === "ServiceMonitor"));
            });

            it("connection pooling: production's API writes through PgBouncer (CloudNativePG Pooler, transaction mode), reachable from the API only; staging connects directly", () => {
                const pooler = log().all.find((r) => inp(r).kind === "Pooler");
                const api = inp(log().all.find((r) => r.type === "kubernetes:apps/v1:Deployment" && inp(r).metadata.name === "api")!);
                const env = Object.fromEntries(api.spec.template.spec.containers[0].env.filter((e: any) => e.value).map((e: any) => [e.name, e.value]));
                const policies = log()
                    .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                    .map((r) => inp(r));
                if (!prod) {
                    assert.strictEqual(pooler, undefined);
                    assert.match(env.DATABASE_HOST, /^postgres-rw\./);
                    assert.ok(!policies.some((p) => p.metadata.name === "pooler-ingress"));
                    return;
                }
                const spec = inp(pooler!).spec;
                assert.deepStrictEqual([spec.cluster.name, spec.type, spec.instances, spec.pgbouncer.poolMode], ["postgres", "rw", 2, "transaction"]);
                assert.ok(spec.template.spec.containers[0].resources.limits.cpu, "limits (the data quota admits it)");
                assert.strictEqual(env.DATABASE_HOST, "postgres-pooler-rw.rag-prod-data.svc.cluster.local");
                assert.match(env.DATABASE_READER_HOST, /^postgres-ro\./, "reads still go to the replicas");
                const ingress = policies.find((p) => p.metadata.name === "pooler-ingress")!;
                assert.deepStrictEqual(ingress.spec.podSelector.matchLabels, { "cnpg.io/poolerName": "postgres-pooler-rw" });
                assert.strictEqual(ingress.spec.ingress[0].from[0].podSelector.matchLabels["app.kubernetes.io/name"], "api");
                const pgIngress = policies.find((p) => p.metadata.name === "postgres-ingress")!;
                assert.ok(JSON.stringify(pgIngress.spec.ingress[0].from).includes("postgres-pooler-rw"), "Postgres admits the pooler");
                const apiEgress = policies.find((p) => p.metadata.name === "api-egress")!;
                assert.ok(JSON.stringify(apiEgress.spec.egress[0].to).includes("postgres-pooler-rw"), "the API may reach the pooler");
            });

            it("alert routing: the stack's alarmEmails as an AlertmanagerConfig receiver, critical sent at once, causes inhibit their symptoms", () => {
                const cfg = log().all.find((r) => inp(r).kind === "AlertmanagerConfig")!;
                const spec = inp(cfg).spec;
                const emails = prod ? ["rag-oncall@example.gov", "platform-security@example.gov"] : ["rag-oncall@example.gov"];
                assert.deepStrictEqual(
                    spec.receivers[0].emailConfigs.map((e: any) => e.to),
                    emails,
                );
                assert.deepStrictEqual(spec.route.routes[0].matchers, [{ name: "severity", value: "critical", matchType: "=" }]);
                // every inhibition names alerts that exist, and the operator's namespace scoping matches the alerts
                const rule = log().all.find((r) => inp(r).kind === "PrometheusRule")!;
                const alerts = inp(rule).spec.groups[0].rules;
                const names = new Set(alerts.map((a: any) => a.alert));
                for (const i of spec.inhibitRules) {
                    assert.ok(names.has(i.sourceMatch[0].value), i.sourceMatch[0].value);
                    for (const t of i.targetMatch[0].value.split("|")) assert.ok(names.has(t), t);
                }
                assert.ok(spec.inhibitRules.some((i: any) => i.sourceMatch[0].value === "RagApiDown" && /RagApiHigh5xxRate/.test(i.targetMatch[0].value)));
                for (const a of alerts) assert.strictEqual(a.labels.namespace, inp(cfg).metadata.namespace);
            });

            it("logical backup CronJob only where enabled, with Forbid concurrency; production copies the dumps off site with its own credential", () => {
                const cron = log()
                    .ofType("kubernetes:batch/v1:CronJob")
                    .filter((c) => inp(c).metadata.name === "pg-dump");
                assert.strictEqual(cron.length, prod ? 1 : 0);
                for (const c of cron) {
                    assert.strictEqual(inp(c).spec.concurrencyPolicy, "Forbid");
                    const upload = inp(c).spec.jobTemplate.spec.template.spec.containers[0];
                    const env = Object.fromEntries(upload.env.map((e: any) => [e.name, e.value ?? e.valueFrom.secretKeyRef]));
                    assert.strictEqual(env.OFFSITE_ENDPOINT, "https://s3.dr-site.example.gov");
                    assert.deepStrictEqual(env.OFFSITE_ACCESS_KEY_ID, { name: "rag-offsite-storage", key: "ACCESS_KEY_ID" });
                    assert.notDeepStrictEqual(env.AWS_ACCESS_KEY_ID.name, "rag-offsite-storage");
                    assert.strictEqual(env.MONTHLY_MONTHS, "12");
                    assert.match(upload.args[0], /put "\$OFFSITE_ENDPOINT" "rag-offsite-backups"/);
                }
            });

            it("object storage: one identity per consumer; the API's reaches documents only, the backups' (CloudNativePG, pg_dump) backups only", () => {
                const secretOf = (env: any[], name: string) => env.find((e) => e.name === name)?.valueFrom?.secretKeyRef?.name;
                const api = log()
                    .ofType("kubernetes:apps/v1:Deployment")
                    .find((d) => inp(d).metadata.name === "api")!;
                const apiSecret = secretOf(inp(api).spec.template.spec.containers[0].env, "AWS_ACCESS_KEY_ID");
                const store = log().ofType("kubernetes:barmancloud.cnpg.io/v1:ObjectStore")[0];
                const backupSecret = inp(store).spec.configuration.s3Credentials.accessKeyId.name;
                assert.notStrictEqual(apiSecret, backupSecret);
                assert.deepStrictEqual(
                    [apiSecret, backupSecret],
                    prod ? ["rag-object-storage", "rag-backup-storage"] : ["object-storage-documents", "object-storage-backups"],
                );
                for (const c of log()
                    .ofType("kubernetes:batch/v1:CronJob")
                    .filter((j) => inp(j).metadata.name === "pg-dump"))
                    assert.strictEqual(secretOf(inp(c).spec.jobTemplate.spec.template.spec.containers[0].env, "AWS_ACCESS_KEY_ID"), backupSecret);
                // The documents' off-site copy (production: dbCrossRegionBackup) reads with an identity of its own.
                const docs = log()
                    .ofType("kubernetes:batch/v1:CronJob")
                    .filter((j) => inp(j).metadata.name === "documents-offsite");
                assert.strictEqual(docs.length, prod ? 1 : 0);
                for (const c of docs) {
                    const env = inp(c).spec.jobTemplate.spec.template.spec.containers[0].env;
                    assert.strictEqual(secretOf(env, "RCLONE_CONFIG_SOURCE_ACCESS_KEY_ID"), "rag-documents-reader");
                    assert.ok(![apiSecret, backupSecret].includes(secretOf(env, "RCLONE_CONFIG_SOURCE_ACCESS_KEY_ID")));
                    assert.strictEqual(secretOf(env, "RCLONE_CONFIG_OFFSITE_ACCESS_KEY_ID"), "rag-offsite-storage");
                }
                if (!prod) {
                    const config = log()
                        .ofType("kubernetes:core/v1:Secret")
                        .find((s) => inp(s).metadata.name === "object-storage-s3-config")!;
                    const identities = JSON.parse(inp(config).stringData["s3.json"]).identities;
                    assert.deepStrictEqual(
                        identities.map((i: any) => [i.name, i.actions]),
                        [
                            ["documents", ["Read:documents", "Write:documents", "List:documents", "Tagging:documents"]],
                            ["backups", ["Read:backups", "Write:backups", "List:backups", "Tagging:backups"]],
                            ["admin", ["Admin", "Read", "Write", "List", "Tagging"]],
                        ],
                    );
                    // Only the documents identity is in the API's namespace; backups and admin stay in the data zone.
                    const where = (n: string) =>
                        log()
                            .ofType("kubernetes:core/v1:Secret")
                            .filter((s) => inp(s).metadata.name === n)
                            .map((s) => inp(s).metadata.namespace);
                    assert.deepStrictEqual(
                        [where("object-storage-documents"), where("object-storage-backups"), where("object-storage-admin")],
                        [["rag-staging-app"], ["rag-staging-data"], ["rag-staging-data"]],
                    );
                }
            });

            it("object storage: external endpoint in production, in-cluster SeaweedFS with generated credentials in staging", () => {
                const seaweed = log()
                    .ofType("kubernetes:apps/v1:StatefulSet")
                    .filter((s) => inp(s).metadata.name === "object-storage");
                assert.strictEqual(seaweed.length, prod ? 0 : 1);
                const creds = log()
                    .ofType("kubernetes:core/v1:Secret")
                    .filter((s) => /^object-storage-(documents|backups|admin)$/.test(inp(s).metadata.name));
                assert.strictEqual(creds.length, prod ? 0 : 3);
            });

            it("the API admits the edge controller's pods only (both stacks' controller lives in kube-system)", () => {
                const policy = log()
                    .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                    .find((p) => inp(p).metadata.name === "api-ingress")!;
                const edge = inp(policy).spec.ingress[0].from[0];
                assert.deepStrictEqual(edge.namespaceSelector.matchLabels, { "kubernetes.io/metadata.name": "kube-system" });
                assert.deepStrictEqual(edge.podSelector?.matchLabels, { "k8s-app": "cilium-envoy" });
            });

            it("no Service is exposed as NodePort or LoadBalancer", () => {
                for (const s of log().ofType("kubernetes:core/v1:Service"))
                    assert.ok(!["NodePort", "LoadBalancer"].includes(inp(s).spec.type), inp(s).metadata.name);
            });
        });
    }
});

describe("Kubernetes target: Ingress fallback", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram("staging", { target: "kubernetes", k8sEdgeMode: "ingress", k8sIngressClassName: "haproxy" });
    });
    it("creates an Ingress with TLS from cert-manager, forced redirect, HSTS and a rate limit, and no Gateway", () => {
        const ing = run.resources.one("kubernetes:networking.k8s.io/v1:Ingress");
        const i = inp(ing);
        assert.strictEqual(i.spec.ingressClassName, "haproxy");
        assert.deepStrictEqual(i.spec.tls[0].hosts, ["rag.staging.example.gov"]);
        assert.strictEqual(i.metadata.annotations["cert-manager.io/cluster-issuer"], "internal-ca");
        assert.strictEqual(i.metadata.annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"], "true");
        assert.match(i.metadata.annotations["nginx.ingress.kubernetes.io/configuration-snippet"], /Strict-Transport-Security/);
        assert.strictEqual(i.metadata.annotations["nginx.ingress.kubernetes.io/limit-rps"], "7");
        assert.ok(!run.resources.all.some((r) => inp(r).kind === "Gateway"));
    });
});

describe("Kubernetes logical backup: the upload script, run by sh against a stub aws CLI", () => {
    const day = (offsetDays: number) => {
        const d = new Date(Date.now() + offsetDays * 86400000);
        return d.toISOString().slice(0, 10).replace(/-/g, "");
    };
    /** Runs the script; returns the aws calls ("<key> <args>"). `listing` is what `s3 ls` prints per tier. */
    function run(dump: string, listing: Record<string, string[]>, offsite: boolean, monthly = 12): string[] {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ragstack-dump-"));
        const bin = path.join(dir, "bin");
        const dumps = path.join(dir, "dump");
        fs.mkdirSync(bin);
        fs.mkdirSync(dumps);
        fs.writeFileSync(path.join(dumps, dump), "x");
        for (const [tier, files] of Object.entries(listing))
            fs.writeFileSync(path.join(dir, `ls-${tier}`), files.map((f) => `2026-01-01 00:00:00 10 ${f}`).join("\n") + "\n");
        fs.writeFileSync(
            path.join(bin, "aws"),
            `#!/bin/sh\necho "$AWS_ACCESS_KEY_ID $*" >> "${dir}/calls"\ncase "$*" in *" s3 ls "*) t=$(echo "$*" | sed -n 's#.*/logical/\\([a-z]*\\)/$#\\1#p'); cat "${dir}/ls-$t" 2>/dev/null || true;; esac\n`,
            { mode: 0o755 },
        );
        execFileSync("sh", ["-c", uploadScript("backups", 14, monthly, offsite ? "rag-offsite-backups" : undefined)], {
            env: {
                PATH: `${bin}:${process.env.PATH}`,
                DUMP_DIR: dumps,
                S3_ENDPOINT: "https://s3.site",
                AWS_ACCESS_KEY_ID: "site-key",
                AWS_SECRET_ACCESS_KEY: "site-secret",
                OFFSITE_ENDPOINT: "https://s3.dr",
                OFFSITE_ACCESS_KEY_ID: "dr-key",
                OFFSITE_SECRET_ACCESS_KEY: "dr-secret",
                MONTHLY_MONTHS: String(monthly),
            },
        });
        const calls = fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n");
        fs.rmSync(dir, { recursive: true, force: true });
        return calls;
    }

    it("a mid-month dump goes to the daily tier here and off site (with the off-site key); only expired dumps of this store are pruned", () => {
        const old = `rag-${day(-20)}T033000.dump`;
        const fresh = `rag-${day(-3)}T033000.dump`;
        const oldMonthly = `rag-${day(-400)}T033000.dump`;
        const keptMonthly = `rag-${day(-100)}T033000.dump`;
        const calls = run("rag-20261115T033000.dump", { daily: [old, fresh], monthly: [oldMonthly, keptMonthly] }, true);
        // "<key> --endpoint-url <endpoint> s3 cp <file> <target>"
        const cps = calls.filter((c) => c.includes(" s3 cp ")).map((c) => c.split(" "));
        assert.deepStrictEqual(
            cps.map((c) => [c[0], c[2], c[5].split("/").pop(), c[6]]),
            [
                ["site-key", "https://s3.site", "rag-20261115T033000.dump", "s3://backups/logical/daily/rag-20261115T033000.dump"],
                ["dr-key", "https://s3.dr", "rag-20261115T033000.dump", "s3://rag-offsite-backups/logical/daily/rag-20261115T033000.dump"],
            ],
        );
        const rms = calls.filter((c) => c.includes(" s3 rm ")).map((c) => c.split(" ").pop());
        assert.deepStrictEqual(rms, [`s3://backups/logical/daily/${old}`, `s3://backups/logical/monthly/${oldMonthly}`]);
        assert.ok(
            calls.filter((c) => c.includes("s3.dr")).every((c) => c.startsWith("dr-key ") && / s3 cp /.test(c)),
            "off site: writes only, with its own key",
        );
    });

    it("the first of the month also goes to the monthly tier; without an off-site store nothing leaves the site", () => {
        const calls = run("rag-20261201T033000.dump", {}, false);
        const targets = calls.filter((c) => c.includes(" s3 cp ")).map((c) => c.split(" ").pop());
        assert.deepStrictEqual(targets, ["s3://backups/logical/daily/rag-20261201T033000.dump", "s3://backups/logical/monthly/rag-20261201T033000.dump"]);
        assert.ok(calls.every((c) => c.startsWith("site-key ")));
    });

    it("with no monthly tier (0 months) the first of the month is a daily dump only", () => {
        const targets = run("rag-20261201T033000.dump", {}, false, 0)
            .filter((c) => c.includes(" s3 cp "))
            .map((c) => c.split(" ").pop());
        assert.deepStrictEqual(targets, ["s3://backups/logical/daily/rag-20261201T033000.dump"]);
    });
});

describe("Kubernetes dashboards: Grafana models beside the alerts", () => {
    const metricsOf = (expr: string) => new Set([...expr.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\{/g)].map((m) => m[1]));

    for (const llm of [true, false]) {
        it(`every metric an alert reads is on a dashboard (${llm ? "with" : "without"} the LLM), and every query names the stack's namespaces`, () => {
            const specs = dashboardSpecs("rag-app", "rag-data", llm);
            assert.strictEqual(specs.length, llm ? 4 : 3);
            const onDashboards = new Set(specs.flatMap((d) => d.panels.flatMap((p) => p.queries.flatMap((q) => [...metricsOf(q.expr)]))));
            for (const a of alertRules("rag-app", "rag-data", llm, "StatefulSet", true))
                for (const m of metricsOf(a.expr)) assert.ok(onDashboards.has(m), `${a.alert} reads ${m}, which no dashboard shows`);
            for (const d of specs)
                for (const p of d.panels)
                    for (const q of p.queries)
                        assert.ok(/namespace=~?"(rag-app|rag-data|rag-app\|rag-data|\.\*)"/.test(q.expr), `${d.title} / ${p.title}: ${q.expr}`);
        });
    }

    it("the Grafana model: unique uids, a Prometheus datasource variable, panels on a 24-column grid without overlap", () => {
        const models = dashboardSpecs("rag-app", "rag-data", true).map(grafanaModel) as any[];
        assert.strictEqual(new Set(models.map((m) => m.uid)).size, models.length);
        for (const m of models) {
            assert.ok(m.uid.length <= 40);
            assert.deepStrictEqual(m.templating.list[0].query, "prometheus");
            const cells = new Set<string>();
            for (const p of m.panels) {
                assert.ok(p.gridPos.x + p.gridPos.w <= 24);
                assert.strictEqual(p.datasource.uid, "${datasource}");
                const cell = `${p.gridPos.x},${p.gridPos.y}`;
                assert.ok(!cells.has(cell), `${m.title}: two panels at ${cell}`);
                cells.add(cell);
            }
        }
    });

    it("the stack ships them as ConfigMaps with the sidecar label in the app namespace (monitoring on)", async () => {
        const run = await runProgram("production", { target: "kubernetes" });
        const maps = run.resources.ofType("kubernetes:core/v1:ConfigMap").filter((c) => (c.inputs as any).metadata.labels?.grafana_dashboard === "1");
        assert.deepStrictEqual(maps.map((c) => (c.inputs as any).metadata.name).sort(), [
            "grafana-dashboard-api",
            "grafana-dashboard-llm",
            "grafana-dashboard-postgres",
            "grafana-dashboard-valkey",
        ]);
        for (const c of maps) {
            const [file, body] = Object.entries((c.inputs as any).data)[0] as [string, string];
            assert.ok(file.endsWith(".json"));
            assert.strictEqual(JSON.parse(body).tags[0], "ragstack");
            assert.strictEqual((c.inputs as any).metadata.namespace, "rag-prod-app");
        }
    });
});

describe("Kubernetes Valkey with Sentinel: the entrypoints, run by sh against stub valkey-cli and valkey-server", function () {
    this.timeout(60_000);
    let sets: Record<string, any> = {};
    before(async () => {
        const run = await runProgram("production", { target: "kubernetes" });
        sets = Object.fromEntries(run.resources.ofType("kubernetes:apps/v1:StatefulSet").map((s) => [(s.inputs as any).metadata.name, s.inputs]));
    });
    /** Runs a StatefulSet's entrypoint as pod `host`; `answers` maps a sentinel host to the primary it reports. Returns the config it wrote and the exec line. */
    function start(set: string, host: string, answers: Record<string, string>): { config: string; exec: string } {
        const c = sets[set].spec.template.spec.containers[0];
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ragstack-valkey-"));
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(bin, "hostname"), `#!/bin/sh\necho ${host}\n`, { mode: 0o755 });
        const table = Object.entries(answers)
            .map(([h, p]) => `"${h}") echo ${p}; echo 6379;;`)
            .join(" ");
        // valkey-cli -h HOST -p PORT --raw sentinel get-master-addr-by-name NAME: the stub answers per HOST (auth from REDISCLI_AUTH).
        // It refuses to answer without TLS verified against the mounted CA, as a TLS-only sentinel would.
        const tlsOnly = `case " $* " in *" --tls --cacert /etc/valkey-tls/ca.crt "*) ;; *) exit 1;; esac\n`;
        fs.writeFileSync(
            path.join(bin, "valkey-cli"),
            `#!/bin/sh\n[ "$REDISCLI_AUTH" = "s3cret" ] || exit 1\n${tlsOnly}case "$2" in ${table} *) exit 1;; esac\n`,
            {
                mode: 0o755,
            },
        );
        fs.writeFileSync(path.join(bin, "valkey-server"), `#!/bin/sh\necho "exec $*" > "${dir}/exec"\n`, { mode: 0o755 });
        const script = String(c.command[2])
            .replace(/\/run\/valkey\//g, `${dir}/`)
            .replace(/\/data\//g, `${dir}/`);
        execFileSync("sh", ["-c", script, "valkey-server", ...(c.args ?? [])], {
            env: { PATH: `${bin}:${process.env.PATH}`, VALKEY_PASSWORD: "s3cret", NAMESPACE: "rag-prod-data" },
        });
        const conf = fs.readdirSync(dir).find((f) => f.endsWith(".conf"))!;
        const out = { config: fs.readFileSync(path.join(dir, conf), "utf8"), exec: fs.readFileSync(path.join(dir, "exec"), "utf8") };
        fs.rmSync(dir, { recursive: true, force: true });
        return out;
    }
    const fq = (pod: string, svc: string) => `${pod}.${svc}.rag-prod-data.svc.cluster.local`;

    it("production runs 2 servers and 3 sentinels (no replica StatefulSet); the API asks the sentinels", async () => {
        assert.strictEqual(sets["valkey"].spec.replicas, 2);
        assert.strictEqual(sets["valkey-sentinel"].spec.replicas, 3);
        assert.strictEqual(sets["valkey-replica"], undefined);
        const run = await runProgram("production", { target: "kubernetes" });
        const api = run.resources.ofType("kubernetes:apps/v1:Deployment").find((d) => (d.inputs as any).metadata.name === "api")!;
        const env = Object.fromEntries((api.inputs as any).spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
        assert.strictEqual(env.REDIS_SENTINEL_HOSTS, "valkey-sentinel.rag-prod-data.svc.cluster.local:26379");
        assert.strictEqual(env.REDIS_SENTINEL_MASTER, "rag");
        assert.strictEqual(env.REDIS_HOST, undefined, "no fixed primary a failover would leave behind");
    });

    it("servers: valkey-0 starts as the first primary, others replicate it; after a failover each follows the sentinels' primary", () => {
        const first = start("valkey", "valkey-0", {});
        assert.doesNotMatch(first.config, /replicaof/);
        assert.match(first.config, /^requirepass s3cret$/m);
        assert.match(first.config, new RegExp(`^replica-announce-ip ${fq("valkey-0", "valkey-headless")}$`, "m"));
        assert.match(first.exec, /--replica-read-only yes/);
        assert.doesNotMatch(first.exec, /s3cret/, "the password is not on the command line");
        assert.match(start("valkey", "valkey-1", {}).config, new RegExp(`^replicaof ${fq("valkey-0", "valkey-headless")} 6379$`, "m"));
        // valkey-1 was promoted; valkey-0 comes back as its replica, valkey-1 restarts as the primary.
        const promoted = { "valkey-sentinel": fq("valkey-1", "valkey-headless") };
        assert.match(start("valkey", "valkey-0", promoted).config, new RegExp(`^replicaof ${fq("valkey-1", "valkey-headless")} 6379$`, "m"));
        assert.doesNotMatch(start("valkey", "valkey-1", promoted).config, /replicaof/);
    });

    it("sentinels: learn the primary from a peer, else monitor valkey-0; quorum 2, authenticated, hostnames announced", () => {
        const alone = start("valkey-sentinel", "valkey-sentinel-0", {});
        assert.match(alone.config, new RegExp(`^sentinel monitor rag ${fq("valkey-0", "valkey-headless")} 6379 2$`, "m"));
        for (const line of [
            /^port 26379$/m,
            /^requirepass s3cret$/m,
            /^sentinel auth-pass rag s3cret$/m,
            /^sentinel sentinel-pass s3cret$/m,
            /^sentinel announce-hostnames yes$/m,
        ])
            assert.match(alone.config, line);
        assert.match(alone.config, new RegExp(`^sentinel announce-ip ${fq("valkey-sentinel-0", "valkey-sentinel-headless")}$`, "m"));
        assert.match(alone.exec, /--sentinel/);
        const peer = start("valkey-sentinel", "valkey-sentinel-2", {
            [fq("valkey-sentinel-1", "valkey-sentinel-headless")]: fq("valkey-1", "valkey-headless"),
        });
        assert.match(peer.config, new RegExp(`^sentinel monitor rag ${fq("valkey-1", "valkey-headless")} 6379 2$`, "m"));
    });
});

describe("Kubernetes secrets from an external store (External Secrets Operator) and render mode", function () {
    this.timeout(60_000);
    const external = { target: "kubernetes", k8sSecrets: "external", k8sExternalSecretStore: "vault", k8sExternalSecretPath: "rag/production" };

    it("external: ExternalSecrets keep the same Secrets in step with the store; nothing is generated, nothing secret is in the program", async () => {
        const run = await runProgram("production", external);
        const ext = run.resources.ofType("kubernetes:external-secrets.io/v1:ExternalSecret").map((r) => r.inputs as any);
        assert.deepStrictEqual(ext.map((e) => `${e.metadata.namespace}/${e.metadata.name}`).sort(), [
            "rag-prod-app/postgres-app",
            "rag-prod-app/valkey-auth",
            "rag-prod-data/postgres-app",
            "rag-prod-data/postgres-backup",
            "rag-prod-data/postgres-owner",
            "rag-prod-data/valkey-auth",
        ]);
        const remotes: Record<string, string> = {
            "postgres-app": "rag/production/database",
            "postgres-owner": "rag/production/database-owner",
            "postgres-backup": "rag/production/database-backup",
            "valkey-auth": "rag/production/cache",
        };
        for (const e of ext) {
            assert.deepStrictEqual(e.spec.secretStoreRef, { kind: "ClusterSecretStore", name: "vault" });
            assert.strictEqual(e.spec.target.name, e.metadata.name, "the Secret the pods already read");
            const remote = remotes[e.metadata.name];
            assert.ok(e.spec.data.every((d: any) => d.remoteRef.key === remote && d.remoteRef.property === d.secretKey));
        }
        assert.strictEqual(run.resources.ofType("random:index/randomPassword:RandomPassword").length, 0);
        const generated = run.resources
            .ofType("kubernetes:core/v1:Secret")
            .filter((s) => ["postgres-app", "valkey-auth"].includes((s.inputs as any).metadata.name));
        assert.deepStrictEqual(generated, []);
        assert.ok(
            run.resources.all.every((r) => r.secretPaths.length === 0 || r.type.startsWith("pulumi:")),
            "no secret input anywhere",
        );
    });

    it("render mode with generated Secrets is refused unless opted out; external secrets render freely", () => {
        const base = {
            environment: "staging",
            domain: "rag.example.gov",
            apiImage: "ghcr.io/example-gov/rag-api:1.4.2",
            target: "kubernetes",
            k8sRenderYamlDir: "out",
        };
        assert.throws(
            () => resolveConfig(base),
            /k8sRenderYamlDir: got "out"; allowed: .*plaintext.*k8sAllowPlaintextRenderedSecrets true \(the named opt-out\)/,
        );
        assert.doesNotThrow(() => resolveConfig({ ...base, k8sAllowPlaintextRenderedSecrets: "true" }));
        assert.doesNotThrow(() =>
            resolveConfig({
                ...base,
                k8sSecrets: "external",
                k8sExternalSecretStore: "vault",
                k8sExternalSecretPath: "rag/staging",
                k8sObjectStorageMode: "external",
                k8sObjectStorageEndpoint: "https://s3.internal.example.gov",
                k8sObjectStorageCidrs: '["10.40.20.0/24"]',
                k8sObjectStorageSecretName: "rag-object-storage",
                k8sObjectStorageBackupsSecretName: "rag-backup-storage",
            }),
        );
        assert.throws(
            () => resolveConfig({ ...base, k8sSecrets: "external", k8sExternalSecretStore: "vault", k8sExternalSecretPath: "rag/staging" }),
            /kubernetes.objectStorageMode\).*"external" when kubernetes.secrets is external/,
        );
        assert.throws(() => resolveConfig({ ...base, k8sSecrets: "external" }), /k8sExternalSecretStore.*ClusterSecretStore/);
    });
});

describe("Kubernetes: settings the target honours or refuses (never ignores silently)", function () {
    this.timeout(60_000);

    it("allowedIngressCidrs: the Ingress admits only those clients; gateway mode refuses a restriction it cannot enforce", async () => {
        const run = await runProgram("production", { target: "kubernetes", k8sEdgeMode: "ingress", allowedIngressCidrs: '["10.0.0.0/8","192.168.0.0/16"]' });
        const ingress = run.resources.ofType("kubernetes:networking.k8s.io/v1:Ingress")[0].inputs as any;
        assert.strictEqual(ingress.metadata.annotations["nginx.ingress.kubernetes.io/whitelist-source-range"], "10.0.0.0/8,192.168.0.0/16");
        const open = (await runProgram("production", { target: "kubernetes", k8sEdgeMode: "ingress" })).resources.ofType(
            "kubernetes:networking.k8s.io/v1:Ingress",
        )[0].inputs as any;
        assert.strictEqual(open.metadata.annotations["nginx.ingress.kubernetes.io/whitelist-source-range"], undefined, "everyone: no filter");
        const r = await cli("--stack", "production", "--target", "kubernetes", "--set", 'allowedIngressCidrs=["10.0.0.0/8"]');
        assert.strictEqual(r.code, 2);
        assert.match(r.stderr, /rag-platform:allowedIngressCidrs \(network.allowedIngressCidrs\).*on the kubernetes target with kubernetes.edgeMode gateway/);
    });

    it("a setting the target cannot honour, set in the stack config, is refused naming the setting and the target; the preset's value is not", async () => {
        const r = await cli("--stack", "production", "--target", "kubernetes", "--set", "cacheSnapshotRetentionDays=3");
        assert.strictEqual(r.code, 2);
        assert.match(r.stderr, /rag-platform:cacheSnapshotRetentionDays \([a-zA-Z.]+\): got "3"; allowed: unset on the kubernetes target/);
        assert.strictEqual((await cli("--stack", "production", "--set", "cacheSnapshotRetentionDays=3")).code, 0, "AWS takes snapshots");
        assert.strictEqual((await cli("--stack", "production", "--target", "kubernetes")).code, 0, "the preset's 7 days are not an error");
        // The real engine reports every declared key, the unset ones with their default "" (found by engine:check).
        const values: Record<string, string> = {
            target: "kubernetes",
            environment: "staging",
            domain: "rag.example.gov",
            apiImage: "ghcr.io/example-gov/rag-api:1.4.2",
            cacheSnapshotRetentionDays: "",
        };
        assert.doesNotThrow(() => resolveConfig(values));
    });
});

describe("Kubernetes database access: least-privileged roles, verify-full against the internal issuer", function () {
    this.timeout(60_000);
    let prod: ProgramRun;
    let staging: ProgramRun;
    before(async () => {
        prod = await runProgram("production", { target: "kubernetes" });
        staging = await runProgram("staging", { target: "kubernetes" });
    });
    const cr = (run: ProgramRun, kind: string, name: string) =>
        run.resources.all.find((r) => (r.inputs as any).kind === kind && (r.inputs as any).metadata?.name === name)?.inputs as any;
    const workload = (run: ProgramRun, type: string, name: string) => run.resources.ofType(type).find((r) => (r.inputs as any).metadata.name === name)!;

    it("the owner bootstraps the database; the application role owns nothing and may use and create in public; the backup role only reads", () => {
        const cluster = cr(prod, "Cluster", "postgres").spec;
        assert.strictEqual(cluster.bootstrap.initdb.owner, "rag_owner");
        assert.deepStrictEqual(cluster.bootstrap.initdb.secret, { name: "postgres-owner" });
        assert.deepStrictEqual(cluster.bootstrap.initdb.postInitApplicationSQL, [
            "CREATE ROLE rag_app LOGIN",
            "GRANT CONNECT ON DATABASE rag TO rag_app",
            "GRANT USAGE, CREATE ON SCHEMA public TO rag_app",
            "CREATE ROLE rag_backup LOGIN IN ROLE pg_read_all_data",
            "GRANT CONNECT ON DATABASE rag TO rag_backup",
        ]);
        assert.deepStrictEqual(cluster.managed.roles, [
            { name: "rag_owner", ensure: "present", login: true, inherit: true, passwordSecret: { name: "postgres-owner" } },
            { name: "rag_app", ensure: "present", login: true, inherit: true, passwordSecret: { name: "postgres-app" } },
            { name: "rag_backup", ensure: "present", login: true, inherit: true, inRoles: ["pg_read_all_data"], passwordSecret: { name: "postgres-backup" } },
        ]);
        for (const role of cluster.managed.roles) assert.ok(!role.superuser && !role.createdb && !role.createrole && !role.bypassrls, role.name);
        assert.strictEqual(cr(prod, "Database", "rag").spec.owner, "rag_owner");
        // Staging has no logical backup: no backup role, no credential nobody uses.
        const stagingCluster = cr(staging, "Cluster", "postgres").spec;
        assert.deepStrictEqual(
            stagingCluster.managed.roles.map((r: any) => r.name),
            ["rag_owner", "rag_app"],
        );
        assert.ok(!stagingCluster.bootstrap.initdb.postInitApplicationSQL.some((q: string) => q.includes("rag_backup")));
        assert.ok(!staging.resources.ofType("kubernetes:core/v1:Secret").some((s) => (s.inputs as any).metadata.name === "postgres-backup"));
    });

    it("each credential is only where its user runs: the app zone holds rag_app's, never the owner's or the backup role's", () => {
        const secrets = prod.resources.ofType("kubernetes:core/v1:Secret").map((s) => s.inputs as any);
        const where = (name: string) =>
            secrets
                .filter((s) => s.metadata.name === name)
                .map((s) => s.metadata.namespace)
                .sort();
        assert.deepStrictEqual(where("postgres-app"), ["rag-prod-app", "rag-prod-data"]);
        assert.deepStrictEqual(where("postgres-owner"), ["rag-prod-data"]);
        assert.deepStrictEqual(where("postgres-backup"), ["rag-prod-data"]);
        const user = (name: string) => secrets.find((s) => s.metadata.name === name).stringData.username;
        assert.deepStrictEqual([user("postgres-app"), user("postgres-owner"), user("postgres-backup")], ["rag_app", "rag_owner", "rag_backup"]);
    });

    it("the server certificate from the internal issuer names every Service clients use, pooler included; CloudNativePG serves it", () => {
        const cert = cr(prod, "Certificate", "postgres-server-tls").spec;
        assert.deepStrictEqual(cert.issuerRef, { name: "internal-ca", kind: "ClusterIssuer", group: "cert-manager.io" });
        assert.deepStrictEqual(cert.usages, ["server auth"]);
        for (const svc of ["postgres-rw", "postgres-ro", "postgres-r", "postgres-pooler-rw"])
            for (const n of [svc, `${svc}.rag-prod-data`, `${svc}.rag-prod-data.svc`, `${svc}.rag-prod-data.svc.cluster.local`])
                assert.ok(cert.dnsNames.includes(n), n);
        assert.deepStrictEqual(cr(prod, "Cluster", "postgres").spec.certificates, {
            serverTLSSecret: "postgres-server-tls",
            serverCASecret: "postgres-server-tls",
        });
        // Staging has no pooler: its name is not certified.
        assert.ok(!cr(staging, "Certificate", "postgres-server-tls").spec.dnsNames.some((n: string) => n.startsWith("postgres-pooler")));
    });

    it("the API connects with verify-full to a host its certificate names, trusting only ca.crt of its own client certificate's Secret", () => {
        const api = podTemplate(workload(prod, "kubernetes:apps/v1:Deployment", "api")).spec;
        const env = Object.fromEntries(api.containers[0].env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
        assert.strictEqual(env.DATABASE_SSLMODE, "verify-full");
        assert.strictEqual(env.DATABASE_SSLROOTCERT, "/etc/rag/postgres-tls/ca.crt");
        const cert = cr(prod, "Certificate", "postgres-server-tls").spec;
        for (const host of [env.DATABASE_HOST, env.DATABASE_READER_HOST]) assert.ok(cert.dnsNames.includes(host), host);
        const vol = api.volumes.find((v: any) => v.name === "postgres-ca");
        assert.deepStrictEqual(vol.secret.items, [{ key: "ca.crt", path: "ca.crt" }], "the client key is not mounted");
        assert.strictEqual(vol.secret.secretName, "postgres-client-tls");
        assert.deepStrictEqual(
            api.containers[0].volumeMounts.find((m: any) => m.name === "postgres-ca"),
            {
                name: "postgres-ca",
                mountPath: "/etc/rag/postgres-tls",
                readOnly: true,
            },
        );
        const client = prod.resources.all.find((r) => (r.inputs as any).kind === "Certificate" && (r.inputs as any).metadata.name === "postgres-client-tls")!
            .inputs as any;
        assert.strictEqual(client.metadata.namespace, "rag-prod-app");
        assert.deepStrictEqual([client.spec.issuerRef.name, client.spec.commonName, client.spec.usages], ["internal-ca", "rag_app", ["client auth"]]);
    });

    it("pg_dump connects as the read-only role with verify-full against the server's CA (only ca.crt mounted)", () => {
        const job = podTemplate(workload(prod, "kubernetes:batch/v1:CronJob", "pg-dump")).spec;
        const dump = job.initContainers[0];
        assert.match(dump.command[2], /"host=\$PGHOST dbname=rag sslmode=verify-full sslrootcert=\/etc\/postgres-tls\/ca.crt"/);
        assert.deepStrictEqual(
            dump.env.filter((e: any) => e.valueFrom).map((e: any) => e.valueFrom.secretKeyRef.name),
            ["postgres-backup", "postgres-backup"],
        );
        const cert = cr(prod, "Certificate", "postgres-server-tls").spec;
        assert.ok(cert.dnsNames.includes(dump.env.find((e: any) => e.name === "PGHOST").value));
        const vol = job.volumes.find((v: any) => v.name === "postgres-ca");
        assert.deepStrictEqual(vol.secret, { secretName: "postgres-server-tls", items: [{ key: "ca.crt", path: "ca.crt" }], defaultMode: 0o444 });
    });

    it("an empty internal issuer is refused, naming the setting and what it must be", () => {
        assert.throws(() => {
            const { settings } = resolveConfig(stagingBase());
            validateStackSettings({ ...settings, kubernetes: { ...settings.kubernetes, internalIssuer: "" } });
        }, /kubernetes\.internalIssuer: got ""; allowed: the name of a cert-manager ClusterIssuer of kind CA or Vault/);
    });
});

function stagingBase(): Record<string, string> {
    return { environment: "staging", domain: "rag.example.gov", apiImage: "ghcr.io/example-gov/rag-api:1.4.2", target: "kubernetes" };
}

describe("Kubernetes Valkey TLS: certificate from the internal issuer, TLS-only ports, clients verify", function () {
    this.timeout(60_000);
    let prod: ProgramRun;
    let plain: ProgramRun;
    before(async () => {
        prod = await runProgram("production", { target: "kubernetes" });
        plain = await runProgram("production", { target: "kubernetes", k8sCacheTls: "false" });
    });
    const sets = (run: ProgramRun) =>
        Object.fromEntries(run.resources.ofType("kubernetes:apps/v1:StatefulSet").map((s) => [(s.inputs as any).metadata.name, s.inputs as any]));
    const certificate = (run: ProgramRun, name: string) =>
        run.resources.all.find((r) => (r.inputs as any).kind === "Certificate" && (r.inputs as any).metadata.name === name)?.inputs as any;
    const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];

    it("servers and sentinels listen on TLS only, replicate and monitor over TLS, with the certificate mounted read-only (key group-readable only)", () => {
        for (const [name, port] of [
            ["valkey", "6379"],
            ["valkey-sentinel", "26379"],
        ]) {
            const pod = sets(prod)[name].spec.template.spec;
            const args: string[] = pod.containers[0].args;
            assert.strictEqual(flag(args, "--port"), "0", `${name}: no plaintext port`);
            assert.strictEqual(flag(args, "--tls-port"), port, name);
            assert.strictEqual(flag(args, "--tls-replication"), "yes", name);
            assert.strictEqual(flag(args, "--tls-ca-cert-file"), "/etc/valkey-tls/ca.crt", name);
            assert.deepStrictEqual(
                pod.containers[0].volumeMounts.find((m: any) => m.name === "tls"),
                { name: "tls", mountPath: "/etc/valkey-tls", readOnly: true },
            );
            assert.deepStrictEqual(pod.volumes.find((v: any) => v.name === "tls").secret, {
                secretName: "valkey-server-tls",
                items: ["tls.crt", "tls.key", "ca.crt"].map((k) => ({ key: k, path: k })),
                defaultMode: 0o440,
            });
        }
    });

    it("the server certificate names every Service and pod name peers and clients use, and localhost for the probes", () => {
        const cert = certificate(prod, "valkey-server-tls");
        assert.strictEqual(cert.metadata.namespace, "rag-prod-data");
        assert.deepStrictEqual(cert.spec.issuerRef, { name: "internal-ca", kind: "ClusterIssuer", group: "cert-manager.io" });
        for (const n of [
            "valkey-sentinel.rag-prod-data.svc.cluster.local",
            "*.valkey-headless.rag-prod-data.svc.cluster.local",
            "*.valkey-sentinel-headless.rag-prod-data.svc.cluster.local",
            "*.valkey-headless",
            "localhost",
        ])
            assert.ok(cert.spec.dnsNames.includes(n), n);
        assert.deepStrictEqual(cert.spec.ipAddresses, ["127.0.0.1"]);
    });

    it("the API connects with TLS and verifies against ca.crt of its own client certificate's Secret", () => {
        const api = plainApi(prod);
        const env = Object.fromEntries(api.containers[0].env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
        assert.deepStrictEqual([env.REDIS_TLS, env.REDIS_TLS_CA_FILE], ["true", "/etc/rag/valkey-tls/ca.crt"]);
        assert.deepStrictEqual(api.volumes.find((v: any) => v.name === "valkey-ca").secret.items, [{ key: "ca.crt", path: "ca.crt" }]);
        const client = certificate(prod, "valkey-client-tls");
        assert.deepStrictEqual([client.metadata.namespace, client.spec.usages], ["rag-prod-app", ["client auth"]]);
    });

    it("k8sCacheTls false is the named opt-out: plaintext port, no certificates, no TLS settings for the API", () => {
        const args: string[] = sets(plain)["valkey"].spec.template.spec.containers[0].args;
        assert.strictEqual(flag(args, "--port"), "6379");
        assert.ok(!args.includes("--tls-port"));
        assert.strictEqual(certificate(plain, "valkey-server-tls"), undefined);
        assert.strictEqual(certificate(plain, "valkey-client-tls"), undefined);
        const env = plainApi(plain).containers[0].env.map((e: any) => e.name);
        assert.ok(!env.includes("REDIS_TLS"));
    });
});

function plainApi(run: ProgramRun): any {
    return (run.resources.ofType("kubernetes:apps/v1:Deployment").find((d) => (d.inputs as any).metadata.name === "api")!.inputs as any).spec.template.spec;
}

describe("Kubernetes egress: an allow-list per destination, no internet in production", function () {
    this.timeout(60_000);
    let prod: ProgramRun;
    let staging: ProgramRun;
    before(async () => {
        prod = await runProgram("production", { target: "kubernetes" });
        staging = await runProgram("staging", { target: "kubernetes" });
    });
    const egress = (run: ProgramRun, name: string) =>
        (run.resources.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => (p.inputs as any).metadata.name === name)!.inputs as any).spec
            .egress as any[];
    const external = (rules: any[]) =>
        rules
            .filter((r) => r.to?.some((t: any) => t.ipBlock))
            .map((r) => `${r.to.map((t: any) => t.ipBlock.cidr).join(",")}:${r.ports.map((p: any) => p.port).join(",")}`);

    it("production: every destination outside the cluster is named by its addresses (Pulumi.production.yaml), none is the internet", () => {
        assert.deepStrictEqual(external(egress(prod, "api-egress")), ["10.40.20.0/24:443"]);
        assert.deepStrictEqual(external(egress(prod, "ollama-egress")), ["10.40.30.0/24:443"]);
        assert.deepStrictEqual(external(egress(prod, "postgres-egress")), ["10.40.0.0/28:6443,443", "10.40.20.0/24:443"]);
        assert.deepStrictEqual(external(egress(prod, "pooler-egress")), ["10.40.0.0/28:6443,443"]);
        assert.deepStrictEqual(external(egress(prod, "logical-backup-egress")), ["10.40.20.0/24:443", "10.80.20.0/24:443"], "the off-site copy is allowed");
        for (const p of prod.resources.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy"))
            for (const r of (p.inputs as any).spec.egress ?? [])
                for (const t of r.to ?? []) assert.ok(!t.ipBlock || !t.ipBlock.cidr.endsWith("/0"), `${(p.inputs as any).metadata.name}: ${t.ipBlock?.cidr}`);
    });

    it("production pulls models from the mirror it may reach; staging from the public registry, its internet egress explicit in the preset", () => {
        const pull = (run: ProgramRun) =>
            (run.resources.ofType("kubernetes:apps/v1:StatefulSet").find((s) => (s.inputs as any).metadata.name.startsWith("ollama"))!.inputs as any).spec
                .template.spec.initContainers[0].args[0] as string;
        assert.match(
            pull(prod),
            /for m in models\.internal\.example\.gov\/library\/llama3\.1:8b models\.internal\.example\.gov\/library\/nomic-embed-text:v1\.5; do/,
        );
        assert.match(pull(staging), /for m in llama3\.1:8b nomic-embed-text:v1\.5; do/);
        assert.deepStrictEqual(external(egress(staging, "ollama-egress")), ["0.0.0.0/0:443"]);
        assert.deepStrictEqual(external(egress(staging, "api-egress")), [], "the in-cluster store is reached by selector, nothing else");
    });

    it("a model name keeps its own registry host; one without gets the mirror and the library namespace", () => {
        const cases: [string, string | undefined, string][] = [
            ["llama3.1:8b", undefined, "llama3.1:8b"],
            ["llama3.1:8b", "models.internal", "models.internal/library/llama3.1:8b"],
            ["team/embed:1", "models.internal", "models.internal/team/embed:1"],
            ["other.mirror/library/llama3.1:8b", "models.internal", "other.mirror/library/llama3.1:8b"],
            ["localhost:5000/library/x:1", "models.internal", "localhost:5000/library/x:1"],
        ];
        for (const [model, registry, expected] of cases) assert.strictEqual(modelReference(model, registry), expected, `${model} @ ${registry}`);
    });

    it("production refuses the internet in an allow-list unless opted out by name; a destination in use needs its addresses", () => {
        const prodBase = () => {
            const { settings } = resolveConfig(stagingBase());
            return { ...settings, environment: "production" as const, database: { ...settings.database, crossRegionBackup: false } };
        };
        const withK8s = (k: object) => {
            const s = prodBase();
            return { ...s, kubernetes: { ...s.kubernetes, apiServerCidrs: ["10.40.0.0/28"], modelSourceCidrs: ["10.40.30.0/24"], ...k } };
        };
        assert.doesNotThrow(() => validateStackSettings(withK8s({})));
        assert.throws(
            () => validateStackSettings(withK8s({ modelSourceCidrs: ["0.0.0.0/0"] })),
            /kubernetes\.modelSourceCidrs: got \["0\.0\.0\.0\/0"\]; allowed: ranges narrower than the whole internet in production .*kubernetes\.allowInternetEgress true \(the named opt-out\)/,
        );
        assert.doesNotThrow(() => validateStackSettings(withK8s({ modelSourceCidrs: ["0.0.0.0/0"], allowInternetEgress: true })));
        // Without the LLM the model source opens nothing (no egress rule): the preset's 0.0.0.0/0 is not refused.
        const noLlm = withK8s({ modelSourceCidrs: ["0.0.0.0/0"] });
        assert.doesNotThrow(() => validateStackSettings({ ...noLlm, llm: { ...noLlm.llm, enabled: false } }));
        assert.throws(
            () => validateStackSettings(withK8s({ modelSourceCidrs: [] })),
            /kubernetes\.modelSourceCidrs: got \[\]; allowed: at least one IPv4 CIDR: where Ollama pulls/,
        );
        assert.throws(
            () =>
                validateStackSettings(
                    withK8s({
                        objectStorageMode: "external",
                        objectStorageEndpoint: "https://s3.x",
                        objectStorageSecretName: "a",
                        objectStorageBackupsSecretName: "b",
                    }),
                ),
            /kubernetes\.objectStorageCidrs: got \[\]; allowed: at least one IPv4 CIDR: the external object store's addresses/,
        );
        assert.throws(() => validateStackSettings(withK8s({ apiEgressCidrs: ["10.1.2.300/32"] })), /kubernetes\.apiEgressCidrs\[0\]: got "10\.1\.2\.300\/32"/);
        assert.throws(() => validateStackSettings(withK8s({ modelRegistry: "https://models.x" })), /kubernetes\.modelRegistry: got "https:\/\/models\.x"/);
    });
});
