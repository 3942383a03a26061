/**
 * The components layer. Importing it registers no resources.
 *
 * - `aws`, `kubernetes`: each target's components, usable on their own.
 * - `settings`: the settings model, tier by tier (types, config keys, defaults, checks).
 * - `core`: pure helpers (validation toolkit, naming, tags, sizing, facts).
 *
 * The package's entry point is `facade/index.ts`: this plus the `RagStack` facade and the presets.
 */
export * as aws from "./aws";
export * as kubernetes from "./kubernetes";
export * as core from "./core";
export * as settings from "./settings";
export { ValidationError } from "./core/validation";
export type { Target, EnvironmentName } from "./core/types";
export type { StackSettings } from "./settings";
