/**
 * The plan's JSON document (`--json`, `plan.json`): stable, versioned, secrets redacted.
 * Its shape is documented in docs/offline-plan.md.
 */
import type { CapacityReport } from "../../analysis/capacity";
import type { CostEstimate } from "../../analysis/cost";
import type { RecoveryReport } from "../../analysis/recovery";
import { alertsLeftOut, StackSettings } from "../../components/settings";
import { EvaluationResult } from "../../policies/lib/evaluate";
import { RecordedResource } from "../mocks";
import type { PreflightReport } from "./preflight";

/** Version of the JSON document; bumped on any incompatible change (see docs/offline-plan.md). */
export const PLAN_FORMAT_VERSION = 1;
/** What replaces every secret input. */
export const REDACTED = "[secret]";

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
    /** What the stack should change though it plans: deprecated config keys, each naming its new key (also on stderr). */
    warnings: string[];
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
    /** Monthly cost of the AWS resources (null for a plan without AWS resources). */
    cost: CostEstimate | null;
    /** Capacity on the configured Kubernetes node pools (null without them); problems fail the plan. */
    capacity: (CapacityReport & { passed: boolean }) | null;
    /**
     * Recovery per failure scenario (RPO/RTO) from the deployed resources, against the environment's
     * objectives (null without a database); a missed objective fails the plan.
     */
    recovery: (RecoveryReport & { passed: boolean }) | null;
    /**
     * The service quotas the AWS resources need against a new account's defaults, with the codes
     * to request increases with (null without AWS resources). Informational: it never fails the plan.
     */
    preflight: PreflightReport | null;
}

/** The plan's verdict: no mandatory policy violated and the stack fits its cluster. */
export function planPassed(d: PlanDocument): boolean {
    return d.policy.passed && (d.capacity?.passed ?? true) && (d.recovery?.passed ?? true);
}

/** Replaces the inputs at the given dotted secret paths by REDACTED. */
export function redact(inputs: Record<string, unknown>, secretPaths: string[]): Record<string, unknown> {
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
        observability: {
            logRetentionDays: s.observability.logRetentionDays,
            // Alerts the cluster's metrics cannot feed (k8sMetricsSources): left out of the PrometheusRule.
            ...(s.target === "kubernetes" && alertsLeftOut(s.observability.metricsSources).length > 0
                ? { alertsLeftOut: alertsLeftOut(s.observability.metricsSources).map((x) => `${x.alert} (no ${x.missing.join(", ")})`) }
                : {}),
        },
    };
}

export interface DocumentInput {
    stack: string;
    settings?: StackSettings;
    warnings?: string[];
    records: RecordedResource[];
    outputs: Record<string, unknown>;
    policyConfigFile: string | null;
    evaluation: EvaluationResult;
    cost?: CostEstimate | null;
    capacity?: CapacityReport | null;
    recovery?: RecoveryReport | null;
    preflight?: PreflightReport | null;
}

/** Builds the JSON document from the stages' results. */
export function buildDocument(input: DocumentInput): PlanDocument {
    const { records, settings, evaluation } = input;
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
    return {
        formatVersion: PLAN_FORMAT_VERSION,
        stack: input.stack,
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
        warnings: input.warnings ?? [],
        outputs: input.outputs,
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
            configFile: input.policyConfigFile,
            policiesRun: evaluation.policiesRun,
            violations: evaluation.violations.map(toViolation),
            undecided: evaluation.undecided.map(toViolation),
            mandatoryViolations: evaluation.mandatory.length,
            passed: evaluation.mandatory.length === 0,
        },
        cost: input.cost ?? null,
        capacity: input.capacity ? { ...input.capacity, passed: input.capacity.problems.length === 0 } : null,
        recovery: input.recovery ? { ...input.recovery, passed: input.recovery.problems.length === 0 } : null,
        preflight: input.preflight ?? null,
    };
}
