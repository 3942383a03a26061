/**
 * The CrossGuard policy pack: `pulumi preview --policy-pack policies`.
 *
 * Encryption and least-privilege rules are mandatory by default, compliance and resilience rules
 * advisory; `config/production.json` makes every rule mandatory. Select rules with the
 * RAGSTACK_POLICY_TARGETS, _FRAMEWORKS, _CATEGORIES and _MIN_SEVERITY environment variables;
 * exempt a resource through a rule's `exceptions` config (see docs/policies.md).
 */
import { optionsFromEnv } from "./lib";
import { createPolicyPack } from "./lib/pack";

createPolicyPack(optionsFromEnv());
