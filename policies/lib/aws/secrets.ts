import { ResourceRule, StackResource, StackRule } from "../framework";
import { finding, T } from "./common";

export const secretRequireCmk: ResourceRule = {
    kind: "resource",
    name: "aws-secretsmanager-secret-require-cmk",
    description: "Secrets Manager secrets must be encrypted with a customer-managed KMS key.",
    severity: "medium",
    category: "encryption",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-28", "SC-12"], "PCI-DSS": ["3.5.1"] },
    remediation: "Set kmsKeyId to a customer-managed key.",
    types: [T.secret],
    check: (p) => (!p.kmsKeyId ? "secret uses the AWS-managed key" : undefined),
};

const EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget";

/** True when the event target's input names the secret (by dependency in a preview, by ARN in a plan). */
function watches(target: StackResource, secret: StackResource): boolean {
    if ((target.propertyDependencies?.input ?? []).some((d) => d.urn === secret.urn)) return true;
    const arn = secret.props?.arn;
    return typeof arn === "string" && arn !== "" && typeof target.props?.input === "string" && target.props.input.includes(arn);
}

export const secretRequireAgeCheck: StackRule = {
    kind: "stack",
    name: "aws-secretsmanager-secret-require-age-check",
    description:
        "Every secret the stack generates is watched by the scheduled secret-age check, so a secret nobody rotates raises an alarm (secretMaxAgeDays).",
    severity: "medium",
    category: "compliance",
    target: "aws",
    frameworks: { "NIST-800-53": ["IA-5(1)", "SC-12"], "PCI-DSS": ["8.3.9"], "ISO-27001": ["A.5.17"] },
    remediation: "Pass the secret to the Observability component's secretAge.secretArns (the stacks do), and rotate it with secretsRotatedOn.",
    check: (resources) => {
        const targets = resources.filter((r) => r.type === EVENT_TARGET);
        return resources
            .filter((r) => r.type === T.secret)
            .filter((s) => !targets.some((t) => watches(t, s)))
            .map((s) => finding(s, "no secret-age check watches this secret"));
    },
};

export const lambdaPermissionRequireSource: ResourceRule = {
    kind: "resource",
    name: "aws-lambda-permission-require-source",
    description: "A service may invoke a function only from a named source (sourceArn), never from any account's resource.",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["AC-3", "AC-6"], "ISO-27001": ["A.5.15"] },
    remediation: "Set sourceArn to the rule, topic or bucket that invokes the function.",
    types: ["aws:lambda/permission:Permission"],
    check: (p) => {
        if (p.principal === "*" || (typeof p.principal === "string" && /^\d{12}$|^arn:/.test(p.principal)))
            return `function invocable by a non-service principal: ${p.principal}`;
        return p.sourceArn ? undefined : `${p.principal} may invoke the function from any source (no sourceArn)`;
    },
};
