/**
 * The rule framework of the pack: typed rule metadata, config schemas with defaults, production
 * detection, cdk-nag-style exceptions and the conversion to @pulumi/policy policies.
 *
 * Rules are plain data + a check function; nothing here starts a server. The pack itself is
 * constructed only in `policies/index.ts`.
 */
import type {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

import { isProductionResource } from "../../components/core/facts";

type PolicyConfigJSONSchema = PolicyConfigSchema["properties"][string];

/** What a rule protects. Encryption and least privilege are mandatory by default. */
export type Category = "encryption" | "least-privilege" | "compliance" | "resilience";
/** What a rule applies to. */
export type RuleTarget = "aws" | "kubernetes";

/** Compliance frameworks a rule maps to (only where the mapping is real). */
export type Framework = "CIS" | "NIST-800-53" | "PCI-DSS" | "ISO-27001";

export interface ParamSpec {
    type: "integer" | "string" | "boolean" | "array" | "object";
    default: unknown;
    description: string;
    /** Lowest value of an integer. @default 0 (every integer setting here is a count, a size or days) */
    minimum?: number;
    /** Highest value of an integer. @default none */
    maximum?: number;
}

interface RuleBase {
    /** `vendor-service-resource-verb-object`. */
    name: string;
    description: string;
    severity: Severity;
    category: Category;
    target: RuleTarget;
    /** Framework -> control ids, e.g. { "NIST-800-53": ["SC-28"] }. */
    frameworks: Partial<Record<Framework, string[]>>;
    remediation: string;
    /** Parameters with defaults (exposed through configSchema). */
    params?: Record<string, ParamSpec>;
    /** Only resources marked as production (tag `Environment` / label `ragstack.io/environment`) are checked. */
    productionOnly?: boolean;
}

/** What a check sees besides the props. */
export interface CheckContext {
    type: string;
    name: string;
    urn: string;
    config: Record<string, any>;
}

export interface ResourceRule extends RuleBase {
    kind: "resource";
    /** Pulumi type tokens the rule applies to. */
    types: string[];
    /** Returns the violation messages (empty or undefined when compliant). */
    check: (props: any, ctx: CheckContext) => string | string[] | undefined | void;
}

/** A resource as stack policies see it. */
export type StackResource = PolicyResource;

export interface StackFinding {
    urn: string;
    name: string;
    message: string;
}

export interface StackRule extends RuleBase {
    kind: "stack";
    check: (resources: StackResource[], config: Record<string, any>) => StackFinding[];
}

export type Rule = ResourceRule | StackRule;

/** One exemption of one resource from one rule, like a cdk-nag suppression. */
export interface PolicyException {
    /** Resource name or URN; `*` matches any run of characters. */
    resource: string;
    /** Why (at least 10 characters). */
    reason: string;
    /** Tracking ticket. */
    ticket?: string;
    /** Last day the exception holds (YYYY-MM-DD). */
    expires?: string;
}

/** Record of exceptions that suppressed a finding (reported by the audit stack policy). */
export interface UsedException {
    policy: string;
    urn: string;
    exception: PolicyException;
}

/** Process-wide ledger of used exceptions; the engine runs resource and stack policies in one process. */
export const exceptionLedger: UsedException[] = [];

/** Default enforcement level of a rule: mandatory for encryption and least privilege. */
export function defaultEnforcement(rule: Rule): EnforcementLevel {
    return rule.category === "encryption" || rule.category === "least-privilege" ? "mandatory" : "advisory";
}

/** Validity of an exception on a given day; returns the reason it is rejected, if any. */
export function exceptionProblem(e: PolicyException, today = new Date()): string | undefined {
    if (!e || typeof e !== "object") return "an exception must be an object";
    if (typeof e.resource !== "string" || e.resource === "") return "an exception must name a resource";
    if (typeof e.reason !== "string" || e.reason.trim().length < 10) return `exception for ${e.resource} has no reason of at least 10 characters`;
    if (e.expires !== undefined) {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(e.expires) || Number.isNaN(Date.parse(e.expires)))
            return `exception for ${e.resource} has an invalid expiry "${e.expires}" (YYYY-MM-DD)`;
        const end = new Date(`${e.expires}T23:59:59Z`);
        if (end < today) return `exception for ${e.resource} expired on ${e.expires}`;
    }
    return undefined;
}

function globMatch(pattern: string, value: string): boolean {
    const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
    return re.test(value);
}

/**
 * Applies a rule's exceptions to one finding: returns true when a valid exception covers it
 * (and records it), false otherwise. Invalid exceptions never suppress and are reported.
 */
function exempt(policy: string, config: Record<string, any>, urn: string, name: string, report: (message: string) => void): boolean {
    const list = (config.exceptions ?? []) as PolicyException[];
    for (const e of list) {
        const matchesResource = typeof e?.resource === "string" && (globMatch(e.resource, name) || globMatch(e.resource, urn));
        if (!matchesResource) continue;
        const problem = exceptionProblem(e);
        if (problem) {
            report(`exception rejected: ${problem}`);
            continue;
        }
        exceptionLedger.push({ policy, urn, exception: e });
        return true;
    }
    return false;
}

