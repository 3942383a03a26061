/**
 * The consumer's Pulumi program (Pulumi.yaml `main: dist/index.js`): the composition of
 * program.ts with one setting from its stack config, and its outputs for other stacks.
 * `ragstack-plan --stack dev` plans it offline.
 */
import * as pulumi from "@pulumi/pulumi";
import { build } from "./program";

const config = new pulumi.Config();
const { db, cache, llm } = build(config.getNumber("llmReplicas") ?? 2);

export const databaseAddress = db.address;
export const cacheEndpoint = cache.primaryEndpoint;
export const llmEndpoint = llm.endpoint;
