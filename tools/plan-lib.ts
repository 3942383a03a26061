/**
 * The offline plan: runs the real program under the SDK's mocks, evaluates the policy pack
 * in-process and renders what a reviewer needs (summary, JSON, Kubernetes YAML, Mermaid).
 * No cloud credentials, no Pulumi CLI.
 */
import type { PolicyPackConfig } from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { StackSettings } from "../components/core/types";
import { parseConfig } from "../environments/config";
import { resolveStackSettings } from "../environments/resolve";
import { buildPolicies, exceptionLedger } from "../policies/lib";
import { checkPolicyConfig, evaluate, EvaluationResult } from "../policies/lib/evaluate";
import { RecordedResource } from "../test/harness/mocks";
import { toAnalyzed } from "../test/harness/policy";
import { PROJECT, readStackConfig, repoRoot, runProgram } from "../test/harness/program";

/** Version of the JSON document; bumped on any incompatible change (see docs/offline-plan.md). */
export const PLAN_FORMAT_VERSION = 1;
export const REDACTED = "[secret]";

export interface PlanOptions {
    stack: string;
    target?: "aws" | "kubernetes";
    /** Policy config file; default `policies/config/<stack>.json` when it exists. */
    policyConfigFile?: string;
    /** Extra config overrides (`key` -> string value), as `pulumi config set` would. */
    configOverrides?: Record<string, string>;
    /**
     * Program folder relative to the repository (an example). Default: the repository's own
     * program, whose config is validated against the library's settings first.
     */
    dir?: string;
}

export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    custom: boolean;
    protect: boolean;
    retainOnDelete: boolean;
    inputs: Record<string, unknown>;
}

export interface PlanViolation {
    policy: string;
    enforcementLevel: string;
    severity: string | null;
    urn: string | null;
    message: string;
}

export interface PlanDocument {
    formatVersion: number;
    stack: string;
    target: string;
    environment: string;
    summary: { resources: number; components: number; customResources: number; byType: Record<string, number>; opaque: string[] };
    settings: Record<string, unknown>;
    outputs: Record<string, unknown>;
    resources: PlanResource[];
    policy: {
        configFile: string | null;
        policiesRun: number;
        violations: PlanViolation[];
        undecided: PlanViolation[];
        mandatoryViolations: number;
        passed: boolean;
    };
}

export interface PlanResult {
    document: PlanDocument;
    /** Resolved settings (the repository's own program only). */
    settings?: StackSettings;
    records: RecordedResource[];
    evaluation: EvaluationResult;
}

/** Error with a clear message for the CLI (exit code 2). */
export class PlanInputError extends Error {}

function redact(inputs: Record<string, unknown>, secretPaths: string[]): Record<string, unknown> {
    if (secretPaths.length === 0) return inputs;
    const copy = JSON.parse(JSON.stringify(inputs)) as Record<string, unknown>;
    for (const p of secretPaths) {
        if (p === "(root)") return { [REDACTED]: true };
        const parts = p.split(".");
        let cur: Record<string, unknown> | undefined = copy;
        for (const part of parts.slice(0, -1)) cur = cur?.[part] as Record<string, unknown> | undefined;
        if (cur && parts[parts.length - 1] in cur) cur[parts[parts.length - 1]] = REDACTED;
    }
    return copy;
}

function loadPolicyConfig(opts: PlanOptions): { file: string | null; config: PolicyPackConfig | undefined } {
    let file = opts.policyConfigFile ?? null;
    if (!file && (opts.dir ?? ".") === ".") {
        const candidate = path.join(repoRoot(), "policies", "config", `${opts.stack}.json`);
        file = fs.existsSync(candidate) ? candidate : null;
    }
    if (!file) return { file: null, config: undefined };
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new PlanInputError(`cannot read the policy config ${file}: ${(e as Error).message}`);
    }
    try {
        return { file: path.relative(repoRoot(), path.resolve(file)) || file, config: checkPolicyConfig(buildPolicies(), raw) };
    } catch (e) {
        throw new PlanInputError(`${file}: ${(e as Error).message}`);
    }
}

