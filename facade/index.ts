/**
 * Library entry point (`@ragstack/pulumi-rag-platform`). Importing it registers no resources.
 *
 * - `RagStack`: the cloud-neutral facade (one args shape, AWS or Kubernetes).
 * - `aws`, `kubernetes`: each target's components, usable on their own.
 * - `settings`: the settings model, tier by tier; `environments`: the presets and config parsing.
 * - `core`: pure helpers (validation toolkit, naming, tags, sizing, facts).
 *
 * Layers, each importing only those below it: components/core → components/settings →
 * components/{aws,kubernetes} → environments → facade.
 */
export * from "./stack";
export * from "../components";
export * as environments from "../environments";
