import { PolicyPack } from "@pulumi/policy";
import { buildPolicies, PACK_NAME, PackOptions } from "./index";

/**
 * Constructs the policy pack. Call it once, from a policy pack's entry point: constructing a
 * PolicyPack starts the analyzer server that the Pulumi engine talks to.
 *
 * ```ts
 * // my-pack/index.ts
 * import { createPolicyPack } from "@ragstack/pulumi-rag-platform/policies";
 * createPolicyPack({ targets: ["aws"], minSeverity: "high" });
 * ```
 */
export function createPolicyPack(options: PackOptions = {}, name = PACK_NAME): PolicyPack {
    return new PolicyPack(name, {
        policies: buildPolicies(options),
        description: "Encryption, least privilege and compliance for the RAG platform stacks on AWS and Kubernetes.",
        displayName: "RAG platform policies",
        tags: ["aws", "kubernetes", "encryption", "least-privilege", "compliance"],
    });
}
