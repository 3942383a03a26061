/**
 * The CrossGuard policy pack: `pulumi preview --policy-pack policies`.
 *
 * Encryption and least-privilege rules are mandatory by default, compliance and resilience rules
 * advisory; `config/production.json` makes everything mandatory. Select rules with the
 * RAGSTACK_POLICY_TARGETS, _FRAMEWORKS, _CATEGORIES and _MIN_SEVERITY environment variables;
 * exempt a resource through a rule's `exceptions` config (see docs/policies.md).
 */
import { PolicyPack } from "@pulumi/policy";
import { buildPolicies, optionsFromEnv, PACK_NAME } from "./lib";

new PolicyPack(PACK_NAME, {
    policies: buildPolicies(optionsFromEnv()),
    description: "Encryption, least privilege and compliance for the RAG platform stacks on AWS and Kubernetes.",
    displayName: "RAG platform policies",
    tags: ["aws", "kubernetes", "encryption", "least-privilege", "compliance"],
});
