/**
 * The program's own keys: the stack's identity (target, environment, domain, name) and the keys
 * that steer the program rather than a setting (the kubeconfig context, rendering to a folder,
 * the other targets a stack file serves).
 */
import { ENVIRONMENTS, Target, TARGETS } from "../core/types";
import { Validator } from "../core/validation";
import { ConfigType, StackIdentity } from "./tier";

/** One stack config key without a settings path. */
export interface ProgramKey {
    key: string;
    type: ConfigType;
    description: string;
    required?: boolean;
    /** Targets that read it. @default both */
    targets?: readonly Target[];
}

export const PROGRAM_KEYS: readonly ProgramKey[] = [
    { key: "target", type: "string", description: "Where to deploy: aws or kubernetes.", required: true },
    { key: "environment", type: "string", description: "Preset: staging or production.", required: true },
    { key: "domain", type: "string", description: "Public host name of the API (TLS needs it).", required: true },
    { key: "name", type: "string", description: "Name prefix of every resource (default rag)." },
    {
        key: "otherTargets",
        type: "array",
        description:
            "Other targets this stack file also carries settings for, e.g. [kubernetes] in a file whose target is aws: keys only they use are kept for them, not refused; the plan's --target adds the file's own target (docs/settings.md).",
    },
    { key: "k8sContext", type: "string", description: "kubeconfig context of the target cluster (default: current).", targets: ["kubernetes"] },
    { key: "k8sRenderYamlDir", type: "string", description: "Render manifests to this folder instead of applying.", targets: ["kubernetes"] },
];

/** Keys of the program listed first in Pulumi.yaml and the docs (the identity). */
export const IDENTITY_KEYS = ["target", "environment", "domain", "name"] as const;

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const NAME_RE = /^[a-z][a-z0-9-]{1,20}[a-z0-9]$/;

/** Checks the stack's identity. */
export function checkIdentity(v: Validator, s: StackIdentity): void {
    v.matches("name", s.name, NAME_RE, "3-22 characters: lower-case letters, digits and '-', starting with a letter");
    v.oneOf("target", s.target, TARGETS);
    v.oneOf("environment", s.environment, ENVIRONMENTS);
    v.matches("domain", s.domain, DOMAIN_RE, "a lower-case DNS name such as rag.example.gov (HTTPS needs a domain)");
}
