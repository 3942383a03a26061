import { ResourceRule, list, statements } from "../framework";
import { RESOURCE_WILDCARD_ONLY_ACTIONS, T } from "./common";

export const policyDisallowWildcardAction: ResourceRule = {
    kind: "resource",
    name: "aws-iam-policy-disallow-wildcard-action",
    description: "IAM policies must not allow `*` or `<service>:*` actions.",
    severity: "critical",
    category: "least-privilege",
    target: "aws",
    frameworks: { CIS: ["AWS 1.16"], "NIST-800-53": ["AC-6"], "PCI-DSS": ["7.2.1"], "ISO-27001": ["A.8.2"] },
    remediation: "List the exact actions the role needs.",
    types: [T.rolePolicy, T.policy],
    check: (p) =>
        statements(p.policy)
            .filter((s) => s.Effect === "Allow")
            .flatMap((s) => list<string>(s.Action).filter((a) => a === "*" || /^[a-z0-9-]+:\*$/.test(a)))
            .map((a) => `policy allows the wildcard action ${a}`),
};

export const policyDisallowWildcardResource: ResourceRule = {
    kind: "resource",
    name: "aws-iam-policy-disallow-wildcard-resource",
    description: "IAM policies must not allow actions on `Resource: *`, except actions that have no resource-level permissions.",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["AC-6"], "PCI-DSS": ["7.2.1"], "ISO-27001": ["A.8.2"] },
    remediation: "Name the exact ARNs; keep `*` only for actions such as ecr:GetAuthorizationToken.",
    params: { allowedActions: { type: "array", default: RESOURCE_WILDCARD_ONLY_ACTIONS, description: "Actions that may use Resource *." } },
    types: [T.rolePolicy, T.policy],
    check: (p, ctx) =>
        statements(p.policy)
            .filter((s) => s.Effect === "Allow" && list<string>(s.Resource).includes("*"))
            .filter((s) => list<string>(s.Action).some((a) => !(ctx.config.allowedActions as string[]).includes(a)))
            .map((s) => `policy allows ${list(s.Action).join(", ")} on Resource *`),
};

export const roleDisallowAdminPolicies: ResourceRule = {
    kind: "resource",
    name: "aws-iam-role-disallow-admin-policies",
    description: "Roles must not get administrator-level managed policies.",
    severity: "critical",
    category: "least-privilege",
    target: "aws",
    frameworks: { CIS: ["AWS 1.16"], "NIST-800-53": ["AC-6(1)"], "PCI-DSS": ["7.2.2"] },
    remediation: "Attach a policy with only the actions needed.",
    params: {
        deniedPolicies: {
            type: "array",
            default: ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AmazonS3FullAccess", "SecretsManagerReadWrite"],
            description: "Managed policy names that may not be attached.",
        },
    },
    types: [T.attachment, T.role],
    check: (p, ctx) => {
        const arns = [...list<string>(p.policyArn), ...list<string>(p.managedPolicyArns)];
        return arns
            .filter((a) => (ctx.config.deniedPolicies as string[]).some((d) => String(a).endsWith(`/${d}`)))
            .map((a) => `admin-level policy attached: ${a}`);
    },
};

export const roleRequireServiceTrust: ResourceRule = {
    kind: "resource",
    name: "aws-iam-role-require-service-trust",
    description: "Role trust policies may only trust the expected AWS service principals.",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["AC-3", "AC-6"], "ISO-27001": ["A.5.15"] },
    remediation: "Trust exactly the service that assumes the role (for example ecs-tasks.amazonaws.com).",
    params: {
        allowedServices: {
            type: "array",
            default: [
                "ecs-tasks.amazonaws.com",
                "ec2.amazonaws.com",
                "monitoring.rds.amazonaws.com",
                "rds.amazonaws.com",
                "s3.amazonaws.com",
                "vpc-flow-logs.amazonaws.com",
                "cloudtrail.amazonaws.com",
                "backup.amazonaws.com",
                "lambda.amazonaws.com",
                // ECS's infrastructure role for blue/green deployments (it shifts the ALB's traffic).
                "ecs.amazonaws.com",
            ],
            description: "Service principals roles may trust.",
        },
    },
    types: [T.role],
    check: (p, ctx) =>
        statements(p.assumeRolePolicy)
            .filter((s) => s.Effect === "Allow")
            .flatMap((s) => {
                const principal = s.Principal ?? {};
                if (principal === "*" || principal.AWS !== undefined || principal.Federated !== undefined)
                    return [`role trusts a non-service principal: ${JSON.stringify(principal)}`];
                return list<string>(principal.Service)
                    .filter((svc) => !(ctx.config.allowedServices as string[]).includes(svc))
                    .map((svc) => `role trusts an unexpected service: ${svc}`);
            }),
};
