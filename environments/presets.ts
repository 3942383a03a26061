/**
 * The development, staging and production presets. Every default is stated once, in its tier file
 * (`components/settings/<tier>.ts`); these are the presets assembled from them.
 */
import { EnvironmentPreset, presetFor } from "../components/settings";

export { DEFAULT_IMAGES } from "../components/core/facts";
export { presetFor };
export type { EnvironmentPreset };

/**
 * Development: one API task of 0.5 vCPU, no NAT gateway, interface endpoints in one AZ, a
 * db.t4g.small database without standby, no cache, no LLM (turn it on with llmEnabled), short
 * retention; still encrypted, private and behind TLS and the WAF.
 */
export function developmentPreset(): EnvironmentPreset {
    return presetFor("development");
}

/**
 * Staging: min 1 / max 3 API tasks, one NAT gateway, single-AZ data stores, 7-day backups,
 * no deletion protection, GPU able to scale to zero.
 */
export function stagingPreset(): EnvironmentPreset {
    return presetFor("staging");
}

/**
 * Production: min 2 / max 10 API tasks, a NAT gateway per AZ, Multi-AZ database with a read
 * replica, Redis with automatic failover, 30-day backups copied to a second region, deletion
 * protection, 2 GPU nodes, 3 AZs.
 */
export function productionPreset(): EnvironmentPreset {
    return presetFor("production");
}