/** Runs the plan of one stack. Throws PlanInputError / ValidationError for bad input. */
export async function plan(opts: PlanOptions): Promise<PlanResult> {
    const overrides: Record<string, string> = { ...(opts.configOverrides ?? {}) };
    if (opts.target) overrides.target = opts.target;
    const dir = opts.dir ?? ".";
    const root = path.resolve(repoRoot(), dir);
    if (!fs.existsSync(path.join(root, "Pulumi.yaml"))) throw new PlanInputError(`--dir: ${dir} has no Pulumi.yaml`);
    let stackConfig: Record<string, string>;
    try {
        stackConfig = readStackConfig(opts.stack, root);
    } catch (e) {
        throw new PlanInputError((e as Error).message);
    }
    const policy = loadPolicyConfig(opts);
    let settings: StackSettings | undefined;
    if (dir === ".") {
        // Resolve the settings first: bad config fails here, before anything is registered.
        const merged = { ...stackConfig };
        for (const [k, v] of Object.entries(overrides)) merged[`${PROJECT}:${k}`] = v;
        const parsed = parseConfig((k) => merged[`${PROJECT}:${k}`], PROJECT, merged["aws:region"]);
        settings = resolveStackSettings(parsed.input, `stack ${opts.stack}`);
    }

    const run = await runProgram(opts.stack, overrides, dir);
    const records = run.resources.all;
    exceptionLedger.length = 0;
    const evaluation = await evaluate(buildPolicies(), toAnalyzed(records), policy.config);

    const byType: Record<string, number> = {};
    for (const r of records) byType[r.type] = (byType[r.type] ?? 0) + 1;
    const toViolation = (v: EvaluationResult["violations"][number]): PlanViolation => ({
        policy: v.policy,
        enforcementLevel: v.enforcementLevel,
        severity: v.severity ?? null,
        urn: v.urn ?? null,
        message: v.message,
    });
    const vendors = new Set(
        records
            .filter((r) => r.custom && !r.type.startsWith("pulumi:"))
            .map((r) => r.type.split(":")[0])
            .filter((v) => v === "aws" || v === "kubernetes"),
    );
    const environments = new Set(records.map((r) => environmentOf(r.inputs)).filter((e): e is string => !!e));
    const document: PlanDocument = {
        formatVersion: PLAN_FORMAT_VERSION,
        stack: opts.stack,
        target: settings?.target ?? ([...vendors].sort().join("+") || "none"),
        environment: settings?.environment ?? (environments.size === 1 ? [...environments][0] : "unknown"),
        summary: {
            resources: records.length,
            components: records.filter((r) => !r.custom).length,
            customResources: records.filter((r) => r.custom).length,
            byType,
            opaque: records.filter((r) => r.remote || r.type.startsWith("awsx:")).map((r) => r.urn),
        },
        settings: settings ? keySettings(settings) : {},
        outputs: run.outputs,
        resources: records.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent ?? null,
            custom: r.custom,
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            inputs: redact(r.inputs, r.secretPaths),
        })),
        policy: {
            configFile: policy.file,
            policiesRun: evaluation.policiesRun,
            violations: evaluation.violations.map(toViolation),
            undecided: evaluation.undecided.map(toViolation),
            mandatoryViolations: evaluation.mandatory.length,
            passed: evaluation.mandatory.length === 0,
        },
    };
    return { document, settings, records, evaluation };
}

function environmentOf(inputs: Record<string, unknown>): string | undefined {
    const tags = inputs.tags as Record<string, string> | undefined;
    if (tags && !Array.isArray(tags) && tags.Environment) return tags.Environment;
    return (inputs.metadata as { labels?: Record<string, string> } | undefined)?.labels?.["ragstack.io/environment"];
}