/** The configSchema of a rule: its parameters, plus `exceptions`. */
export function configSchemaOf(rule: Rule): { properties: Record<string, PolicyConfigJSONSchema> } {
    const properties: Record<string, PolicyConfigJSONSchema> = {
        exceptions: {
            type: "array",
            description: "Resources exempted from this rule: { resource (name or URN glob), reason (>= 10 chars), ticket?, expires? (YYYY-MM-DD) }.",
            items: {
                type: "object",
                properties: { resource: { type: "string" }, reason: { type: "string" }, ticket: { type: "string" }, expires: { type: "string" } },
                required: ["resource", "reason"],
            },
            default: [],
        },
    };
    for (const [k, p] of Object.entries(rule.params ?? {})) {
        properties[k] = {
            type: p.type,
            description: p.description,
            default: p.default as never,
            ...(p.type === "array" ? { items: { type: "string" } } : {}),
            ...(p.type === "integer" ? { minimum: p.minimum ?? 0, ...(p.maximum !== undefined ? { maximum: p.maximum } : {}) } : {}),
        } as PolicyConfigJSONSchema;
    }
    return { properties };
}

/** Config of a rule with every default applied (the engine applies schema defaults too). */
export function withDefaults(rule: Rule, config: Record<string, any> | undefined): Record<string, any> {
    const out: Record<string, any> = { exceptions: [] };
    for (const [k, p] of Object.entries(rule.params ?? {})) out[k] = p.default;
    for (const [k, v] of Object.entries(config ?? {})) if (v !== undefined && k !== "enforcementLevel") out[k] = v;
    return out;
}

/** True when props mark a production resource (AWS tag or Kubernetes label): the library's own marker. */
export const isProduction = (props: any): boolean => isProductionResource(props);

function asList(v: string | string[] | undefined | void): string[] {
    if (v === undefined || v === null) return [];
    return Array.isArray(v) ? v : [v];
}

function tagsOf(rule: Rule): string[] {
    const out = [`category:${rule.category}`, `target:${rule.target}`];
    for (const [fw, ids] of Object.entries(rule.frameworks)) for (const id of ids ?? []) out.push(`${fw}:${id}`);
    return out;
}

/** Converts a rule into the @pulumi/policy policy the engine runs. */
export function toPolicy(rule: Rule, enforcementLevel?: EnforcementLevel): ResourceValidationPolicy | StackValidationPolicy {
    const common = {
        name: rule.name,
        description: rule.description,
        enforcementLevel: enforcementLevel ?? defaultEnforcement(rule),
        severity: rule.severity,
        remediationSteps: rule.remediation,
        tags: tagsOf(rule),
        configSchema: configSchemaOf(rule),
    };
    if (rule.kind === "resource") {
        const validateResource = (args: ResourceValidationArgs, report: ReportViolation) => {
            if (!rule.types.includes(args.type)) return;
            const props = args.props;
            if (rule.productionOnly && !isProduction(props)) return;
            const config = withDefaults(rule, args.getConfig<Record<string, any>>());
            for (const message of asList(rule.check(props, { type: args.type, name: args.name, urn: args.urn, config }))) {
                if (!exempt(rule.name, config, args.urn, args.name, report)) report(message);
            }
        };
        // The policy SDK skips a resource of another type without deserializing its properties
        // when the validation names its one type (what validateResourceOfType attaches): with 85
        // policies per resource, most of the analyzer's time otherwise.
        if (rule.types.length === 1) Object.assign(validateResource, { __pulumiType: rule.types[0] });
        return { ...common, validateResource };
    }
    return {
        ...common,
        validateStack: (args: StackValidationArgs, report: ReportViolation) => {
            const config = withDefaults(rule, args.getConfig<Record<string, any>>());
            for (const f of rule.check(args.resources, config)) {
                if (!exempt(rule.name, config, f.urn, f.name, (m) => report(m, f.urn))) report(f.message, f.urn);
            }
        },
    };
}

/** The advisory stack policy that reports every exception used in this run. */
export const EXCEPTIONS_REPORT_POLICY = "ragstack-policy-exceptions-report";
export function exceptionsReportPolicy(): StackValidationPolicy {
    return {
        name: EXCEPTIONS_REPORT_POLICY,
        description: "Reports every policy exception that suppressed a finding in this run (an audit trail, never blocking).",
        enforcementLevel: "advisory",
        severity: "low",
        validateStack: (_args, report) => {
            for (const u of exceptionLedger.splice(0)) {
                report(
                    `exception used: ${u.policy} on ${u.urn}: "${u.exception.reason}"${u.exception.ticket ? ` (ticket ${u.exception.ticket})` : ""}${u.exception.expires ? `, expires ${u.exception.expires}` : ""}`,
                    u.urn,
                );
            }
        },
    };
}

/** Severity order for selection. */
export const SEVERITY_ORDER: Severity[] = ["low", "medium", "high", "critical"];

/** Selection of rules by target, framework and minimum severity. */
export interface RuleSelection {
    targets?: RuleTarget[];
    frameworks?: Framework[];
    minSeverity?: Severity;
    categories?: Category[];
}

export function selectRules(rules: Rule[], sel: RuleSelection = {}): Rule[] {
    return rules.filter(
        (r) =>
            (!sel.targets || sel.targets.includes(r.target)) &&
            (!sel.categories || sel.categories.includes(r.category)) &&
            (!sel.frameworks || sel.frameworks.some((f) => (r.frameworks[f] ?? []).length > 0)) &&
            (!sel.minSeverity || SEVERITY_ORDER.indexOf(r.severity) >= SEVERITY_ORDER.indexOf(sel.minSeverity)),
    );
}

/** Parses a JSON string that may be an IAM policy document or already an object. */
export function parseJson(v: unknown): any {
    if (typeof v !== "string") return v;
    try {
        return JSON.parse(v);
    } catch {
        return undefined;
    }
}

/** Statements of an IAM policy document. */
export function statements(doc: unknown): any[] {
    const d = parseJson(doc);
    if (!d) return [];
    const st = d.Statement;
    return Array.isArray(st) ? st : st ? [st] : [];
}

export function list<T>(v: T | T[] | undefined): T[] {
    return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}
