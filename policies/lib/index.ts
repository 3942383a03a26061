/**
 * The rules of the pack, exported for the library's own checks and tests. Importing this module
 * starts nothing; `policies/index.ts` constructs the PolicyPack.
 */
import type { EnforcementLevel, PolicyPackConfig, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { exceptionsReportPolicy, Framework, RuleSelection, RuleTarget, selectRules, SEVERITY_ORDER, toPolicy } from "./framework";
import { allRules } from "./rules";

export * from "./framework";
export { awsRules, AWS_TYPES, ALLOWED_TLS_POLICIES } from "./aws";
export { kubernetesRules, podSpecOf, K8S_WORKLOAD_TYPES } from "./kubernetes";

export { allRules, policyDescriptors } from "./rules";

export const PACK_NAME = "ragstack-policies";

/** Options of the pack (the same knobs as the RAGSTACK_POLICY_* environment variables). */
export interface PackOptions extends RuleSelection {
    /** Level of every selected rule, overriding the per-category defaults. */
    enforcementLevel?: EnforcementLevel;
}

/** The policies the pack registers: the selected rules plus the exceptions report. */
export function buildPolicies(options: PackOptions = {}): (ResourceValidationPolicy | StackValidationPolicy)[] {
    return [...selectRules(allRules, options).map((r) => toPolicy(r, options.enforcementLevel)), exceptionsReportPolicy()];
}

/** Reads pack options from RAGSTACK_POLICY_TARGETS / _FRAMEWORKS / _MIN_SEVERITY / _CATEGORIES. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): PackOptions {
    const listOf = (v?: string) =>
        v
            ? v
                  .split(",")
                  .map((s) => s.trim())
                  .filter(Boolean)
            : undefined;
    const opts: PackOptions = {
        targets: listOf(env.RAGSTACK_POLICY_TARGETS) as RuleTarget[] | undefined,
        frameworks: listOf(env.RAGSTACK_POLICY_FRAMEWORKS) as Framework[] | undefined,
        categories: listOf(env.RAGSTACK_POLICY_CATEGORIES) as PackOptions["categories"],
        minSeverity: env.RAGSTACK_POLICY_MIN_SEVERITY as PackOptions["minSeverity"],
    };
    if (opts.minSeverity && !SEVERITY_ORDER.includes(opts.minSeverity))
        throw new Error(`RAGSTACK_POLICY_MIN_SEVERITY: got "${opts.minSeverity}"; allowed: ${SEVERITY_ORDER.join(", ")}`);
    for (const t of opts.targets ?? [])
        if (!["aws", "kubernetes"].includes(t)) throw new Error(`RAGSTACK_POLICY_TARGETS: got "${t}"; allowed: aws, kubernetes`);
    return opts;
}

/**
 * Policy config that makes every rule mandatory but the gateway rate limit's and the unpinned default images', advisory (what `config/production.json` holds). It names
 * each rule rather than using `all`, so that the exceptions report stays advisory.
 */
export function productionConfig(): PolicyPackConfig {
    return {
        ...Object.fromEntries(allRules.map((r) => [r.name, "mandatory" as const])),
        // Advisory even in production: the rate limit lives in the gateway implementation's own
        // policy, and the default GatewayClass (Cilium) has none (k8sGatewayRateLimit none); the
        // plan reports every unlimited route instead of refusing the stack.
        "kubernetes-edge-route-require-rate-limit": "advisory",
        // Advisory even in production: these find only library defaults whose digest
        // images.lock.json does not hold yet (tools/pin-images.sh fills it where a registry is
        // reachable; the release does, and refuses to publish an unpinned default). Every other
        // image without a digest, the stack's own above all, fails the mandatory
        // *-require-image-digests rules.
        "kubernetes-core-pod-require-default-image-digests": "advisory",
        "aws-ecs-taskdefinition-require-default-image-digests": "advisory",
        // This repository's production stack: the plan estimates about $4,200 a month (docs/cost.md).
        "aws-billing-stack-restrict-monthly-cost": { enforcementLevel: "mandatory", monthlyBudget: PRODUCTION_MONTHLY_BUDGET },
    };
}

/**
 * Policy config of a development stack (what `config/development.json` holds): the cheapest
 * stack is still encrypted, least-privileged and audited, so every encryption, least-privilege
 * and compliance rule is mandatory; the resilience rules (standbys, zones, deletion protection,
 * locks) stay advisory, since one team's test stack trades them for cost. Its budget is the
 * development preset's promise.
 */
export function developmentConfig(): PolicyPackConfig {
    const mandatory = new Set(["encryption", "least-privilege", "compliance"]);
    return {
        ...Object.fromEntries(allRules.filter((r) => mandatory.has(r.category)).map((r) => [r.name, "mandatory" as const])),
        "aws-cloudwatch-loggroup-require-retention": { enforcementLevel: "mandatory", minDays: 30 },
        // The development preset keeps 3 days of point-in-time recovery (dbBackupRetentionDays).
        "aws-rds-instance-require-backup-retention": { minDays: 3 },
        "aws-billing-stack-restrict-monthly-cost": { enforcementLevel: "mandatory", monthlyBudget: DEVELOPMENT_MONTHLY_BUDGET },
    };
}

/** The monthly budget (USD) of a development stack, enforced by its policy config (issue: at most $150 without GPU). */
export const DEVELOPMENT_MONTHLY_BUDGET = 150;

/** The monthly budget (USD) of this repository's production stack, enforced by its policy config. */
export const PRODUCTION_MONTHLY_BUDGET = 5000;
export { checkPolicyConfig } from "./config";
export type { PolicyDescriptor } from "./config";
export { evaluate, levelOf, policyConfig } from "./evaluate";
export type { AnalyzedResource, Violation, EvaluationResult } from "./evaluate";
