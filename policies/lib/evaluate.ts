/**
 * In-process evaluation of the pack with the engine's semantics, for the offline plan and the
 * tests: resource policies see each resource's inputs wrapped in the policy SDK's
 * unknown-checking proxy; stack policies see every resource with parent, dependencies and
 * property dependencies resolved to resource objects; enforcement levels come from the pack
 * defaults, the `all` entry and the per-policy entries of the config; schema defaults are
 * applied; a policy that reads an unknown value reports an advisory "can't run during preview".
 */
import type { EnforcementLevel, PolicyPackConfig, PolicyResource, ResourceValidationPolicy, Severity, StackValidationPolicy } from "@pulumi/policy";
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { checkPolicyConfig } from "./config";

export { checkPolicyConfig };

/** A resource as the engine describes it to the analyzer. */
export interface AnalyzedResource {
    urn: string;
    type: string;
    name: string;
    props: Record<string, unknown>;
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    protect?: boolean;
}

export interface Violation {
    policy: string;
    enforcementLevel: EnforcementLevel;
    severity?: Severity;
    urn?: string;
    message: string;
}

export interface EvaluationResult {
    violations: Violation[];
    /** Violations that block (`mandatory`). */
    mandatory: Violation[];
    /** Policies that could not decide (unknown values during preview). */
    undecided: Violation[];
    policiesRun: number;
}

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** The resource options the engine describes to policies. */
function optionsOf(r: AnalyzedResource) {
    return {
        protect: !!r.protect,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        parent: r.parent,
    };
}

/** What the engine reports when a policy reads a value unknown during preview. */
function undecidedOf(p: AnyPolicy, e: unknown, urn?: string): Violation {
    return {
        policy: p.name,
        enforcementLevel: "advisory",
        severity: p.severity,
        urn,
        message: `can't run policy '${p.name}' during preview: ${(e as Error).message}`,
    };
}

function configEntry(config: PolicyPackConfig | undefined, name: string): Record<string, any> | undefined {
    const c = config?.[name];
    if (c === undefined) return undefined;
    return typeof c === "string" ? { enforcementLevel: c } : (c as Record<string, any>);
}

/** Resolves a policy's level: per-policy config > `all` > the policy's own > the pack default. */
export function levelOf(p: AnyPolicy, config?: PolicyPackConfig, packDefault: EnforcementLevel = "advisory"): EnforcementLevel {
    const own = configEntry(config, p.name)?.enforcementLevel;
    const all = configEntry(config, "all")?.enforcementLevel;
    let level: EnforcementLevel = own ?? all ?? p.enforcementLevel ?? packDefault;
    if (level === "remediate") level = "mandatory";
    return level;
}

/** The policy's config with schema defaults applied (what the engine hands to getConfig). */
export function policyConfig(p: AnyPolicy, config?: PolicyPackConfig): Record<string, any> {
    const out: Record<string, any> = {};
    for (const [k, schema] of Object.entries(p.configSchema?.properties ?? {})) if ((schema as any).default !== undefined) out[k] = (schema as any).default;
    const entry = configEntry(config, p.name) ?? {};
    for (const [k, v] of Object.entries(entry)) if (k !== "enforcementLevel") out[k] = v;
    return out;
}

/** Runs every policy over the resources like `pulumi preview --policy-pack` would. */
export async function evaluate(policies: AnyPolicy[], resources: AnalyzedResource[], config?: PolicyPackConfig): Promise<EvaluationResult> {
    const violations: Violation[] = [];
    const undecided: Violation[] = [];
    let policiesRun = 0;
    const resourcePolicies = policies.filter((p): p is ResourceValidationPolicy => "validateResource" in p && !!p.validateResource);
    const stackPolicies = policies.filter((p): p is StackValidationPolicy => "validateStack" in p);

    for (const p of resourcePolicies) {
        const level = levelOf(p, config);
        if (level === "disabled") continue;
        policiesRun++;
        const cfg = policyConfig(p, config);
        const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource!];
        for (const r of resources) {
            const report = (message: string, urn?: string) =>
                violations.push({ policy: p.name, enforcementLevel: level, severity: p.severity, urn: urn ?? r.urn, message });
            for (const validate of validations) {
                try {
                    const props = unknownCheckingProxy(r.props);
                    await validate(
                        {
                            type: r.type,
                            props,
                            urn: r.urn,
                            name: r.name,
                            opts: optionsOf(r),
                            stackTags: new Map(),
                            isType: () => false,
                            asType: () => undefined,
                            getConfig: <T extends object>() => cfg as T,
                            notApplicable: (reason?: string) => {
                                throw new NotApplicable(reason);
                            },
                        } as never,
                        report,
                    );
                } catch (e) {
                    if (e instanceof UnknownValueError) undecided.push(undecidedOf(p, e, r.urn));
                    else if (!(e instanceof NotApplicable))
                        throw new Error(`Error validating resource ${r.urn} with policy '${p.name}': ${(e as Error).message}`);
                }
            }
        }
    }

    // Stack policies: resources with parents and dependencies resolved to objects.
    const objects = new Map<string, PolicyResource>();
    for (const r of resources) {
        const props = unknownCheckingProxy(r.props);
        objects.set(r.urn, {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: optionsOf(r),
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        } as never);
    }
    for (const r of resources) {
        const o = objects.get(r.urn)! as any;
        if (r.parent) o.parent = objects.get(r.parent);
        o.dependencies = (r.dependencies ?? []).map((d) => objects.get(d)).filter(Boolean);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) o.propertyDependencies[k] = urns.map((d) => objects.get(d)).filter(Boolean);
    }
    const all = [...objects.values()];
    for (const p of stackPolicies) {
        const level = levelOf(p, config);
        if (level === "disabled") continue;
        policiesRun++;
        const cfg = policyConfig(p, config);
        const report = (message: string, urn?: string) => violations.push({ policy: p.name, enforcementLevel: level, severity: p.severity, urn, message });
        try {
            await p.validateStack(
                {
                    resources: all,
                    getConfig: <T extends object>() => cfg as T,
                    stackTags: new Map(),
                    notApplicable: (reason?: string) => {
                        throw new NotApplicable(reason);
                    },
                } as never,
                report,
            );
        } catch (e) {
            if (e instanceof UnknownValueError) undecided.push(undecidedOf(p, e));
            else if (!(e instanceof NotApplicable)) throw new Error(`Error validating stack with policy '${p.name}': ${(e as Error).message}`);
        }
    }
    return { violations, mandatory: violations.filter((v) => v.enforcementLevel === "mandatory"), undecided, policiesRun };
}

class NotApplicable extends Error {
    constructor(reason?: string) {
        super(reason ?? "not applicable");
    }
}