/** The settings a reviewer compares between environments. */
export function keySettings(s: StackSettings): Record<string, unknown> {
    return {
        domain: s.domain,
        protectData: s.protectData,
        api: { image: s.api.image, replicas: `${s.api.minReplicas}-${s.api.maxReplicas}`, cpu: s.api.cpu, memoryMiB: s.api.memoryMiB },
        llm: s.llm.enabled
            ? {
                  models: s.llm.models,
                  nodes: `${s.llm.minNodes}/${s.llm.desiredNodes}/${s.llm.maxNodes} (min/desired/max)`,
                  instanceType: s.llm.instanceType,
                  spot: s.llm.spot,
              }
            : "disabled",
        database: {
            engineVersion: s.database.engineVersion,
            instanceClass: s.database.instanceClass,
            multiAz: s.database.multiAz,
            readReplicas: s.database.readReplicas,
            backupRetentionDays: s.database.backupRetentionDays,
            deletionProtection: s.database.deletionProtection,
            crossRegionBackup: s.database.crossRegionBackup,
        },
        cache: { nodeType: s.cache.nodeType, replicas: s.cache.replicas, automaticFailover: s.cache.automaticFailover },
        network:
            s.target === "aws"
                ? { cidr: s.network.cidr, azCount: s.network.azCount, natStrategy: s.network.natStrategy }
                : { namespacePrefix: s.kubernetes.namespacePrefix, edgeMode: s.kubernetes.edgeMode },
        observability: { logRetentionDays: s.observability.logRetentionDays },
    };
}

