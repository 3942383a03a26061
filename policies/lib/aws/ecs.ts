import { ResourceRule, list } from "../framework";
import { ALL_BUT_CHOWN } from "../../../components/core/facts";
import { SECRET_NAME, T, containers } from "./common";

export const serviceDisallowPublicIp: ResourceRule = {
    kind: "resource",
    name: "aws-ecs-service-disallow-public-ip",
    description: "ECS tasks must not get public IP addresses.",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-7"], "PCI-DSS": ["1.4.1"] },
    remediation: "Set networkConfiguration.assignPublicIp: false and run in private subnets.",
    types: [T.ecsService],
    check: (p) => (p.networkConfiguration?.assignPublicIp === true ? "service assigns public IPs to tasks" : undefined),
};

export const taskdefinitionDisallowPrivileged: ResourceRule = {
    kind: "resource",
    name: "aws-ecs-taskdefinition-disallow-privileged",
    description: "ECS containers must not run privileged.",
    severity: "critical",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["AC-6"], "PCI-DSS": ["2.2.5"] },
    remediation: "Remove privileged: true.",
    types: [T.taskDef],
    check: (p) =>
        containers(p)
            .filter((c) => c.privileged === true)
            .map((c) => `container ${c.name} is privileged`),
};

export const taskdefinitionDisallowHostNamespaces: ResourceRule = {
    kind: "resource",
    name: "aws-ecs-taskdefinition-disallow-host-namespaces",
    description: "ECS tasks must not share the host's PID, IPC or network namespace.",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-39"] },
    remediation: "Remove pidMode/ipcMode host and use networkMode awsvpc.",
    types: [T.taskDef],
    check: (p) => (p.pidMode === "host" || p.ipcMode === "host" || p.networkMode === "host" ? "task shares a host namespace" : undefined),
};

export const taskdefinitionDisallowPlainSecrets: ResourceRule = {
    kind: "resource",
    name: "aws-ecs-taskdefinition-disallow-plain-secrets",
    description: "Secrets must be injected from Secrets Manager or SSM, never as plain environment values.",
    severity: "critical",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["IA-5(7)", "SC-28"], "PCI-DSS": ["8.3.2"] },
    remediation: "Move the value to Secrets Manager and reference it under `secrets`.",
    types: [T.taskDef],
    check: (p) =>
        containers(p).flatMap((c) =>
            list<any>(c.environment)
                .filter((e) => SECRET_NAME.test(e.name ?? ""))
                .map((e) => `container ${c.name} has ${e.name} in plain environment`),
        ),
};

export const taskdefinitionRequireNonRoot: ResourceRule = {
    kind: "resource",
    name: "aws-ecs-taskdefinition-require-non-root",
    description:
        "Essential containers must run as a non-root user; a non-essential setup container may run as root only with every capability dropped but CHOWN.",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["AC-6"] },
    remediation: "Set user to a non-zero UID.",
    types: [T.taskDef],
    check: (p) =>
        containers(p)
            .filter((c) => {
                const root = !c.user || /^(0|root)(:|$)/.test(String(c.user));
                if (!root) return false;
                const caps = c.linuxParameters?.capabilities;
                // Every capability but CHOWN: dropped ALL with CHOWN added back (EC2), or every
                // default but CHOWN dropped and nothing added (Fargate adds only SYS_PTRACE).
                const drop = list<string>(caps?.drop);
                const onlyChown =
                    (drop.includes("ALL") && list(caps?.add).every((a: string) => a === "CHOWN")) ||
                    (list(caps?.add).length === 0 && ALL_BUT_CHOWN.every((cap) => drop.includes(cap)));
                const narrowSetup = c.essential === false && onlyChown;
                return !narrowSetup;
            })
            .map((c) => `container ${c.name} runs as root`),
};

export const taskdefinitionRequireReadonlyRootfs: ResourceRule = {
    kind: "resource",
    name: "aws-ecs-taskdefinition-require-readonly-rootfs",
    description: "Every container must run with a read-only root filesystem (writable volumes only where it writes).",
    severity: "medium",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["CM-7", "SI-7"], "PCI-DSS": ["2.2.1"] },
    remediation: "Set readonlyRootFilesystem: true and mount a volume where the process writes (/tmp, caches).",
    types: [T.taskDef],
    check: (p) =>
        containers(p)
            .filter((c) => c.readonlyRootFilesystem !== true)
            .map((c) => `container ${c.name} has a writable root filesystem`),
};
