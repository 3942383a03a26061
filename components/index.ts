/**
 * Library entry point. Importing it registers no resources.
 *
 * - `RagStack`: the cloud-neutral facade.
 * - `aws`, `kubernetes`: each target's components, usable on their own.
 * - `environments`: the staging / production presets and config parsing.
 * - `core`: pure helpers (validation, naming, tags, sizing).
 */
export * from "./stack";
export * as aws from "./aws";
export * as kubernetes from "./kubernetes";
export * as core from "./core";
export * as environments from "../environments";
export { ValidationError } from "./core/validation";
export type { StackSettings, Target, EnvironmentName } from "./core/types";