/** Human-readable summary. */
export function renderSummary(result: PlanResult): string {
    const d = result.document;
    const lines: string[] = [];
    lines.push(`Stack ${d.stack}: target ${d.target}, environment ${d.environment}`);
    lines.push(
        `${d.summary.resources} resources: ${d.summary.components} components, ${d.summary.customResources} provider resources; opaque: ${d.summary.opaque.length === 0 ? "none" : d.summary.opaque.join(", ")}`,
    );
    lines.push("");
    lines.push("Key settings:");
    for (const [k, v] of Object.entries(d.settings)) lines.push(`  ${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
    lines.push("");
    lines.push("Component tree (resources by type under each component):");
    const children = new Map<string, RecordedResource[]>();
    for (const r of result.records) {
        const key = r.parent ?? "";
        if (!children.has(key)) children.set(key, []);
        children.get(key)!.push(r);
    }
    const walk = (urn: string, depth: number) => {
        const kids = children.get(urn) ?? [];
        const counts: Record<string, number> = {};
        for (const k of kids.filter((x) => x.custom)) counts[k.type] = (counts[k.type] ?? 0) + 1;
        const countText = Object.entries(counts)
            .sort()
            .map(([t, n]) => `${n} ${t}`)
            .join(", ");
        if (countText) lines.push(`${"  ".repeat(depth + 1)}${countText}`);
        for (const k of kids.filter((x) => !x.custom)) {
            lines.push(`${"  ".repeat(depth + 1)}${k.type} "${k.name}"`);
            walk(k.urn, depth + 1);
        }
    };
    for (const root of (children.get("") ?? []).filter((r) => !r.custom)) {
        lines.push(`  ${root.type} "${root.name}"`);
        walk(root.urn, 1);
    }
    lines.push("");
    const v = d.policy.violations;
    lines.push(
        `Policies: ${d.policy.policiesRun} run${d.policy.configFile ? ` with ${d.policy.configFile}` : " with the pack defaults"}; ${v.length} findings, ${d.policy.mandatoryViolations} mandatory`,
    );
    for (const sev of ["critical", "high", "medium", "low"]) {
        const group = v.filter((x) => (x.severity ?? "low") === sev);
        if (group.length === 0) continue;
        lines.push(`  ${sev} (${group.length}):`);
        for (const x of group) lines.push(`    [${x.enforcementLevel}] ${x.policy}: ${x.message}${x.urn ? ` (${x.urn.split("::").pop()})` : ""}`);
    }
    for (const u of d.policy.undecided) lines.push(`  [undecided] ${u.policy}: ${u.message}`);
    lines.push("");
    lines.push(d.policy.passed ? "Result: PASS (no mandatory policy violated)" : `Result: FAIL (${d.policy.mandatoryViolations} mandatory violations)`);
    return lines.join("\n");
}

/** A rendered Kubernetes object. */
export interface K8sObject {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; namespace?: string; annotations?: Record<string, string>; [k: string]: unknown };
    data?: Record<string, unknown>;
    stringData?: Record<string, unknown>;
    [k: string]: unknown;
}

/** Kubernetes objects of a plan, Secrets without their data. */
export function kubernetesObjects(records: RecordedResource[]): { file: string; object: K8sObject }[] {
    const out: { file: string; object: K8sObject }[] = [];
    for (const r of records) {
        if (!r.custom || !r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:")) continue;
        const obj = JSON.parse(JSON.stringify(r.inputs)) as K8sObject;
        if (!obj.apiVersion || !obj.kind) continue;
        if (obj.kind === "Secret") {
            const keys = [...Object.keys(obj.stringData ?? {}), ...Object.keys(obj.data ?? {})];
            delete obj.stringData;
            delete obj.data;
            obj.metadata = {
                ...obj.metadata,
                annotations: {
                    ...(obj.metadata?.annotations ?? {}),
                    "ragstack.io/secret-data": `not rendered: keys ${keys.join(", ")} are generated and applied by Pulumi`,
                },
            };
        }
        const parent = records.find((p) => p.urn === r.parent);
        const component = (parent?.type.split(":").pop() ?? "stack").toLowerCase();
        const ns = obj.metadata?.namespace ? `${obj.metadata.namespace}-` : "";
        out.push({ file: path.join(component, `${obj.kind.toLowerCase()}-${ns}${obj.metadata?.name ?? r.name}.yaml`), object: obj });
    }
    return out;
}

/** Mermaid flowchart: components as subgraphs with their resource counts, and the traffic flows. */
export function mermaid(result: PlanResult): string {
    const d = result.document;
    const lines = ["flowchart LR", `  users((Users)) -->|HTTPS 443| edge`];
    const comps = result.records.filter((r) => !r.custom && r.parent && result.records.find((p) => p.urn === r.parent && !p.parent) === undefined);
    const id = (s: string) => s.replace(/[^A-Za-z0-9]/g, "_");
    for (const c of comps) {
        const counts: Record<string, number> = {};
        for (const k of result.records.filter((x) => x.parent === c.urn && x.custom)) {
            const short = k.type.split(":").pop()!;
            counts[short] = (counts[short] ?? 0) + 1;
        }
        const label = `${c.type.split(":").pop()}<br/>${Object.entries(counts)
            .map(([t, n]) => `${n}× ${t}`)
            .slice(0, 6)
            .join("<br/>")}`;
        lines.push(`  ${id(c.name)}["${label}"]`);
    }
    const find = (suffix: string) => comps.find((c) => c.type.endsWith(`:${suffix}`));
    const link = (a?: RecordedResource, b?: RecordedResource, text?: string) => {
        if (a && b) lines.push(`  ${id(a.name)} -->|${text}| ${id(b.name)}`);
    };
    const edge = find("Edge");
    lines.push(`  edge{{"Edge (${d.target === "aws" ? "ALB + WAF" : "Gateway/Ingress"})"}}`);
    if (edge) lines.push(`  edge --- ${id(edge.name)}`);
    const api = find("ApiService") ?? find("Api");
    lines.push(`  edge -->|8000| ${api ? id(api.name) : "api"}`);
    link(api, find("Database"), "5432 TLS");
    link(api, find("Cache"), "6379");
    link(api, find("Llm"), "11434");
    link(api, find("Storage") ?? find("ObjectStorage"), "S3 HTTPS");
    return lines.join("\n") + "\n";
}

/** Writes plan.json, the Kubernetes YAML (one file per object) and architecture.mmd. */
export function writeOut(result: PlanResult, dir: string): string[] {
    fs.mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    const planFile = path.join(dir, "plan.json");
    fs.writeFileSync(planFile, JSON.stringify(result.document, null, 2));
    written.push(planFile);
    if (result.document.target === "kubernetes") {
        const objects = kubernetesObjects(result.records);
        for (const o of objects) {
            const file = path.join(dir, "manifests", o.file);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            // YAML 1.1 so that strings such as "yes" or "on" are quoted: kubectl and Go YAML parsers read 1.1.
            fs.writeFileSync(file, YAML.stringify(o.object, { lineWidth: 0, version: "1.1" }));
            written.push(file);
        }
    }
    const mmd = path.join(dir, "architecture.mmd");
    fs.writeFileSync(mmd, mermaid(result));
    written.push(mmd);
    return written;
}
