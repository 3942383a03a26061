/**
 * Validation of a policy pack config (`--policy-config`, `pulumi preview --policy-pack-config`),
 * without loading the policy SDK: names, levels, and each policy's settings against its schema.
 */
import type { PolicyConfigSchema, PolicyPackConfig } from "@pulumi/policy";
import { didYouMean } from "../../components/core/validation";

/** What the check needs of a policy. */
export interface PolicyDescriptor {
    name: string;
    configSchema?: Pick<PolicyConfigSchema, "properties">;
}

/**
 * Validates a user's policy config: known policy names, levels, and each policy's settings
 * against its configSchema (known keys, JSON types). Throws naming the policy and the key.
 */
export function checkPolicyConfig(policies: PolicyDescriptor[], config: unknown): PolicyPackConfig {
    if (config === null || typeof config !== "object" || Array.isArray(config))
        throw new Error("policy config: expected a JSON object of policy name -> level or settings");
    const byName = new Map(policies.map((p) => [p.name, p]));
    const names = ["all", ...byName.keys()];
    const levels = ["advisory", "mandatory", "remediate", "disabled"];
    for (const [k, v] of Object.entries(config as Record<string, unknown>)) {
        if (!names.includes(k)) throw new Error(`policy config: unknown policy "${k}"${didYouMean(k, names)} (see docs/policies.md for the names)`);
        if (typeof v !== "string" && (v === null || typeof v !== "object" || Array.isArray(v)))
            throw new Error(`policy config: ${k}: got ${JSON.stringify(v)}; allowed: a level (${levels.join(", ")}) or an object of settings`);
        const level = typeof v === "string" ? v : (v as Record<string, unknown>).enforcementLevel;
        if (level !== undefined && !levels.includes(level as string))
            throw new Error(`policy config: ${k}: enforcement level ${JSON.stringify(level)} is not one of ${levels.join(", ")}`);
        if (typeof v === "string") continue;
        if (k === "all") {
            const extra = Object.keys(v as Record<string, unknown>).filter((key) => key !== "enforcementLevel");
            if (extra.length > 0)
                throw new Error(`policy config: all: unknown setting "${extra[0]}"; allowed: enforcementLevel (settings belong to one policy's entry)`);
            continue;
        }
        const properties = (byName.get(k)?.configSchema?.properties ?? {}) as Record<string, { type?: string; minimum?: number; maximum?: number }>;
        for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
            if (key === "enforcementLevel") continue;
            const schema = properties[key];
            if (!schema)
                throw new Error(
                    `policy config: ${k}: unknown setting "${key}"${didYouMean(key, Object.keys(properties))}; allowed: ${Object.keys(properties).join(", ") || "none"}`,
                );
            const type = Array.isArray(value) ? "array" : value === null ? "null" : Number.isInteger(value) ? "integer" : typeof value;
            const ok = schema.type === undefined || schema.type === type || (schema.type === "number" && (type === "integer" || type === "number"));
            if (!ok)
                throw new Error(
                    `policy config: ${k}.${key}: got ${JSON.stringify(value)}; allowed: ${schema.type === "integer" ? "an integer" : `a ${schema.type}`}`,
                );
            if (
                typeof value === "number" &&
                ((schema.minimum !== undefined && value < schema.minimum) || (schema.maximum !== undefined && value > schema.maximum))
            )
                throw new Error(
                    `policy config: ${k}.${key}: got ${value}; allowed: an integer from ${schema.minimum ?? "-∞"}${schema.maximum !== undefined ? ` to ${schema.maximum}` : " up"}`,
                );
        }
    }
    return config as PolicyPackConfig;
}
