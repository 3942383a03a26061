import { ResourceRule, list } from "../framework";
import { T } from "./common";

export const launchtemplateRequireEncryptedVolumes: ResourceRule = {
    kind: "resource",
    name: "aws-ec2-launchtemplate-require-encrypted-volumes",
    description: "Launch template volumes must be encrypted.",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { CIS: ["AWS 2.2.1"], "NIST-800-53": ["SC-28"], "PCI-DSS": ["3.5.1"] },
    remediation: "Set blockDeviceMappings[].ebs.encrypted = true with a kmsKeyId.",
    types: [T.lt],
    check: (p) => {
        const maps = list(p.blockDeviceMappings);
        if (maps.length === 0) return "launch template does not declare its root volume (encryption cannot be enforced)";
        return maps.some((m: any) => String(m.ebs?.encrypted) !== "true") ? "a launch template volume is not encrypted" : undefined;
    },
};

export const instanceRequireEncryptedVolumes: ResourceRule = {
    kind: "resource",
    name: "aws-ec2-instance-require-encrypted-volumes",
    description: "EC2 instance volumes must be encrypted.",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { CIS: ["AWS 2.2.1"], "NIST-800-53": ["SC-28"] },
    remediation: "Set rootBlockDevice.encrypted and ebsBlockDevices[].encrypted to true.",
    types: [T.instance],
    check: (p) =>
        p.rootBlockDevice?.encrypted !== true || list(p.ebsBlockDevices).some((d: any) => d.encrypted !== true)
            ? "an instance volume is not encrypted"
            : undefined,
};

export const volumeRequireEncryption: ResourceRule = {
    kind: "resource",
    name: "aws-ebs-volume-require-encryption",
    description: "EBS volumes must be encrypted.",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { CIS: ["AWS 2.2.1"], "NIST-800-53": ["SC-28"] },
    remediation: "Set encrypted: true and kmsKeyId.",
    types: [T.volume],
    check: (p) => (p.encrypted !== true ? "EBS volume is not encrypted" : undefined),
};

export const launchtemplateDisallowPublicIp: ResourceRule = {
    kind: "resource",
    name: "aws-ec2-launchtemplate-disallow-public-ip",
    description: "Instances from launch templates must not get public IPs.",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-7"], "PCI-DSS": ["1.4.1"] },
    remediation: "Set networkInterfaces[].associatePublicIpAddress to false.",
    types: [T.lt],
    check: (p) =>
        list(p.networkInterfaces).length === 0 || list(p.networkInterfaces).some((n: any) => String(n.associatePublicIpAddress) !== "false")
            ? "launch template may assign a public IP"
            : undefined,
};

export const launchtemplateRequireImdsv2: ResourceRule = {
    kind: "resource",
    name: "aws-ec2-launchtemplate-require-imdsv2",
    description: "Instance metadata must require IMDSv2 tokens with a hop limit that keeps containers out.",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["AC-3", "SC-7"] },
    remediation: "Set metadataOptions.httpTokens: required and httpPutResponseHopLimit: 1.",
    params: { maxHopLimit: { type: "integer", default: 1, description: "Highest allowed PUT response hop limit." } },
    types: [T.lt],
    check: (p, ctx) =>
        p.metadataOptions?.httpTokens !== "required" || Number(p.metadataOptions?.httpPutResponseHopLimit ?? 2) > ctx.config.maxHopLimit
            ? "launch template does not require IMDSv2 with a hop limit of 1"
            : undefined,
};

export const instanceRequireImdsv2: ResourceRule = {
    kind: "resource",
    name: "aws-ec2-instance-require-imdsv2",
    description: "EC2 instances must require IMDSv2 tokens.",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["AC-3"] },
    remediation: "Set metadataOptions.httpTokens: required.",
    types: [T.instance],
    check: (p) => (p.metadataOptions?.httpTokens !== "required" ? "instance does not require IMDSv2" : undefined),
};

export const launchtemplateDisallowSshKey: ResourceRule = {
    kind: "resource",
    name: "aws-ec2-launchtemplate-disallow-ssh-key",
    description: "GPU and container hosts are reached through SSM, not SSH keys.",
    severity: "medium",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["AC-17"], "PCI-DSS": ["8.2.2"] },
    remediation: "Remove keyName; use SSM Session Manager.",
    types: [T.lt, T.instance],
    check: (p) => (p.keyName ? "an SSH key pair is attached" : undefined),
};
