import { ResourceRule, list } from "../framework";
import { ALL_BUT_CHOWN } from "../../../components/core/facts";
import { SECRET_NAME, T, containers } from "./common";
import { digestStanding, unpinnedDefaultMessage } from "../../../components/core/images";

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

/*
 * Image digests on ECS. A container definition's image may be `repository:tag`,
 * `repository@sha256:<digest>` or both (`repository:tag@sha256:<digest>`): the agent pulls by the
 * digest and keeps the tag for display (https://github.com/aws/amazon-ecs-agent/pull/4256; the
 * `image` field: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html).
 * ECS resolves a tag to a digest once per deployment, so a service's tasks run one image
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html#deployment-container-image-stability),
 * but the next deployment resolves the tag again: only a digest in the task definition fixes the
 * content a stack deploys. An ECR Public image pulled through the account's pull-through cache
 * keeps its tag (the cache fills by tag; `viaEcrPublicCache`), so neither rule finds those.
 */

export const taskdefinitionRequireImageDigests: ResourceRule = {
    kind: "resource",
    name: "aws-ecs-taskdefinition-require-image-digests",
    description:
        "Production task definitions run images pinned by digest (`image:tag@sha256:<digest>`): the API's and the LLM's (`apiImage`, `llmImage`), and the library's defaults once `images.lock.json` holds their digests. ECS resolves a tag once per deployment, so the next deployment can run other content under the same tag. Mandatory in production; a default whose digest the lock does not hold yet is `aws-ecs-taskdefinition-require-default-image-digests`'s (advisory), and an ECR Public default through the pull-through cache (which fills by tag only) is left out.",
    severity: "medium",
    category: "compliance",
    target: "aws",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["CM-2", "SI-7"] },
    remediation:
        "Set apiImage and llmImage as image:tag@sha256:<digest> (`aws ecr describe-images` or `crane digest <image:tag>` prints it); with apiImageManagedByCi, the pipeline's task definition pins its own.",
    types: [T.taskDef],
    check: (p) =>
        containers(p)
            .filter((c) => typeof c.image === "string" && digestStanding(c.image, undefined, { ecrPublicCache: true }) === "unpinned")
            .map((c) => `container ${c.name} image ${c.image} is not pinned by digest (image:tag@sha256:<digest>)`),
};

export const taskdefinitionRequireDefaultImageDigests: ResourceRule = {
    kind: "resource",
    name: "aws-ecs-taskdefinition-require-default-image-digests",
    description:
        "The library's default images (the database bootstrap, the model sync) run by the digests of `images.lock.json`. Advisory: it finds only defaults whose digest the lock does not hold yet; once it holds them, a default without its digest is `aws-ecs-taskdefinition-require-image-digests`'s (mandatory). A released package has every default pinned.",
    severity: "low",
    category: "compliance",
    target: "aws",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["CM-2", "SI-7"] },
    remediation: "Run tools/pin-images.sh where the registries are reachable (crane or skopeo), or use a released package, whose lock is filled.",
    types: [T.taskDef],
    check: (p) =>
        containers(p)
            .filter((c) => typeof c.image === "string" && digestStanding(c.image, undefined, { ecrPublicCache: true }) === "unpinned-default")
            .map((c) => unpinnedDefaultMessage(`container ${c.name}`, c.image)),
};
